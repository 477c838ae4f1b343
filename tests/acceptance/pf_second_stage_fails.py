"""Variant of partial_failure: the failure is in a map over a map (N -> N). The first stage all
succeeds; index 2 of the second stage fails; an all_done reduce gets the other 3 in order, an
all_success one is upstream_failed. Airflow: a mapped upstream's length is the number of XComs pushed
(xcom_arg.py PlainXComArg.get_task_map_length)."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def double(x: int) -> int:
    return 2 * x


@task
def check(v: int) -> int:
    if v == 6:
        raise ValueError("six is bad")
    return v + 1


@task
def strict(values) -> int:
    return sum(values)


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="pf_second_stage_fails", schedule=None, start_date=datetime(2022, 1, 1))
def pf_second_stage_fails():
    checked = check.expand(v=double.expand(x=[1, 2, 3, 4]))
    strict(checked)
    tolerant(checked)


pf_second_stage_fails()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "double": {"map_count": 4, "states": {"success": 4}},
        "check": {"map_count": 4, "states": {"success": 3, "failed": 1}},
        "strict": {"states": {"upstream_failed": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, [3, 5, 9]]],
    "instances": [["check", 2, {"state": "failed", "error_contains": "six is bad"}]],
}
