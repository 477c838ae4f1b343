"""A task group's partial() called twice with the same argument is refused when the file loads.

Airflow 2.10, _TaskGroupFactory.partial (airflow/decorators/task_group.py):
``prevent_duplicates(self.partial_kwargs, kwargs, fail_reason="duplicate partial")`` -> TypeError
"duplicate partial argument: factor".
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def scale(factor, x):
    return factor * x


@task_group
def grp(factor, x):
    return scale(factor, x)


@dag(dag_id="group_partial_twice_duplicate", schedule=None, start_date=datetime(2022, 1, 1))
def group_partial_twice_duplicate():
    grp.partial(factor=2).partial(factor=3).expand(x=[1, 2])


group_partial_twice_duplicate()

EXPECTED = {"exit": 2, "stderr_contains": ["partial", "factor"]}
