"""Variant of empty_map: a literal empty list. Airflow: expandinput.py
DictOfListsExpandInput.get_parse_time_mapped_ti_count -> 0; the mapped task is skipped; none_failed
downstream runs (skips are not failures), one_success downstream is skipped (all upstream skipped)."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def process(x):
    return x


@task(trigger_rule=TriggerRule.NONE_FAILED)
def after() -> str:
    return "ran"


@task(trigger_rule=TriggerRule.ONE_SUCCESS)
def one() -> str:
    return "ran"


@dag(dag_id="em_literal_empty_list", schedule=None, start_date=datetime(2022, 1, 1))
def em_literal_empty_list():
    p = process.expand(x=[])
    p >> after()
    p >> one()


em_literal_empty_list()

EXPECTED = {
    "state": "success",
    "tasks": {
        "process": {"map_count": 0, "states": {"skipped": 1}},
        "after": {"states": {"success": 1}},
        "one": {"states": {"skipped": 1}},
    },
    "xcom": [["after", None, "ran"]],
}
