"""Bad input: expand() with no arguments. Airflow decorators/base.py _TaskDecorator.expand:
`if not map_kwargs: raise TypeError("no arguments to expand against")`."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x=1):
    return x


@dag(dag_id="up_expand_no_arguments", schedule=None, start_date=datetime(2022, 1, 1))
def up_expand_no_arguments():
    echo.expand()


up_expand_no_arguments()

EXPECTED = {"exit": 2, "stderr_contains": "expand"}
