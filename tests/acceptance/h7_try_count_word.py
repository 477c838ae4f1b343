"""`retries="two"` on a mapped @task is refused when the DAG file is parsed: parse_retries
(airflow/models/baseoperator.py, called from _TaskDecorator._expand) raises
AirflowException("'retries' type must be int, not str")."""
from datetime import datetime

from orchestrator import dag, task


@task(retries="two")
def work(x: int) -> int:
    return x


@dag(dag_id="h7_try_count_word", schedule=None, start_date=datetime(2022, 1, 1))
def h7_try_count_word():
    work.expand(x=[0, 1])


h7_try_count_word()

EXPECTED = {"exit": 2, "stderr_contains": "retries"}
