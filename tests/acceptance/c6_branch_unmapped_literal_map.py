"""An UNMAPPED branch whose direct downstream tasks are mapped: the task it did not follow is
skipped in every index, a map over literals included -- what the rule means, and what Airflow 3
does (apache/airflow#62118, PR #62287: "unmapped parent -> mapped child must use -1"). Airflow
2.10.5's SkipMixin._skip_all_except (models/skipmixin.py) looks up only the instance at the
branch's map_index (-1), which a map over literals does not have, and lets `other` run: a bug
Chordflow does not copy (README, Branching: differences). A map over a task's output, unexpanded
when the branch ends, is skipped in both (map_count 0).
"""
from datetime import datetime

from orchestrator import dag, task


@task
def src():
    return [7, 8]


@task.branch
def route():
    return "chosen"


@task
def chosen(x):
    return x


@task
def other(x):
    return x * 10


@task
def later(x):
    return x


@dag(dag_id="c6_branch_unmapped_literal_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_branch_unmapped_literal_map():
    s = src()
    r = route()
    s >> r
    r >> [chosen.expand(x=[1, 2]), other.expand(x=[1, 2]), later.expand(x=s)]


c6_branch_unmapped_literal_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "chosen": {"map_count": 2, "states": {"success": 2}},
        "other": {"map_count": 2, "states": {"skipped": 2}},
        "later": {"map_count": 0, "states": {"skipped": 1}},
    },
}
