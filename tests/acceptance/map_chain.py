"""XComArg.map() chained twice: an expand() over out.map(f).map(g) applies f then g to each
element; a task given the chain whole receives every mapped element.

Airflow 2.10, MapXComArg.map (airflow/models/xcom_arg.py): ``return MapXComArg(self.arg,
[*self.callables, f])`` -- the callables applied in order by _MapResult.__getitem__ / __iter__.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def numbers():
    return [1, 2, 3]


@task
def show(v):
    return v


@task
def collect(values):
    return list(values)


def plus_one(v):
    return v + 1


def times_ten(v):
    return v * 10


@dag(dag_id="map_chain", schedule=None, start_date=datetime(2022, 1, 1))
def map_chain():
    chained = numbers().map(plus_one).map(times_ten)
    show.expand(v=chained)
    collect(chained)


map_chain()

EXPECTED = {
    "state": "success",
    "tasks": {"show": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["show", 2, 40], ["collect", None, [20, 30, 40]]],
}
