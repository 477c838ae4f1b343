"""Trigger rules downstream of a map whose instances ended success, skipped and failed (one each),
and of a map with a success and a failure but no skip.

Airflow 2.x, TriggerRuleDep._evaluate_direct_relatives (airflow/ti_deps/deps/trigger_rule_dep.py),
counting every expanded instance of the mapped upstream:
- all_success: failed -> upstream_failed          - all_failed: success or skipped -> skipped
- one_success: runs (one success)                 - one_failed: runs (one failed)
- one_done: runs                                  - none_failed: failed -> upstream_failed
- none_failed_min_one_success: failed -> upstream_failed
- none_skipped: skipped -> skipped; with no skip it runs once all are done, failures or not
- all_skipped: success or failed -> skipped       - all_done: runs
A rule decides as soon as an upstream state settles it, in Airflow as here (all_success is skipped
by a skip it sees before the failure): the skipped index ends last, so each outcome is certain.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def outcome(kind: str) -> str:
    if kind == "skip":
        import time

        time.sleep(1.0)  # the skip ends last: rules that decide early (all_success) see the failure first
        raise AirflowSkipException("skip me")
    if kind == "fail":
        raise ValueError("fail me")
    return kind


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="rules_mixed_outcomes", schedule=None, start_date=datetime(2022, 1, 1))
def rules_mixed_outcomes():
    mixed = outcome.expand(kind=["ok", "skip", "fail"])
    for rule in ["all_success", "all_failed", "one_success", "one_failed", "one_done", "none_failed",
                 "none_failed_min_one_success", "none_skipped", "all_skipped", "all_done"]:
        mixed >> probe(rule)
    no_skip = outcome.override(task_id="no_skip").expand(kind=["ok", "fail"])
    @task(task_id="none_skipped_no_skip", trigger_rule=TriggerRule.NONE_SKIPPED)
    def none_skipped_no_skip():
        return "ran"
    no_skip >> none_skipped_no_skip()


rules_mixed_outcomes()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "outcome": {"map_count": 3, "states": {"success": 1, "skipped": 1, "failed": 1}},
        "all_success": {"states": {"upstream_failed": 1}},
        "all_failed": {"states": {"skipped": 1}},
        "one_success": {"states": {"success": 1}},
        "one_failed": {"states": {"success": 1}},
        "one_done": {"states": {"success": 1}},
        "none_failed": {"states": {"upstream_failed": 1}},
        "none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "none_skipped": {"states": {"skipped": 1}},
        "all_skipped": {"states": {"skipped": 1}},
        "all_done": {"states": {"success": 1}},
        "no_skip": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "none_skipped_no_skip": {"states": {"success": 1}},
    },
}
