"""A mapped task group given the same argument in partial() and expand() is refused when the file
loads, in one line naming it.

Airflow 2.10, _TaskGroupFactory.expand (airflow/decorators/task_group.py):
``prevent_duplicates(self.partial_kwargs, kwargs, fail_reason="mapping already partial")`` ->
TypeError "mapping already partial argument: x".
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def show(x):
    return x


@task_group
def grp(x):
    return show(x)


@dag(dag_id="group_partial_and_expand_same_arg", schedule=None, start_date=datetime(2022, 1, 1))
def group_partial_and_expand_same_arg():
    grp.partial(x=0).expand(x=[1, 2])


group_partial_and_expand_same_arg()

EXPECTED = {"exit": 2, "stderr_contains": ["partial()", "'x'"]}
