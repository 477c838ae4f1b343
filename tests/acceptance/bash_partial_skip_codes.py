"""``skip_on_exit_code`` given to ``partial()`` of a mapped BashOperator replaces the default 99, as in
Airflow (airflow/operators/bash.py: an int becomes ``[code]``, a container is kept, ``None`` means
``[]``; ``if result.exit_code in self.skip_on_exit_code: raise AirflowSkipException``, else a non-zero
exit is ``AirflowException("Bash command failed. The command returned a non-zero exit code N.")``):
with ``[3, 4]`` exit 3 and 4 skip and exit 99 fails; with ``None`` exit 99 fails too. A
``none_failed_min_one_success`` join after the first map is upstream_failed (an index failed)."""
from datetime import datetime

from orchestrator import DAG, TriggerRule
from orchestrator.operators import BashOperator, EmptyOperator

with DAG(dag_id="bash_partial_skip_codes", schedule=None, start_date=datetime(2022, 1, 1)):
    codes = BashOperator.partial(task_id="codes", skip_on_exit_code=[3, 4]).expand(
        bash_command=["exit 3", "exit 4", "exit 99", "echo fine"])
    never = BashOperator.partial(task_id="never", skip_on_exit_code=None).expand(bash_command=["exit 99", "echo ok"])
    codes >> EmptyOperator(task_id="join", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)

EXPECTED = {
    "state": "failed",
    "tasks": {
        "codes": {"map_count": 4, "states": {"skipped": 2, "failed": 1, "success": 1}},
        "never": {"map_count": 2, "states": {"failed": 1, "success": 1}},
        "join": {"states": {"upstream_failed": 1}},
    },
    "instances": [["codes", 2, {"state": "failed", "error_contains": "99"}],
                  ["never", 0, {"state": "failed", "error_contains": "99"}],
                  ["codes", 1, {"state": "skipped"}]],
    "xcom": [["codes", 3, "fine"]],
}
