"""expand_kwargs() on a task group whose function takes **kwargs is refused when the file loads.

Airflow 2.10, _TaskGroupFactory.expand_kwargs (airflow/decorators/task_group.py):
``raise TypeError("calling expand_kwargs() on task group function with * or ** is not supported")``.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def show(v):
    return v


@task_group
def grp(**kwargs):
    return show(kwargs["a"])


@dag(dag_id="grp_expand_kwargs_varkw", schedule=None, start_date=datetime(2022, 1, 1))
def grp_expand_kwargs_varkw():
    grp.expand_kwargs([{"a": 1}, {"a": 2}])


grp_expand_kwargs_varkw()

EXPECTED = {"exit": 2, "stderr_contains": ["expand_kwargs", "**"]}
