"""Variant of non_list_upstream: a TUPLE is a Sequence, so it is mappable (Airflow _is_mappable_value);
3 instances."""
from datetime import datetime

from orchestrator import dag, task


@task
def triple() -> tuple:
    return (1, 2, 3)


@task
def double(x: int) -> int:
    return 2 * x


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="nl_tuple_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def nl_tuple_upstream():
    collect(double.expand(x=triple()))


nl_tuple_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {"double": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["collect", None, [2, 4, 6]]],
}
