"""Variant of cross_product: three mapped parameters (2 x 2 x 3 = 12), the last varying fastest.
Airflow: expandinput.py DictOfListsExpandInput._expand_mapped_field/_find_index_for_this_field walks
the parameters in reversed order (index % length, index //= length)."""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x: int, y: int, z: int) -> int:
    return x + y + z


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="cp_three_params", schedule=None, start_date=datetime(2022, 1, 1))
def cp_three_params():
    collect(add.expand(x=[1, 2], y=[10, 20], z=[100, 200, 300]))


cp_three_params()

EXPECTED = {
    "state": "success",
    "tasks": {"add": {"map_count": 12, "states": {"success": 12}}},
    "xcom": [["add", 5, 321], ["add", 6, 112],
             ["collect", None, [111, 211, 311, 121, 221, 321, 112, 212, 312, 122, 222, 322]]],
}
