"""Variant of bad_conf: a --logical-date that is no date -> exit 2, naming the date, no run
(Airflow CLI `dags trigger -e notadate`: timezone.parse fails before a run exists)."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x):
    return x


@dag(dag_id="bc_bad_logical_date", schedule=None, start_date=datetime(2022, 1, 1))
def bc_bad_logical_date():
    echo.expand(x=[1, 2])


bc_bad_logical_date()

EXPECTED = {"exit": 2, "run_args": ["--logical-date", "notadate"], "stderr_contains": "date"}
