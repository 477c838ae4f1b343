"""A mapped task over ``zip()`` of two mapped tasks' outputs, then a reduce. Airflow 2.x:
``ZipXComArg.get_task_map_length`` is the shortest of its arguments' lengths (no fillvalue), a mapped
upstream's length being the number of XComs its instances pushed (``PlainXComArg.get_task_map_length``
counts ``XCom.map_index >= 0``); each instance gets the tuple at its index (``_ZipResult.__getitem__``),
whose elements are the upstreams' values in map-index order. Lengths 3 and 2 give 2 instances."""
from datetime import datetime

from orchestrator import dag, task


@task
def name(x: str) -> str:
    return x.upper()


@task
def size(n: int) -> int:
    return n * 100


@task
def combine(pair) -> str:
    label, amount = pair
    return f"{label}={amount}"


@task
def report(values) -> list:
    return list(values)


@dag(dag_id="zip_two_mapped_outputs_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def zip_two_mapped_outputs_mapped():
    names = name.expand(x=["a", "b", "c"])
    sizes = size.expand(n=[1, 2])
    report(combine.expand(pair=names.zip(sizes)))


zip_two_mapped_outputs_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"combine": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["combine", 0, "A=100"], ["combine", 1, "B=200"], ["report", None, ["A=100", "B=200"]]],
}
