"""A mapped branch whose direct downstream tasks map over the output of a task upstream of the
branch (so they are expanded only after the branch instances ended): index i's decision still
skips index i of the expanded direct downstream.

Airflow 2.10.5: while route[i] runs, `a`/`b` only have their unexpanded -1 instance, so
SkipMixin._skip_all_except (models/skipmixin.py) finds no instance at map_index i and only pushes
``{"followed": [...]}`` at map_index i. DagRun._get_ready_tis (models/dagrun.py) expands a/b once
their trigger rule passes, appends the new instances to ``additional_tis`` and checks
are_dependencies_met on each: ti_deps/deps/not_previously_skipped_dep.py reads route's decision
with ``map_indexes=ti.map_index`` -> a[i] / b[i] not followed -> ``ti.set_state(SKIPPED)``.
route(n) follows "a" for even n, "b" for odd n. Run success.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def src():
    return [10, 11, 12]


@task.branch
def route(n):
    return "a" if n % 2 == 0 else "b"


@task
def a(v):
    return f"a{v}"


@task
def b(v):
    return f"b{v}"


@dag(dag_id="c6_mapped_branch_direct_child_over_output", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mapped_branch_direct_child_over_output():
    s = src()
    r = route.expand(n=[0, 1, 2])
    s >> r
    r >> [a.expand(v=s), b.expand(v=s)]


c6_mapped_branch_direct_child_over_output()

EXPECTED = {
    "state": "success",
    "tasks": {
        "route": {"map_count": 3, "states": {"success": 3}},
        "a": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "b": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
    },
    "instances": [["a", 1, {"state": "skipped"}], ["b", 1, {"state": "success"}]],
    "xcom": [["a", 2, "a12"], ["b", 1, "b11"]],
}
