"""execution_timeout of a reschedule-mode sensor bounds each poke's run, not the time across
reschedules: BaseSensorOperator's docstring (airflow/sensors/base.py, `timeout`) -- "execution_timeout
checks the **running** time of the task (leaving out any reschedule delay)"; each reschedule is a new
_run_raw_task whose _execute_task wraps only that run in timeout(execution_timeout). Each index
is done at its 6th poke, 5 x 0.4 s = 2 s after its first, over the 1 s execution_timeout, while
each poke takes milliseconds: both succeed at try 1."""
import os
import tempfile
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task
from orchestrator.sensors import PokeReturnValue


@task.sensor(mode="reschedule", poke_interval=0.4, timeout=60, execution_timeout=timedelta(seconds=1),
             retries=1, retry_delay=timedelta(0))
def ready(x: int) -> PokeReturnValue:
    ti = get_current_context()["ti"]
    path = os.path.join(tempfile.gettempdir(), f"h7-retp-{ti.run_id}-{ti.map_index}".replace(":", "_"))
    n = (int(open(path).read()) if os.path.exists(path) else 0) + 1
    with open(path, "w") as fh:
        fh.write(str(n))
    return PokeReturnValue(is_done=n >= 6, xcom_value=f"{ti.try_number}:{n}")


@dag(dag_id="h7_reschedule_execution_timeout_per_poke", schedule=None, start_date=datetime(2022, 1, 1))
def h7_reschedule_execution_timeout_per_poke():
    ready.expand(x=[0, 1])


h7_reschedule_execution_timeout_per_poke()

EXPECTED = {
    "state": "success",
    "tasks": {"ready": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["ready", 0, {"state": "success", "try_number": 1}],
                  ["ready", 1, {"state": "success", "try_number": 1}]],
    "xcom": [["ready", 0, "1:6"], ["ready", 1, "1:6"]],
}
