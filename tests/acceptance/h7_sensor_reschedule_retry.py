"""A mapped sensor in reschedule mode whose poke raises on its first try (after one reschedule):
the error is retried (retries=1, try 2), while reschedules never consume a try
(_run_raw_task: AirflowRescheduleException -> _handle_reschedule keeps try_number; an ordinary
exception -> handle_failure -> up_for_retry). Index 1 ends at try 2 with its xcom_value."""
import os
import tempfile
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue


@task.sensor(mode="reschedule", poke_interval=0.2, timeout=60, retries=1, retry_delay=timedelta(0))
def ready(x: int) -> PokeReturnValue:
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"h7-rr-{ti.run_id}-{ti.map_index}".replace(":", "_"))
    n = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    with open(path, "w") as fh:
        fh.write(str(n))
    if x == 1 and ti.try_number == 1 and n == 2:
        raise ValueError("flaky")
    return PokeReturnValue(is_done=n >= 3, xcom_value=f"{ti.try_number}:{n}")


@dag(dag_id="h7_sensor_reschedule_retry", schedule=None, start_date=datetime(2022, 1, 1))
def h7_sensor_reschedule_retry():
    ready.expand(x=[0, 1])


h7_sensor_reschedule_retry()

EXPECTED = {
    "state": "success",
    "tasks": {"ready": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["ready", 0, {"state": "success", "try_number": 1}],
                  ["ready", 1, {"state": "success", "try_number": 2}]],
    "xcom": [["ready", 0, "1:3"], ["ready", 1, "2:3"]],
}
