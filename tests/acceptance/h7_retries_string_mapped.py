"""`retries` given as a numeric string is converted, not refused: Airflow's
_TaskDecorator._expand (airflow/decorators/base.py) calls parse_retries
(airflow/models/baseoperator.py), which returns int("1") after logging "Implicitly converting
'retries' from '1' to int". retry_delay given as plain seconds (0) is coerced by coerce_timedelta.
Index 1 fails its first try and succeeds on the retry."""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task(retries="1", retry_delay=0)
def flaky(x: int) -> int:
    if x == 1 and get_current_context()["ti"].try_number == 1:
        raise ValueError("first try")
    return x


@dag(dag_id="h7_retries_string_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_retries_string_mapped():
    flaky.expand(x=[0, 1])


h7_retries_string_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"flaky": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["flaky", 1, {"state": "success", "try_number": 2}]],
}
