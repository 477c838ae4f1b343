"""A branch that returns the id of a mapped task group follows the group's root tasks
(Airflow 2.10 BranchMixIn._expand_task_group_roots: a returned id in dag.task_group_dict is
replaced by [root.task_id for root in tg.roots]), so every index of the group runs, and the other
direct downstream task is skipped.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task.branch
def choose():
    return "per_item"


@task
def prepare(x):
    return x * 10


@task
def finish(v):
    return v + 1


@task
def other():
    return "other"


@task_group
def per_item(x):
    return finish(prepare(x))


@dag(dag_id="branch_to_mapped_group_id", schedule=None, start_date=datetime(2022, 1, 1))
def branch_to_mapped_group_id():
    choose() >> [per_item.expand(x=[1, 2, 3]), other()]


branch_to_mapped_group_id()

EXPECTED = {
    "state": "success",
    "tasks": {
        "per_item.prepare": {"map_count": 3, "states": {"success": 3}},
        "per_item.finish": {"map_count": 3, "states": {"success": 3}},
        "other": {"states": {"skipped": 1}},
    },
    "xcom": [["per_item.finish", 2, 31]],
}
