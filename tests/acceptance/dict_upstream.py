"""Mapping over a dict an upstream returned gives (key, value) pairs, in order."""
from datetime import datetime

from orchestrator import dag, task


@task
def configs() -> dict:
    return {"small": 1, "large": 10}


@task
def describe(item) -> str:
    name, size = item
    return f"{name}:{size}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dict_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def dict_upstream():
    collect(describe.expand(item=configs()))


dict_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {"describe": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, ["small:1", "large:10"]]],
}
