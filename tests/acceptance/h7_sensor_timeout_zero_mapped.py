"""A sensor with timeout=0 is valid (BaseSensorOperator._validate_input_values only refuses a
negative one) and times out after its first poke that is not done: BaseSensorOperator.execute
checks `if run_duration() > self.timeout` after each poke and raises AirflowSensorTimeout, which
_run_raw_task (airflow/models/taskinstance.py) hands to handle_failure with force_fail=True: no
retries. An index done at its first poke succeeds."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task.sensor(poke_interval=0.1, timeout=0, retries=2, retry_delay=timedelta(0))
def ready(x: int) -> bool:
    return x > 0


@dag(dag_id="h7_sensor_timeout_zero_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_timeout_zero_mapped():
    ready.expand(x=[1, 0])


h7_sensor_timeout_zero_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {"ready": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["ready", 1, {"state": "failed", "try_number": 1, "error_contains": "timed out"}]],
}
