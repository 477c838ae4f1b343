"""retries / retry_delay from the DAG's default_args apply per map index of a mapped @task."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task
def flaky(x: int) -> int:
    ti = get_current_context()["ti"]
    if x == 3 and ti.try_number < 3:
        raise RuntimeError("try again")
    if x == 4:
        raise RuntimeError("always")
    return x * 10


@dag(dag_id="h5_retry_default_args", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"retries": 2, "retry_delay": timedelta(seconds=0)})
def h5_retry_default_args():
    flaky.expand(x=[1, 3, 4])


h5_retry_default_args()

EXPECTED = {
    "state": "failed",
    "tasks": {"flaky": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "instances": [["flaky", 1, {"state": "success", "try_number": 3}],
                  ["flaky", 2, {"state": "failed", "try_number": 3, "error_contains": "always"}],
                  ["flaky", 0, {"try_number": 1}]],
    "xcom": [["flaky", 1, 30]],
}
