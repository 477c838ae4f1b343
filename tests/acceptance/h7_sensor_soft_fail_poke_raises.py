"""A mapped @task.sensor with soft_fail=True whose poke raises an ordinary exception is NOT skipped
in Airflow 2.10.5: BaseSensorOperator.execute (airflow/sensors/base.py) turns into
AirflowSkipException only AirflowSensorTimeout / AirflowTaskTimeout / AirflowFailException (and the
timeout itself); any other exception goes to `except Exception as e:` which re-raises it unless
silent_fail / never_fail are set (never_fail is the 2.10 option that skips on any error).
So index 1 (ValueError on every poke) is retried (retries=1) and ends failed at try 2;
index 2 (AirflowFailException) is skipped by soft_fail; index 0 succeeds."""
from datetime import datetime, timedelta

from orchestrator import AirflowFailException, dag, task


@task.sensor(poke_interval=0.1, timeout=30, soft_fail=True, retries=1, retry_delay=timedelta(0))
def ready(x: int) -> bool:
    if x == 1:
        raise ValueError("source unreachable")
    if x == 2:
        raise AirflowFailException("permanently bad")
    return True


@dag(dag_id="h7_sensor_soft_fail_poke_raises", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_soft_fail_poke_raises():
    ready.expand(x=[0, 1, 2])


h7_sensor_soft_fail_poke_raises()

EXPECTED = {
    "state": "failed",
    "tasks": {"ready": {"map_count": 3, "states": {"success": 1, "failed": 1, "skipped": 1}}},
    "instances": [["ready", 1, {"state": "failed", "try_number": 2, "error_contains": "source unreachable"}],
                  ["ready", 2, {"state": "skipped", "try_number": 1}]],
}
