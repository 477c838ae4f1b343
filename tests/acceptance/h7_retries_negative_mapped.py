"""A negative retries is not refused by Airflow: parse_retries (airflow/models/baseoperator.py)
returns an int as is, and TaskInstance.is_eligible_to_retry (`self.task.retries and
self.try_number <= self.max_tries`) is False for max_tries = -1, so a failing index just fails at
try 1; the others succeed."""
from datetime import datetime

from orchestrator import dag, task


@task(retries=-1)
def work(x: int) -> int:
    if x == 1:
        raise ValueError("no")
    return x


@dag(dag_id="h7_retries_negative_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_retries_negative_mapped():
    work.expand(x=[0, 1])


h7_retries_negative_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {"work": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["work", 1, {"state": "failed", "try_number": 1}]],
}
