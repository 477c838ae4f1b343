"""apache/airflow#49376: a task group mapped with expand_kwargs uses the group function's default
for a parameter the dicts leave out.

Each dict gives `first` and `third` only; `second` has a default in the group's signature, so every
instance runs with second="default" (the bug failed rendering op_kwargs with a KeyError).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def combine(*, first: str, second: str = "default", third: int):
    return f"{first}-{second}-{third}"


@task_group
def grouped(*, first: str, second: str = "default", third: int):
    return combine(first=first, second=second, third=third)


@dag(dag_id="group_expand_kwargs_defaults", schedule=None, start_date=datetime(2022, 1, 1))
def group_expand_kwargs_defaults():
    grouped.expand_kwargs([{"first": "a", "third": 1}, {"first": "b", "third": 2, "second": "given"}])


group_expand_kwargs_defaults()

EXPECTED = {
    "state": "success",
    "tasks": {"grouped.combine": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["grouped.combine", 0, "a-default-1"], ["grouped.combine", 1, "b-given-2"]],
}
