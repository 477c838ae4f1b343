"""Variant of mapped_group: an unmapped task group nested inside a mapped one: ids are
outer.inner.task, every task is mapped with the outer group's length, a failure stays in its index.
Airflow: TaskGroup.child_id prefixes each group id; MappedTaskGroup applies to its nested groups'
tasks (iter_mapped_task_groups)."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def load(x: int) -> int:
    if x == 3:
        raise ValueError("cannot load 3")
    return x


@task
def check(v: int) -> int:
    return v * 2


@task_group
def inner(v):
    return check(v)


@task_group
def outer(x: int):
    return inner(load(x))


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="mg_nested_group", schedule=None, start_date=datetime(2022, 1, 1))
def mg_nested_group():
    collect(outer.expand(x=[1, 2, 3]))


mg_nested_group()

EXPECTED = {
    "state": "success",  # the only leaf (all_done collect) succeeded: DagRun.update_state looks at leaves
    "tasks": {
        "outer.load": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "outer.inner.check": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
        "collect": {"states": {"success": 1}},
    },
    "xcom": [["collect", None, [2, 4]], ["outer.inner.check", 1, 4]],
}
