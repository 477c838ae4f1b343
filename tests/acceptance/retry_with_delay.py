"""A retry waits its retry_delay (Celery's countdown) and the chord stays open until it ends."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(retries=1, retry_delay=timedelta(seconds=1))
def slow_to_succeed(x: int) -> int:
    if get_current_context()["ti"].try_number == 1 and x == 0:
        raise RuntimeError("not yet")
    return x


@task
def total(values) -> list:
    return [len(values), sum(values)]


@dag(dag_id="retry_with_delay", schedule=None, start_date=datetime(2022, 1, 1))
def retry_with_delay():
    total(slow_to_succeed.expand(x=[0, 5]))


retry_with_delay()

EXPECTED = {
    "state": "success",
    "instances": [["slow_to_succeed", 0, {"state": "success", "try_number": 2}]],
    "xcom": [["total", None, [2, 5]]],
}
