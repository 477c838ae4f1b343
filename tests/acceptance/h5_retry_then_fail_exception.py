"""A normal failure retries; AirflowFailException on the second try ends the index at try 2 despite retries left."""
from datetime import datetime, timedelta

from orchestrator import AirflowFailException, TriggerRule, dag, get_current_context, task


@task(retries=3, retry_delay=timedelta(seconds=0))
def check(x: int) -> int:
    ti = get_current_context()["ti"]
    if x == 1:
        if ti.try_number == 1:
            raise RuntimeError("transient")
        raise AirflowFailException("permanent after " + str(ti.try_number))
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="h5_retry_then_fail_exception", schedule=None, start_date=datetime(2022, 1, 1))
def h5_retry_then_fail_exception():
    collect(check.expand(x=[0, 1, 2]))


h5_retry_then_fail_exception()

EXPECTED = {
    "state": "success",
    "tasks": {"check": {"map_count": 3, "states": {"success": 2, "failed": 1}}},
    "instances": [["check", 1, {"state": "failed", "try_number": 2, "error_contains": "permanent after 2"}],
                  ["check", 0, {"state": "success", "try_number": 1}]],
    "xcom": [["collect", None, [0, 2]]],
}
