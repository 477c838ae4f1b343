"""expand() with no argument at all is refused when the file loads, saying so.

Airflow 2.10, _TaskDecorator.expand (airflow/decorators/base.py): ``if not map_kwargs: raise
TypeError("no arguments to expand against")`` -- before any check of the function's parameters.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def double(x):
    return 2 * x


@dag(dag_id="expand_no_args", schedule=None, start_date=datetime(2022, 1, 1))
def expand_no_args():
    double.expand()


expand_no_args()

EXPECTED = {"exit": 2, "stderr_contains": ["expand()", "argument"]}
