"""A mapped sensor in reschedule mode: each index gives its worker slot back between pokes
(up_for_reschedule), is poked again in the same try (a reschedule does not consume a try, as in
Airflow), ends when its own condition holds, and its XCom reaches a reduce in map order."""
import os
import tempfile
from datetime import datetime

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue


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


@task.sensor(mode="reschedule", poke_interval=0.5, timeout=120, retries=2)
def landed(pokes_needed: int) -> PokeReturnValue:
    count = poke_count(pokes_needed)
    return PokeReturnValue(is_done=count >= pokes_needed, xcom_value=count)


@task
def total(counts) -> list:
    return list(counts)


@dag(dag_id="sensor_reschedule_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def sensor_reschedule_mapped():
    total(landed.expand(pokes_needed=[1, 3, 2, 4]))


sensor_reschedule_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"landed": {"map_count": 4, "states": {"success": 4}}, "total": {"states": {"success": 1}}},
    "instances": [["landed", 1, {"state": "success", "try_number": 1}],
                  ["landed", 3, {"state": "success", "try_number": 1}]],
    "xcom": [["landed", 3, 4], ["total", None, [1, 3, 2, 4]]],
}
