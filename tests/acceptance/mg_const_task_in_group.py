"""Variant of mapped_group: a task inside the mapped group that does not read the group's argument is
still mapped, one instance per index. Airflow: every task in a MappedTaskGroup is expanded with the
group's length (abstractoperator.py get_mapped_ti_count / _get_specified_expand_input via
iter_mapped_task_groups; docs dynamic-task-mapping.rst "Mapping over a task group")."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def constant() -> int:
    return 100


@task
def combine(name: str, base: int) -> str:
    return f"{name}{base}"


@task_group
def per_file(name: str):
    return combine(name, constant())


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mg_const_task_in_group", schedule=None, start_date=datetime(2022, 1, 1))
def mg_const_task_in_group():
    collect(per_file.expand(name=["a", "b", "c"]))


mg_const_task_in_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "per_file.constant": {"map_count": 3, "states": {"success": 3}},
        "per_file.combine": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["collect", None, ["a100", "b100", "c100"]], ["per_file.constant", 1, 100]],
}
