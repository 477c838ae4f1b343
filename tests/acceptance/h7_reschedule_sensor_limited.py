"""A mapped reschedule-mode sensor with max_active_tis_per_dagrun=2 over 4 indexes, each done at
its second poke: all succeed at try 1 (a reschedule does not consume a try:
AirflowRescheduleException in _run_raw_task sets up_for_reschedule without touching try_number),
and the PokeReturnValue xcom_value of each index reaches the reduce."""
import os
import tempfile
from datetime import datetime

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue


@task.sensor(mode="reschedule", poke_interval=0.2, timeout=60, max_active_tis_per_dagrun=2)
def ready(x: int) -> PokeReturnValue:
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"h7-resched-{ti.run_id}-{ti.map_index}".replace(":", "_"))
    n = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    with open(path, "w") as fh:
        fh.write(str(n))
    return PokeReturnValue(is_done=n >= 2, xcom_value=x * 10 + n)


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="h7_reschedule_sensor_limited", schedule=None, start_date=datetime(2022, 1, 1))
def h7_reschedule_sensor_limited():
    collect(ready.expand(x=[1, 2, 3, 4]))


h7_reschedule_sensor_limited()

EXPECTED = {
    "state": "success",
    "tasks": {"ready": {"map_count": 4, "states": {"success": 4}}},
    "instances": [["ready", 3, {"state": "success", "try_number": 1}]],
    "xcom": [["collect", None, [12, 22, 32, 42]]],
}
