"""Operator arguments of a mapped @task go through .override() (partial() takes function
arguments only, as in Airflow): retries, retry_delay and trigger_rule. Each index retries on its
own (try_number 2); the all_done leaf succeeds, so the run is success although an upstream index
failed (Airflow decides a run by its leaves)."""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task
def fails_first(x):
    if x == 1:
        raise ValueError("boom")
    return x


@task
def flaky(x):
    if get_current_context()["ti"].try_number == 1:
        raise ValueError("first try")
    return x


@dag(dag_id="override_mapped_retries", schedule=None, start_date=datetime(2022, 1, 1))
def override_mapped_retries():
    upstream = fails_first.expand(x=[0, 1])
    retried = flaky.override(retries=1, retry_delay=timedelta(seconds=0), trigger_rule="all_done").expand(x=[5, 6])
    upstream >> retried


override_mapped_retries()

EXPECTED = {
    "state": "success",
    "tasks": {
        "fails_first": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "flaky": {"map_count": 2, "states": {"success": 2}},
    },
    "instances": [["flaky", 0, {"try_number": 2}], ["flaky", 1, {"try_number": 2}]],
    "xcom": [["flaky", 1, 6]],
}
