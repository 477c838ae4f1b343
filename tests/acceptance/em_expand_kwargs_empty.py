"""Variant of empty_map: expand_kwargs over an upstream's empty list. Airflow: ListOfDictsExpandInput
.get_total_map_length = the XComArg's length = 0 -> skipped; none_failed_min_one_success downstream
is skipped (all upstream skipped)."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def no_kwargs() -> list:
    return []


@task
def add(x: int, y: int) -> int:
    return x + y


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def join(values):
    return list(values)


@dag(dag_id="em_expand_kwargs_empty", schedule=None, start_date=datetime(2022, 1, 1))
def em_expand_kwargs_empty():
    join(add.expand_kwargs(no_kwargs()))


em_expand_kwargs_empty()

EXPECTED = {
    "state": "success",
    "tasks": {
        "add": {"map_count": 0, "states": {"skipped": 1}},
        "join": {"states": {"skipped": 1}},
    },
}
