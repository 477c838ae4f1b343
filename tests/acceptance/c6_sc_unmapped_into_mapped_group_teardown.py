"""An unmapped short-circuit that is false (ignore_downstream_trigger_rules=True) inside a
setup/teardown scope, in front of a mapped task group over literals and a mapped task group over a
task's output: every instance of every downstream work task is skipped (the literal group's 3
instances, the other group's unexpanded -1 instances), but the teardown is not skipped by it and
runs, its setup having succeeded. Run success.

Airflow 2.10.5 operators/python.py ShortCircuitOperator.execute: get_tasks_to_skip ``for t in
tasks: if not t.is_teardown: yield t`` over ``get_flat_relatives(upstream=False)``;
models/skipmixin.py _skip with map_index -1 -> _set_state_to_skipped by ``TaskInstance.task_id.in_``
(all map indexes). The teardown (trigger rule all_done_setup_success, set by as_teardown):
trigger_rule_dep.py ALL_DONE_SETUP_SUCCESS runs once all upstream are done and success_setup > 0.
"""
from datetime import datetime

from orchestrator import dag, setup, task, task_group, teardown


@setup
def make():
    return [4, 5]


@task.short_circuit
def gate():
    return []


@task
def step(x):
    return x


@task
def step2(v):
    return v


@teardown
def drop():
    return "dropped"


@task_group
def lit_grp(x):
    step2(step(x))  # returns nothing: `>>` binds to the whole group (decorators/task_group.py)


@task_group
def out_grp(x):
    step2(step(x))


@dag(dag_id="c6_sc_unmapped_into_mapped_group_teardown", schedule=None, start_date=datetime(2022, 1, 1))
def c6_sc_unmapped_into_mapped_group_teardown():
    s = make()
    g = gate()
    s >> g
    a = lit_grp.expand(x=[1, 2, 3])
    b = out_grp.expand(x=s)
    g >> [a, b]
    [a, b] >> drop().as_teardown(setups=s)


c6_sc_unmapped_into_mapped_group_teardown()

EXPECTED = {
    "state": "success",
    "tasks": {
        "gate": {"states": {"success": 1}},
        "lit_grp.step": {"map_count": 3, "states": {"skipped": 3}},
        "lit_grp.step2": {"map_count": 3, "states": {"skipped": 3}},
        "out_grp.step": {"map_count": 0, "states": {"skipped": 1}},
        "out_grp.step2": {"map_count": 0, "states": {"skipped": 1}},
        "drop": {"states": {"success": 1}},
    },
    "xcom": [["drop", None, "dropped"], ["gate", None, []]],
}
