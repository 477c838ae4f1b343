"""partial() of a @task takes the function's arguments only (Airflow: "partial() got an
unexpected keyword argument"): an operator argument there is refused when the file is read,
naming it, and no run is created."""
from datetime import datetime

from orchestrator import dag, task


@task
def work(x):
    return x


@dag(dag_id="partial_operator_argument", schedule=None, start_date=datetime(2022, 1, 1))
def partial_operator_argument():
    work.partial(retries=1).expand(x=[1, 2])


partial_operator_argument()

EXPECTED = {"exit": 2, "stderr_contains": "partial retries"}
