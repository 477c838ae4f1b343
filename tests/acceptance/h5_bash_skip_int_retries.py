"""skip_on_exit_code=1 (an int) in partial: exit 1 skips at once (no retry), exit 99 now fails after its retries."""
from datetime import datetime, timedelta

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_bash_skip_int_retries", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="b", skip_on_exit_code=1, retries=1, retry_delay=timedelta(seconds=0)).expand(
        bash_command=["exit 1", "exit 99", "echo ok"])

EXPECTED = {
    "state": "failed",
    "tasks": {"b": {"map_count": 3, "states": {"skipped": 1, "failed": 1, "success": 1}}},
    "instances": [["b", 0, {"state": "skipped", "try_number": 1}],
                  ["b", 1, {"state": "failed", "try_number": 2, "error_contains": "99"}]],
    "xcom": [["b", 2, "ok"]],
}
