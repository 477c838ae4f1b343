"""A DAG file that raises on import is refused (exit 2), naming the error, leaving no run."""
from datetime import datetime

from orchestrator import dag, task

SETTINGS = {}


@task
def echo(x):
    return x


@dag(dag_id="import_error", schedule=None, start_date=datetime(2022, 1, 1))
def import_error():
    echo.expand(x=SETTINGS["inputs"])


import_error()

EXPECTED = {"exit": 2, "stderr_contains": "KeyError inputs"}
