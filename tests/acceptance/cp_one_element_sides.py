"""Variant of cross_product: one-element lists and a nested-list element (each element is passed
whole, never flattened), an upstream dict crossed with a list."""
from datetime import datetime

from orchestrator import dag, task


@task
def config() -> dict:
    return {"k": [1, 2]}


@task
def combine(a, b, c) -> str:
    key, value = a
    return f"{key}-{sum(value)}-{b}-{len(c)}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="cp_one_element_sides", schedule=None, start_date=datetime(2022, 1, 1))
def cp_one_element_sides():
    collect(combine.expand(a=config(), b=["only"], c=[[1, 2, 3], [4]]))


cp_one_element_sides()

EXPECTED = {
    "state": "success",
    "tasks": {"combine": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, ["k-3-only-3", "k-3-only-1"]]],
}
