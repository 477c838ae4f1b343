"""Variant of mapped_group: group.partial(factor=<upstream output>).expand(x=<upstream output>); a
one-element and then reduce. Airflow: TaskGroupDecorator.partial / expand (decorators/task_group.py);
each index receives the whole partial value and its own element."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def factor() -> int:
    return 7


@task
def items() -> list:
    return [5]


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def plus(v: int) -> int:
    return v + 1


@task_group
def per_item(x: int, factor: int):
    return plus(scale(x, factor))


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mg_partial_and_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def mg_partial_and_upstream():
    collect(per_item.partial(factor=factor()).expand(x=items()))


mg_partial_and_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {"per_item.scale": {"map_count": 1, "states": {"success": 1}}, "per_item.plus": {"map_count": 1}},
    "xcom": [["collect", None, [36]], ["per_item.plus", 0, 36]],
}
