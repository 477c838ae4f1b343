"""An unmapped short-circuit that is false with ignore_downstream_trigger_rules=False in front of a
map over literals: only the direct downstream map is skipped (every instance); further tasks
follow their trigger rules: a map over its output (all_success) is skipped without expanding, an
all_done reduce over it runs and receives no values, a none_failed_min_one_success task is skipped.

Airflow 2.10.5 operators/python.py ShortCircuitOperator.execute: ``else: tasks =
context["task"].get_direct_relatives(upstream=False)``; models/skipmixin.py _skip with map_index -1
-> _set_state_to_skipped by task id (all 3 instances of `work`). trigger_rule_dep.py:
`again` (all_success) over 3 skipped -> ``elif skipped: SKIPPED`` (before expansion, map_count 0);
`report` (all_done) runs; `nfmos` ``elif skipped == upstream: SKIPPED``. The reduce's sequence is
empty (Chordflow's documented choice: an empty sequence, never None): len 0. Run success.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task.short_circuit(ignore_downstream_trigger_rules=False)
def gate():
    return 0


@task
def work(x):
    return x


@task
def again(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def report(values):
    return len(list(values))


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def nfmos():
    return "ran"


@dag(dag_id="c6_sc_unmapped_keep_rules_literal_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_sc_unmapped_keep_rules_literal_map():
    w = work.expand(x=[1, 2, 3])
    gate() >> w
    again.expand(v=w)
    report(w)
    w >> nfmos()


c6_sc_unmapped_keep_rules_literal_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "work": {"map_count": 3, "states": {"skipped": 3}},
        "again": {"map_count": 0, "states": {"skipped": 1}},
        "report": {"states": {"success": 1}},
        "nfmos": {"states": {"skipped": 1}},
    },
    "xcom": [["report", None, 0], ["gate", None, 0]],
}
