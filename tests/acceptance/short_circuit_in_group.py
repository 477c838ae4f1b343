"""apache/airflow#48845 (related: #43883, PR #44925): @task.short_circuit inside a mapped task group
skips downstream only in its own index.

check(val) is True only for val == 2; the short-circuit task skips `after` in indices 0 and 1
and lets it run in index 2 (the bug skipped `after` in every index). The run succeeds.
"""
from datetime import datetime

from orchestrator import dag, task, task_group
from orchestrator.operators import EmptyOperator


@task
def check(val):
    return val == 2


@task.short_circuit
def gate(flag):
    return flag


@task_group
def per_value(val):
    gate(check(val)) >> EmptyOperator(task_id="after")


@dag(dag_id="short_circuit_in_group", schedule=None, start_date=datetime(2022, 1, 1))
def short_circuit_in_group():
    per_value.expand(val=[0, 1, 2])


short_circuit_in_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "per_value.gate": {"map_count": 3, "states": {"success": 3}},
        "per_value.after": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
    },
    "instances": [["per_value.after", 2, {"state": "success"}], ["per_value.after", 0, {"state": "skipped"}]],
}
