"""Map of map of map: second stage exhausts its retries on one index; an all_done third stage maps over
the pushed results; an all_success third stage is upstream_failed; the reduce collects in index order."""
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task


@task
def first(x: int) -> int:
    return x + 1


@task(retries=1, retry_delay=timedelta(seconds=0))
def second(x: int) -> int:
    if x == 2:
        raise ValueError("bad two")
    return x * 10


@task(trigger_rule=TriggerRule.ALL_DONE)
def third_tolerant(x: int) -> int:
    return x + 5


@task
def third_strict(x: int) -> int:
    return x


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="h5_mom_retry_fail_chain", schedule=None, start_date=datetime(2022, 1, 1))
def h5_mom_retry_fail_chain():
    s = second.expand(x=first.expand(x=[0, 1, 2]))
    collect(third_tolerant.expand(x=s))
    third_strict.expand(x=s)


h5_mom_retry_fail_chain()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "first": {"map_count": 3, "states": {"success": 3}},
        "second": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "third_tolerant": {"map_count": 2, "states": {"success": 2}},
        "third_strict": {"states": {"upstream_failed": 1}},
        "collect": {"states": {"success": 1}},
    },
    "instances": [["second", 1, {"state": "failed", "try_number": 2, "error_contains": "bad two"}]],
    "xcom": [["collect", None, [15, 35]], ["third_tolerant", 1, 35]],
}
