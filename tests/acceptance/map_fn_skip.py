"""A function given to XComArg.map may skip one element: that instance ends skipped (as Airflow's
AirflowSkipException raised in the map function)."""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task


@task
def numbers() -> list:
    return [1, 2, 3]


def only_odd(n):
    if n % 2 == 0:
        raise AirflowSkipException(f"{n} is even")
    return n * 10


@task
def show(value):
    return value


@task(trigger_rule="none_failed")
def total(values):
    return sum(values)


@dag(dag_id="map_fn_skip", schedule=None, start_date=datetime(2022, 1, 1))
def map_fn_skip():
    total(show.expand(value=numbers().map(only_odd)))


map_fn_skip()

EXPECTED = {
    "state": "success",
    "tasks": {"show": {"map_count": 3, "states": {"success": 2, "skipped": 1}}},
    "xcom": [["total", None, 40], ["show", 2, 30]],
    "instances": [["show", 1, {"state": "skipped"}]],
}
