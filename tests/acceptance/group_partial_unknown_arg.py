"""A task group's partial() with a name its function does not take is refused, naming it.

Airflow 2.10, _TaskGroupFactory.partial: ``self._validate_arg_names("partial", kwargs)`` ->
TypeError "partial() got an unexpected keyword argument 'zzz'" (airflow/decorators/task_group.py,
airflow/decorators/base.py).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def show(x):
    return x


@task_group
def grp(x):
    return show(x)


@dag(dag_id="group_partial_unknown_arg", schedule=None, start_date=datetime(2022, 1, 1))
def group_partial_unknown_arg():
    grp.partial(zzz=0).expand(x=[1, 2])


group_partial_unknown_arg()

EXPECTED = {"exit": 2, "stderr_contains": ["unexpected", "zzz"]}
