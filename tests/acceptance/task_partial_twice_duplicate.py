"""partial() called twice with the same argument is refused when the file loads, naming it.

Airflow 2.10, _TaskDecorator.partial: ``prevent_duplicates(old_kwargs, kwargs,
fail_reason="duplicate partial")`` -> TypeError "duplicate partial argument: factor"
(airflow/decorators/base.py, airflow/utils/helpers.py).
"""
from datetime import datetime

from orchestrator import dag, task


@task
def scale(factor, x):
    return factor * x


@dag(dag_id="task_partial_twice_duplicate", schedule=None, start_date=datetime(2022, 1, 1))
def task_partial_twice_duplicate():
    scale.partial(factor=2).partial(factor=3).expand(x=[1, 2])


task_partial_twice_duplicate()

EXPECTED = {"exit": 2, "stderr_contains": ["partial", "factor"]}
