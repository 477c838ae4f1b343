"""A mapped soft_fail sensor whose poke itself runs past execution_timeout: the AirflowTaskTimeout
is raised inside poke(), and BaseSensorOperator.execute (airflow/sensors/base.py) catches
(AirflowSensorTimeout, AirflowTaskTimeout, AirflowFailException) around the poke and, with
soft_fail, raises AirflowSkipException("Skipping due to soft_fail is set to True.") -> skipped,
no retry. Index 0 is quick and done."""
import time
from datetime import datetime, timedelta

from orchestrator import dag, task


@task.sensor(poke_interval=0.1, timeout=60, soft_fail=True, execution_timeout=timedelta(seconds=1),
             retries=1, retry_delay=timedelta(0))
def ready(x: int) -> bool:
    if x == 1:
        for _ in range(80):
            time.sleep(0.1)
    return True


@dag(dag_id="h7_sensor_soft_fail_execution_timeout", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_soft_fail_execution_timeout():
    ready.expand(x=[0, 1])


h7_sensor_soft_fail_execution_timeout()

EXPECTED = {
    "state": "success",
    "tasks": {"ready": {"map_count": 2, "states": {"success": 1, "skipped": 1}}},
    "instances": [["ready", 1, {"state": "skipped", "try_number": 1}]],
}
