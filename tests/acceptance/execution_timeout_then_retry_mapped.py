"""execution_timeout from default_args on a mapped task, with retries: a try that times out is
retried like any failure (Airflow raises ``AirflowTaskTimeout``, an ``AirflowException``, which
``handle_failure`` turns into ``up_for_retry`` while tries are left -- only ``AirflowFailException`` and
a sensor's ``AirflowSensorTimeout`` skip the retries). Index 1 is slow on its first try only and
succeeds on the second; index 2 is always slow and fails after its two tries; index 0 is fast.
The reduce (all_done) gets the two values, in map order."""
import time
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, get_current_context, task


@task
def work(x: int) -> int:
    try_number = get_current_context()["ti"].try_number
    if x == 2 or (x == 1 and try_number == 1):
        for _ in range(50):  # 5 s in short sleeps, far over the 1 s timeout
            time.sleep(0.1)
    return x * 10 + try_number


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="execution_timeout_then_retry_mapped", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"execution_timeout": timedelta(seconds=1), "retries": 1, "retry_delay": timedelta(seconds=0)})
def execution_timeout_then_retry_mapped():
    collect(work.expand(x=[0, 1, 2]))


execution_timeout_then_retry_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"work": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "instances": [
        ["work", 0, {"state": "success", "try_number": 1}],
        ["work", 1, {"state": "success", "try_number": 2}],
        ["work", 2, {"state": "failed", "try_number": 2, "error_contains": "timeout"}],
    ],
    "xcom": [["work", 1, 12], ["collect", None, [1, 12]]],
}
