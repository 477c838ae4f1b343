"""apache/airflow#30883 (and #67265, PR #70926): a branch task inside a mapped task group skips only
the unchosen branch of its own index.

choose(x) follows branch_a for odd x and branch_b for even x; each index keeps its own choice
(the bug skipped a branch in every index, or ran both).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task.branch
def choose(x):
    return "fork.branch_a" if x % 2 else "fork.branch_b"


@task
def branch_a():
    return "a"


@task
def branch_b():
    return "b"


@task_group
def fork(x):
    choose(x) >> [branch_a(), branch_b()]


@dag(dag_id="branch_in_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def branch_in_mapped_group():
    fork.expand(x=[1, 2, 3])


branch_in_mapped_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "fork.choose": {"map_count": 3, "states": {"success": 3}},
        "fork.branch_a": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "fork.branch_b": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
    },
    "instances": [["fork.branch_a", 1, {"state": "skipped"}], ["fork.branch_b", 1, {"state": "success"}]],
}
