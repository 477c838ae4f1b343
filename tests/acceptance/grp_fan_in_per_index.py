"""Inside a mapped task group two tasks fan in per index (c = add(a(x), b(x)) gets index i's a and
b, not all of them); a task outside the group given the inner tasks' outputs gets every index's
values, in map-index order.

Airflow 2.10: TaskInstance.get_relevant_upstream_map_indexes (airflow/models/taskinstance.py):
an upstream in the same mapped task group resolves to the current map index; a task outside every
mapped group gets the whole (None: all indices) value -- a LazyXComSelectSequence.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def double(x):
    return x * 2


@task
def square(x):
    return x * x


@task
def add(a, b):
    return [a, b, a + b]


@task
def outside(doubles, sums):
    return {"doubles": list(doubles), "sums": list(sums)}


@dag(dag_id="grp_fan_in_per_index", schedule=None, start_date=datetime(2022, 1, 1))
def grp_fan_in_per_index():
    results = []

    @task_group
    def grp2(x):
        d = double.override(task_id="d")(x)
        s = add.override(task_id="s")(d, square.override(task_id="q")(x))
        results.append((d, s))
        return s

    grp2.expand(x=[1, 2, 3])
    d, s = results[0]
    outside(d, s)


grp_fan_in_per_index()

EXPECTED = {
    "state": "success",
    "tasks": {"grp2.s": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["grp2.s", 0, [2, 1, 3]], ["grp2.s", 2, [6, 9, 15]],
             ["outside", None, {"doubles": [2, 4, 6], "sums": [[2, 1, 3], [4, 4, 8], [6, 9, 15]]}]],
}
