"""Exceptions raised by a mapped sensor's poke, without soft_fail (BaseSensorOperator.execute,
airflow/sensors/base.py, re-raises them; _run_raw_task in airflow/models/taskinstance.py decides):
index 0 AirflowFailException -> failed at try 1 despite retries=2 (force_fail);
index 1 AirflowSkipException -> skipped; index 2 ValueError on try 1 only -> retried, done at try 2;
index 3 done at once."""
from datetime import datetime, timedelta

from orchestrator import AirflowFailException, AirflowSkipException, dag, get_current_context, task


@task.sensor(poke_interval=0.1, timeout=30, retries=2, retry_delay=timedelta(0))
def ready(x: int) -> bool:
    if x == 0:
        raise AirflowFailException("never")
    if x == 1:
        raise AirflowSkipException("not today")
    if x == 2 and get_current_context()["ti"].try_number == 1:
        raise ValueError("flaky")
    return True


@dag(dag_id="h7_sensor_exceptions_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_exceptions_mapped():
    ready.expand(x=[0, 1, 2, 3])


h7_sensor_exceptions_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {"ready": {"map_count": 4, "states": {"success": 2, "failed": 1, "skipped": 1}}},
    "instances": [["ready", 0, {"state": "failed", "try_number": 1, "error_contains": "never"}],
                  ["ready", 1, {"state": "skipped", "try_number": 1}],
                  ["ready", 2, {"state": "success", "try_number": 2}]],
}
