"""default_args (retries, retry_delay, trigger_rule) reach mapped classic operators, and arguments
given to ``partial()`` win over them, as in Airflow: ``partial()`` (airflow/models/baseoperator.py) fills
only the partial kwargs left unset from the DAG's and the group's default_args.

- ``tolerant`` takes ``trigger_rule="all_done"`` and ``retries=2`` from default_args: it runs although
  ``gate`` failed, and its index that always fails ends after 3 tries;
- ``strict`` sets ``trigger_rule="all_success"`` in ``partial()``: upstream_failed per index (a map over
  literals has its instances with the run);
- ``once`` sets ``retries=0`` in ``partial()``: one try only.
"""
from datetime import datetime, timedelta

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="default_args_partial_override_mapped", schedule=None, start_date=datetime(2022, 1, 1),
         default_args={"retries": 2, "retry_delay": timedelta(seconds=0), "trigger_rule": "all_done"}):
    gate = BashOperator(task_id="gate", bash_command="exit 1", retries=0, trigger_rule="all_success")
    tolerant = BashOperator.partial(task_id="tolerant").expand(bash_command=["echo ok", "exit 5"])
    strict = BashOperator.partial(task_id="strict", trigger_rule="all_success").expand(
        bash_command=["echo a", "echo b"])
    once = BashOperator.partial(task_id="once", retries=0).expand(bash_command=["exit 6"])
    gate >> [tolerant, strict, once]

EXPECTED = {
    "state": "failed",
    "tasks": {
        "gate": {"states": {"failed": 1}},
        "tolerant": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "strict": {"map_count": 2, "states": {"upstream_failed": 2}},
        "once": {"map_count": 1, "states": {"failed": 1}},
    },
    "instances": [
        ["gate", None, {"state": "failed", "try_number": 1}],
        ["tolerant", 0, {"state": "success", "try_number": 1}],
        ["tolerant", 1, {"state": "failed", "try_number": 3, "error_contains": "5"}],
        ["once", 0, {"state": "failed", "try_number": 1, "error_contains": "6"}],
    ],
    "xcom": [["tolerant", 0, "ok"]],
}
