"""retry_exponential_backoff with retry_delay=0 and max_retry_delay given as plain seconds (coerced by
coerce_timedelta in _TaskDecorator._expand): TaskInstance.next_retry_datetime
(airflow/models/taskinstance.py) raises a 0 s minimum backoff to 1 s, then caps by max_retry_delay;
the index that fails twice succeeds at try 3, others at try 1."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(retries=3, retry_delay=timedelta(0), retry_exponential_backoff=True, max_retry_delay=2)
def work(x: int) -> int:
    if x == 1 and get_current_context()["ti"].try_number < 3:
        raise ValueError("not yet")
    return x


@dag(dag_id="h7_exponential_backoff_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_exponential_backoff_mapped():
    work.expand(x=[0, 1])


h7_exponential_backoff_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["work", 0, {"state": "success", "try_number": 1}],
                  ["work", 1, {"state": "success", "try_number": 3}]],
}
