"""A mapped sensor (poke mode, never done, timeout=60) cut by execution_timeout=1 s: the
interruption is AirflowTaskTimeout (TaskInstance._execute_task's timeout() context), not the
sensor's own AirflowSensorTimeout, so it is an ordinary failure that is retried
(_run_raw_task -> handle_failure: only AirflowFailException / AirflowSensorTimeout force_fail;
BaseSensorOperator.execute re-raises AirflowTaskTimeout when soft_fail is False). Index 1 fails
at try 2; index 0 is done at once."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task.sensor(poke_interval=0.1, timeout=60, execution_timeout=timedelta(seconds=1), retries=1,
             retry_delay=timedelta(0))
def ready(x: int) -> bool:
    return x == 0


@dag(dag_id="h7_sensor_execution_timeout_retried", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_execution_timeout_retried():
    ready.expand(x=[0, 1])


h7_sensor_execution_timeout_retried()

EXPECTED = {
    "state": "failed",
    "tasks": {"ready": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["ready", 1, {"state": "failed", "try_number": 2}]],
}
