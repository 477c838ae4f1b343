"""A plain (unmapped) @task_group nested inside a mapped task group: its tasks are mapped with the
outer group (ids outer.inner.t), each index runs its own chain, and a reduce outside gets every
index's value in map-index order.

Airflow 2.10: TaskGroup.child_id prefixes the parent's group id; tasks inside any mapped ancestor
are expanded by MappedTaskGroup.get_mapped_ti_count over iter_mapped_task_groups()
(airflow/utils/task_group.py); TaskInstance.get_relevant_upstream_map_indexes resolves an upstream
in the same mapped group to the same map index (airflow/models/taskinstance.py).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def plus_ten(x):
    return x + 10


@task
def double(x):
    return x * 2


@task
def collect(values):
    return list(values)


@task_group
def inner(v):
    return double(plus_ten(v))


@task_group
def outer(x):
    return inner(x)


@dag(dag_id="grp_nested_group", schedule=None, start_date=datetime(2022, 1, 1))
def grp_nested_group():
    collect(outer.expand(x=[1, 2, 3]))


grp_nested_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "outer.inner.plus_ten": {"map_count": 3, "states": {"success": 3}},
        "outer.inner.double": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["outer.inner.double", 1, 24], ["collect", None, [22, 24, 26]]],
}
