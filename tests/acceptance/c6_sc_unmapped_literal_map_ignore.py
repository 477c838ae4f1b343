"""An unmapped short-circuit that is false (ignore_downstream_trigger_rules=True, the default) in
front of a map over literals, a map over that map's output and an all_done reduce: every instance
of every downstream task is skipped, whatever its trigger rule.

Airflow 2.10.5 operators/python.py ShortCircuitOperator.execute: ``tasks =
context["task"].get_flat_relatives(upstream=False)`` (all downstream, teardowns excepted) ->
SkipMixin.skip(..., map_index=-1) -> models/skipmixin.py _skip: ``if map_index == -1:
SkipMixin._set_state_to_skipped(dag_run, task_ids_list, session)`` which updates every instance
``TaskInstance.task_id.in_(tasks)`` -- the literal map's 3 expanded instances (created with the run
by DagRun._create_tasks), the unexpanded -1 instance of `again` (map_count 0) and the reduce.
The short-circuit's XCom is its (falsy) result: False. Run success.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task.short_circuit
def gate():
    return False


@task
def work(x):
    return x


@task
def again(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def report(values):
    return list(values)


@dag(dag_id="c6_sc_unmapped_literal_map_ignore", schedule=None, start_date=datetime(2022, 1, 1))
def c6_sc_unmapped_literal_map_ignore():
    w = work.expand(x=[1, 2, 3])
    gate() >> w
    report(again.expand(v=w))


c6_sc_unmapped_literal_map_ignore()

EXPECTED = {
    "state": "success",
    "tasks": {
        "gate": {"states": {"success": 1}},
        "work": {"map_count": 3, "states": {"skipped": 3}},
        "again": {"map_count": 0, "states": {"skipped": 1}},
        "report": {"states": {"skipped": 1}},
    },
    "xcom": [["gate", None, False]],
}
