"""partial() may be called twice on a @task: the arguments of both calls apply.

Airflow 2.10, _TaskDecorator.partial (airflow/decorators/base.py) returns a new _TaskDecorator
(``attr.evolve(self, kwargs={**self.kwargs, "op_kwargs": kwargs})`` with the old op_kwargs merged
in), which has partial() again.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def combine(a, b, x):
    return a + b + x


@task
def collect(values):
    return list(values)


@dag(dag_id="task_partial_twice", schedule=None, start_date=datetime(2022, 1, 1))
def task_partial_twice():
    collect(combine.partial(a=100).partial(b=10).expand(x=[1, 2]))


task_partial_twice()

EXPECTED = {"state": "success", "xcom": [["collect", None, [111, 112]]]}
