"""Sensors in poke mode, outside mapped groups: poked in the worker slot until done (Airflow's
BaseSensorOperator.execute); a PokeReturnValue's xcom_value is the sensor's XCom, a bool pushes
nothing; a classic PythonSensor and a @task.sensor; one try each."""
import os
import tempfile
from datetime import datetime

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue, PythonSensor


def poke_count(done_at: int) -> int:
    """How many times this instance has poked, this one included (a file per run and index,
    removed once the count reaches ``done_at``)."""
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"chordflow-sensor-{ti.run_id}-{ti.task_id}-{ti.map_index}")
    count = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    if count >= done_at:
        if os.path.exists(path):
            os.remove(path)
    else:
        with open(path, "w") as f:
            f.write(str(count))
    return count


@task.sensor(poke_interval=0.2, timeout=60)
def partition_ready(table: str) -> PokeReturnValue:
    count = poke_count(3)
    return PokeReturnValue(is_done=count >= 3, xcom_value=f"{table}@{count}")


@task
def report(found: str) -> str:
    return f"loaded {found}"


@dag(dag_id="sensor_poke_mode", schedule=None, start_date=datetime(2022, 1, 1))
def sensor_poke_mode():
    classic = PythonSensor(task_id="service_up", python_callable=lambda: poke_count(2) >= 2, poke_interval=0.2)
    classic >> report(partition_ready("orders"))


sensor_poke_mode()

EXPECTED = {
    "state": "success",
    "tasks": {"partition_ready": {"states": {"success": 1}}, "service_up": {"states": {"success": 1}},
              "report": {"states": {"success": 1}}},
    "instances": [["partition_ready", None, {"state": "success", "try_number": 1}],
                  ["service_up", None, {"state": "success", "try_number": 1}]],
    "xcom": [["partition_ready", None, "orders@3"], ["report", None, "loaded orders@3"]],
}
