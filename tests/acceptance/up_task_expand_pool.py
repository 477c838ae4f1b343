"""Variant of unmappable_pool on a @task: expand(pool=...) is not a parameter of the function:
Airflow decorators/base.py _TaskDecorator._validate_arg_names -> TypeError "expand() got an unexpected
keyword argument 'pool'"."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x):
    return x


@dag(dag_id="up_task_expand_pool", schedule=None, start_date=datetime(2022, 1, 1))
def up_task_expand_pool():
    echo.expand(x=[1, 2], pool=["a", "b"])


up_task_expand_pool()

EXPECTED = {"exit": 2, "stderr_contains": "pool"}
