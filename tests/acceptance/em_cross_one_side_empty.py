"""Variant of empty_map x cross_product: a cross product where one side (an upstream output) is
empty. Airflow: get_total_map_length = product of lengths = 3 * 0 = 0 -> skipped; all_done reduce
gets an empty sequence."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def nothing() -> list:
    return []


@task
def add(x, y):
    return x + y


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="em_cross_one_side_empty", schedule=None, start_date=datetime(2022, 1, 1))
def em_cross_one_side_empty():
    tolerant(add.expand(x=[1, 2, 3], y=nothing()))


em_cross_one_side_empty()

EXPECTED = {
    "state": "success",
    "tasks": {
        "add": {"map_count": 0, "states": {"skipped": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, []]],
}
