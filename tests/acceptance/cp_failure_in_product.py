"""Variant of cross_product x partial_failure: one combination fails (x=4, y=5 -> index 2); an all_done
reduce gets the other five in map_index order; an all_success one is upstream_failed."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def add(x: int, y: int) -> int:
    if (x, y) == (4, 5):
        raise ValueError("4+5 not allowed")
    return x + y


@task
def strict(values) -> list:
    return list(values)


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="cp_failure_in_product", schedule=None, start_date=datetime(2022, 1, 1))
def cp_failure_in_product():
    added = add.expand(x=[2, 4, 8], y=[5, 10])
    strict(added)
    tolerant(added)


cp_failure_in_product()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "add": {"map_count": 6, "states": {"success": 5, "failed": 1}},
        "strict": {"states": {"upstream_failed": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, [7, 12, 14, 13, 18]]],
    "instances": [["add", 2, {"state": "failed", "error_contains": "4+5"}]],
}
