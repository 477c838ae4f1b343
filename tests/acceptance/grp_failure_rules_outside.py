"""One index of a mapped task group fails (its `check`), so that index's `double` is
upstream_failed; tasks outside the group downstream of `double` (by >>) follow their rules over
all three instances (success, upstream_failed, success):
one_failed runs (upstream_failed counts as a failure), all_failed is skipped (there is a success),
none_failed and none_failed_min_one_success are upstream_failed, none_skipped runs, all_skipped is
skipped, one_success runs, one_done runs, all_done runs, all_success upstream_failed.

Airflow 2.10, TriggerRuleDep._evaluate_direct_relatives (airflow/ti_deps/deps/trigger_rule_dep.py):
ONE_FAILED: skipped only ``if upstream_done and not (failed or upstream_failed)``;
ALL_FAILED: skipped ``if success or skipped``; NONE_FAILED(_MIN_ONE_SUCCESS): ``if upstream_failed
or failed`` -> upstream_failed; NONE_SKIPPED: skipped only if skipped; ALL_SKIPPED: ``if success or
failed or upstream_failed`` -> skipped.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def check(n):
    if n == 2:
        raise ValueError("two")
    return n


@task
def double(n):
    return 2 * n


@task_group
def grp(n):
    return double(check(n))


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="grp_failure_rules_outside", schedule=None, start_date=datetime(2022, 1, 1))
def grp_failure_rules_outside():
    out = grp.expand(n=[1, 2, 3])
    for rule in ["one_failed", "all_failed", "none_failed", "none_failed_min_one_success", "none_skipped",
                 "all_skipped", "one_success", "one_done", "all_done", "all_success"]:
        out >> probe(rule)


grp_failure_rules_outside()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "grp.double": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
        "one_failed": {"states": {"success": 1}},
        "all_failed": {"states": {"skipped": 1}},
        "none_failed": {"states": {"upstream_failed": 1}},
        "none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "none_skipped": {"states": {"success": 1}},
        "all_skipped": {"states": {"skipped": 1}},
        "one_success": {"states": {"success": 1}},
        "one_done": {"states": {"success": 1}},
        "all_done": {"states": {"success": 1}},
        "all_success": {"states": {"upstream_failed": 1}},
    },
}
