"""What a task returns may be any ordered collection but text, as in Airflow: a reduce that
returns the lazy sequence it was handed, and a range, are mapped over downstream and read back as
lists."""
from datetime import datetime

from orchestrator import dag, task


@task
def square(x):
    return x * x


@task
def echo(values):
    return values


@task
def plus_one(x):
    return x + 1


@task
def count_to_three():
    return range(1, 4)


@dag(dag_id="sequences_passed_on", schedule=None, start_date=datetime(2022, 1, 1))
def sequences_passed_on():
    echoed = echo(square.expand(x=count_to_three()))
    plus_one.expand(x=echoed)


sequences_passed_on()

EXPECTED = {
    "state": "success",
    "tasks": {
        "square": {"map_count": 3, "states": {"success": 3}},
        "plus_one": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["count_to_three", None, [1, 2, 3]], ["echo", None, [1, 4, 9]], ["plus_one", 2, 10]],
}
