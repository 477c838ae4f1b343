"""A @task_group function expanded twice in one DAG: the second group gets a suffixed id (grp__1),
its tasks grp__1.show, each map independent.

Airflow 2.10: _TaskGroupFactory._create_task_group builds the group with
``add_suffix_on_collision=True`` (airflow/decorators/task_group.py); TaskGroup.__init__ then appends
``__1``, ``__2``... to a group_id already used (airflow/utils/task_group.py).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def show(x):
    return x


@task_group
def grp(x):
    return show(x)


@dag(dag_id="group_used_twice", schedule=None, start_date=datetime(2022, 1, 1))
def group_used_twice():
    grp.expand(x=[1, 2])
    grp.expand(x=[10, 20, 30])


group_used_twice()

EXPECTED = {
    "state": "success",
    "tasks": {"grp.show": {"map_count": 2}, "grp__1.show": {"map_count": 3}},
    "xcom": [["grp__1.show", 2, 30]],
}
