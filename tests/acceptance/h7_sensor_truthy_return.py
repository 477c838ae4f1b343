"""A @task.sensor's poke may return any value: PythonSensor.poke (airflow/sensors/python.py, the
base of DecoratedSensorOperator) wraps a non-PokeReturnValue in PokeReturnValue(bool(value)), so a
truthy string is done and pushes nothing, an empty dict is not done; only a PokeReturnValue's
xcom_value is returned by BaseSensorOperator.execute and pushed. A reduce over the map sees the
one pushed value (indexes that pushed nothing are left out)."""
import os
import tempfile
from datetime import datetime

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue


def pokes() -> int:
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"h7-truthy-{ti.run_id}-{ti.map_index}".replace(":", "_"))
    n = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    with open(path, "w") as fh:
        fh.write(str(n))
    return n


@task.sensor(poke_interval=0.1, timeout=30)
def ready(kind: str):
    n = pokes()
    if kind == "str":
        return "yes"
    if kind == "dict":
        return {} if n < 3 else {"rows": n}
    return PokeReturnValue(is_done=n >= 2, xcom_value=n * 100)


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="h7_sensor_truthy_return", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_truthy_return():
    collect(ready.expand(kind=["str", "dict", "prv"]))


h7_sensor_truthy_return()

EXPECTED = {
    "state": "success",
    "tasks": {"ready": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["ready", 2, 200], ["collect", None, [200]]],
}
