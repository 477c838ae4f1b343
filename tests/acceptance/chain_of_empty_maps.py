"""A chain of empty maps: every mapped task is skipped, the reduce with all_done gets [], run success."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def nothing() -> list:
    return []


@task
def first(x):
    return x


@task
def second(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def count(values) -> int:
    assert values is not None
    return len(values)


@dag(dag_id="chain_of_empty_maps", schedule=None, start_date=datetime(2022, 1, 1))
def chain_of_empty_maps():
    count(second.expand(x=first.expand(x=nothing())))


chain_of_empty_maps()

EXPECTED = {
    "state": "success",
    "tasks": {
        "first": {"map_count": 0, "states": {"skipped": 1}},
        "second": {"map_count": 0, "states": {"skipped": 1}},
        "count": {"states": {"success": 1}},
    },
    "xcom": [["count", None, 0]],
}
