"""A mapped short-circuit outside a task group (default ignore_downstream_trigger_rules=True):
index i being false skips index i of its mapped direct downstream task. Further on, as in Airflow
(SkipMixin skips the instances at the short-circuit's map_index that exist when it runs), a map
over the partly skipped map's results is expanded later over the values pushed (2 here) and not
skipped by index, and the unmapped reduce runs by its trigger rule.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task.short_circuit
def is_valid(record):
    return record >= 0


@task
def clean(record):
    return record * 2


@task(trigger_rule=TriggerRule.ALL_DONE)
def store(value):
    return value


@task(trigger_rule=TriggerRule.NONE_FAILED)
def total(values):
    return sum(values)


@dag(dag_id="mapped_short_circuit", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_short_circuit():
    records = [1, -1, 3]
    cleaned = clean.expand(record=records)
    is_valid.expand(record=records) >> cleaned
    total(store.expand(value=cleaned))


mapped_short_circuit()

EXPECTED = {
    "state": "success",
    "tasks": {
        "is_valid": {"map_count": 3, "states": {"success": 3}},
        "clean": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "store": {"map_count": 2, "states": {"success": 2}},
        "total": {"states": {"success": 1}},
    },
    "xcom": [["total", None, 8], ["clean", 2, 6]],
}
