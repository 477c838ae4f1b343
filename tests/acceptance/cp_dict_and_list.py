"""Variant of cross_product: a literal dict (its (key, value) items) crossed with a list and with a
partial() constant. Airflow: _expand_mapped_field returns (k, v) for a dict; cross product last fastest."""
from datetime import datetime

from orchestrator import dag, task


@task
def label(pair, n: int, sep: str) -> str:
    key, value = pair
    return f"{key}{sep}{value * n}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="cp_dict_and_list", schedule=None, start_date=datetime(2022, 1, 1))
def cp_dict_and_list():
    collect(label.partial(sep=":").expand(pair={"a": 1, "b": 2}, n=[10, 20]))


cp_dict_and_list()

EXPECTED = {
    "state": "success",
    "tasks": {"label": {"map_count": 4, "states": {"success": 4}}},
    "xcom": [["collect", None, ["a:10", "a:20", "b:20", "b:40"]]],
}
