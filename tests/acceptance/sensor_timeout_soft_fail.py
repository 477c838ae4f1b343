"""A sensor's timeout, as in Airflow: with soft_fail it ends skipped (and its downstream is skipped
by the default trigger rule); without, it fails at once without its retries (AirflowSensorTimeout),
in poke and in reschedule mode alike; a mapped one times out per index."""
from datetime import datetime

from orchestrator import DAG, task
from orchestrator.sensors import PythonSensor


@task
def publish() -> str:
    return "published"


@task.sensor(mode="reschedule", poke_interval=0.3, timeout=1)
def ready(x: int) -> bool:
    return x > 0


with DAG(dag_id="sensor_timeout_soft_fail", schedule=None, start_date=datetime(2022, 1, 1)):
    soft = PythonSensor(task_id="soft", python_callable=lambda: False, mode="reschedule", poke_interval=0.3,
                        timeout=1, soft_fail=True)
    soft >> publish()
    PythonSensor(task_id="hard", python_callable=lambda: False, poke_interval=0.3, timeout=1, retries=2)
    ready.expand(x=[1, 0, 2])

EXPECTED = {
    "state": "failed",
    "tasks": {"soft": {"states": {"skipped": 1}}, "publish": {"states": {"skipped": 1}},
              "hard": {"states": {"failed": 1}}, "ready": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "instances": [["hard", None, {"state": "failed", "try_number": 1, "error_contains": "timed out"}],
                  ["ready", 1, {"state": "failed", "try_number": 1, "error_contains": "timed out"}],
                  ["ready", 2, {"state": "success", "try_number": 1}]],
}
