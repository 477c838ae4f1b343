"""Variant of non_list_upstream: a scalar upstream used only in partial() (and by >>) of a mapped task
is fine: Airflow checks mappability only for tasks whose output a downstream MAPS over --
_record_task_map_for_downstreams returns at once when `next(task.iter_mapped_dependants(), None) is
None`, and iter_mapped_dependants keeps downstreams whose iter_mapped_dependencies (the expand input's
references) include the task."""
from datetime import datetime

from orchestrator import dag, task


@task
def scalar() -> int:
    return 42


@task
def marker() -> str:
    return "m"


@task
def add(x: int, base: int) -> int:
    return x + base


@dag(dag_id="nl_scalar_in_partial_only", schedule=None, start_date=datetime(2022, 1, 1))
def nl_scalar_in_partial_only():
    marker() >> add.partial(base=scalar()).expand(x=[1, 2])


nl_scalar_in_partial_only()

EXPECTED = {
    "state": "success",
    "tasks": {"scalar": {"states": {"success": 1}}, "add": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["add", 1, 44]],
}
