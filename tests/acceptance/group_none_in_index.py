"""Inside a mapped task group, a task returning None for one index pushes nothing; the next task
of that index receives None (not another index's value, not an error); a reduce outside the group
over the first task gets only the pushed values.

Airflow 2.10: _execute_task pushes only ``if xcom_value is not None`` (airflow/models/taskinstance.py);
PlainXComArg.resolve (airflow/models/xcom_arg.py) pulls ``map_indexes=`` the same index (same mapped
group) with default=NOTSET and, nothing found for the return key, returns None.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def maybe(x):
    return None if x == 2 else x * 10


@task
def describe(v):
    return "none" if v is None else f"got {v}"


@task
def collect(values):
    return list(values)


@task_group
def grp(x):
    m = maybe(x)
    describe(m)
    return m


@dag(dag_id="group_none_in_index", schedule=None, start_date=datetime(2022, 1, 1))
def group_none_in_index():
    collect(grp.expand(x=[1, 2, 3]))


group_none_in_index()

EXPECTED = {
    "state": "success",
    "tasks": {"grp.describe": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["grp.describe", 0, "got 10"], ["grp.describe", 1, "none"], ["grp.describe", 2, "got 30"],
             ["collect", None, [10, 30]]],
}
