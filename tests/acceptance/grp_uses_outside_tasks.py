"""A task inside a mapped task group may use unmapped tasks outside the group: an output given
through partial(), and another one the group function reads from its enclosing scope. Both are
upstream of the group's tasks and every index receives the whole value.

Airflow 2.10: _TaskGroupFactory.partial keeps the XComArg as a plain argument of the group
function (airflow/decorators/task_group.py); the task built with it depends on that task
(XComArg.apply_upstream_relationship) and, its upstream being in no mapped group,
get_relevant_upstream_map_indexes returns None: the whole value (airflow/models/taskinstance.py).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def config():
    return {"factor": 10}


@task
def offset():
    return 5


@task
def compute(x, cfg, off):
    return x * cfg["factor"] + off


@task
def collect(values):
    return list(values)


@dag(dag_id="grp_uses_outside_tasks", schedule=None, start_date=datetime(2022, 1, 1))
def grp_uses_outside_tasks():
    off = offset()

    @task_group
    def grp(x, cfg):
        return compute(x, cfg, off)

    collect(grp.partial(cfg=config()).expand(x=[1, 2, 3]))


grp_uses_outside_tasks()

EXPECTED = {
    "state": "success",
    "tasks": {"grp.compute": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["grp.compute", 2, 35], ["collect", None, [15, 25, 35]]],
}
