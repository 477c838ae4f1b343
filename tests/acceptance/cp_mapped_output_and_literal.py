"""Variant of cross_product: one parameter is a MAPPED task's output (2 pushed values), the other a
literal of 3 -> 6 instances. Airflow: PlainXComArg.get_task_map_length of a mapped upstream counts its
pushed XComs; get_total_map_length multiplies."""
from datetime import datetime

from orchestrator import dag, task


@task
def double(v: int) -> int:
    return 2 * v


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="cp_mapped_output_and_literal", schedule=None, start_date=datetime(2022, 1, 1))
def cp_mapped_output_and_literal():
    collect(add.expand(x=double.expand(v=[1, 5]), y=[0, 100, 1000]))


cp_mapped_output_and_literal()

EXPECTED = {
    "state": "success",
    "tasks": {"add": {"map_count": 6, "states": {"success": 6}}},
    "xcom": [["collect", None, [2, 102, 1002, 10, 110, 1010]]],
}
