"""Trigger rules of tasks inside a mapped task group are evaluated per index: index 1's `check`
fails; in the same group, an all_done task runs in every index, a one_failed task runs only in
index 1 (skipped in the others), an all_failed one likewise, a none_failed one is upstream_failed
only in index 1. The run succeeds: no leaf failed.

Airflow 2.10: TriggerRuleDep._evaluate_direct_relatives counts only the relevant upstream
instances (_iter_upstream_conditions -> ti.get_relevant_upstream_map_indexes: the same map index
for an upstream in the same mapped task group), airflow/ti_deps/deps/trigger_rule_dep.py. A run is
failed only if a leaf instance failed or is upstream_failed (DagRun.update_state).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def check(x):
    if x == 2:
        raise ValueError("bad 2")
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def cleanup():
    return "cleaned"


@task(trigger_rule=TriggerRule.ONE_FAILED)
def alert():
    return "alerted"


@task(trigger_rule=TriggerRule.ALL_FAILED)
def all_failed():
    return "all failed"


@task(trigger_rule=TriggerRule.NONE_FAILED)
def none_failed():
    return "none failed"


@task(trigger_rule=TriggerRule.ALL_DONE)
def final():
    return "final"


@task_group
def grp(x):
    c = check(x)
    nf = none_failed()
    c >> [cleanup(), alert(), all_failed(), nf]
    nf >> final()


@dag(dag_id="grp_rules_per_index", schedule=None, start_date=datetime(2022, 1, 1))
def grp_rules_per_index():
    grp.expand(x=[1, 2, 3])


grp_rules_per_index()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.check": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "grp.cleanup": {"map_count": 3, "states": {"success": 3}},
        "grp.alert": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
        "grp.all_failed": {"map_count": 3, "states": {"success": 1, "skipped": 2}},
        "grp.none_failed": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
        "grp.final": {"map_count": 3, "states": {"success": 3}},
    },
    "instances": [["grp.alert", 1, {"state": "success"}], ["grp.none_failed", 1, {"state": "upstream_failed"}]],
}
