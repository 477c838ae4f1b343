"""expand_kwargs() over dicts a task returned, one of which repeats a partial() argument.

Airflow 2.4+: ``expand_kwargs(value, *, strict=True)``; with ``strict`` (the default) the mapped
kwargs go through ``prevent_duplicates(partial_kwargs, mapped_kwargs)`` when the instance is
unmapped (MappedOperator._get_unmap_kwargs), so only the index whose dict repeats ``y`` fails;
with ``strict=False`` the dict's value wins (``{**partial_kwargs, **mapped_kwargs}``). The leaves
are all_done reduces that succeed, so the run succeeds.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def rows() -> list:
    return [{"x": 1}, {"x": 2, "y": 10}]


@task
def add(x, y):
    return x + y


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="expand_kwargs_strict_from_output", schedule=None, start_date=datetime(2022, 1, 1))
def expand_kwargs_strict_from_output():
    data = rows()
    collect.override(task_id="strict")(add.override(task_id="add_strict").partial(y=5).expand_kwargs(data))
    collect.override(task_id="lenient")(
        add.override(task_id="add_lenient").partial(y=5).expand_kwargs(data, strict=False))


expand_kwargs_strict_from_output()

EXPECTED = {
    "state": "success",
    "tasks": {"add_strict": {"map_count": 2, "states": {"success": 1, "failed": 1}},
              "add_lenient": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["strict", None, [6]], ["lenient", None, [6, 12]]],
    "instances": [["add_strict", 1, {"state": "failed", "error_contains": "'y'"}]],
}
