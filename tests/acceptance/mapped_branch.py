"""A mapped branch task outside a task group, as in Airflow: index i's choice skips index i of a
mapped direct downstream (SkipMixin.skip_all_except looks the downstream instance up at the
branch's map_index; NotPreviouslySkippedDep reads a mapped parent's decision at the child's
map_index), and never an unmapped downstream, which its trigger rule alone decides.
"""
from datetime import datetime

from orchestrator import dag, task


@task.branch
def route(n):
    return "small" if n < 10 else "large"


@task
def small(n):
    return f"small {n}"


@task
def large(n):
    return f"large {n}"


@task
def summary():
    return "done"


@dag(dag_id="mapped_branch", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_branch():
    sizes = [5, 50, 7]
    route.expand(n=sizes) >> [small.expand(n=sizes), large.expand(n=sizes), summary()]


mapped_branch()

EXPECTED = {
    "state": "success",
    "tasks": {
        "route": {"map_count": 3, "states": {"success": 3}},
        "small": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "large": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
        "summary": {"states": {"success": 1}},
    },
    "instances": [["small", 1, {"state": "skipped"}], ["large", 1, {"state": "success"}]],
    "xcom": [["large", 1, "large 50"], ["small", 2, "small 7"], ["route", 0, "small"]],
}
