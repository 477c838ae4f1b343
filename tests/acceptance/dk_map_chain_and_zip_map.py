"""Variant of dict_kwargs_zip_map: .map(f).map(g) chained (MapXComArg.map flattens into one call chain,
applied in order), .map() over a zip, and a zip of three outputs with fillvalue. Airflow: xcom_arg.py
MapXComArg.map, _MapResult.__getitem__, _ZipResult (max length with fillvalue)."""
from datetime import datetime

from orchestrator import dag, task


@task
def numbers() -> list:
    return [1, 2, 3]


@task
def letters() -> list:
    return ["a", "b"]


@task
def flags() -> list:
    return [True]


@task
def identity(x):
    return x


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_map_chain_and_zip_map", schedule=None, start_date=datetime(2022, 1, 1))
def dk_map_chain_and_zip_map():
    n, let, f = numbers(), letters(), flags()
    collect.override(task_id="chained")(identity.expand(x=n.map(lambda v: v + 1).map(lambda v: v * 10)))
    collect.override(task_id="zip_mapped")(
        identity.override(task_id="id_zip").expand(x=n.zip(let).map(lambda p: f"{p[0]}{p[1]}")))
    collect.override(task_id="zip3")(
        identity.override(task_id="id_zip3").expand(x=n.zip(let, f, fillvalue="-")))


dk_map_chain_and_zip_map()

EXPECTED = {
    "state": "success",
    "tasks": {"identity": {"map_count": 3}, "id_zip": {"map_count": 2}, "id_zip3": {"map_count": 3}},
    "xcom": [
        ["chained", None, [20, 30, 40]],
        ["zip_mapped", None, ["1a", "2b"]],
        ["zip3", None, [[1, "a", True], [2, "b", "-"], [3, "-", "-"]]],
    ],
}
