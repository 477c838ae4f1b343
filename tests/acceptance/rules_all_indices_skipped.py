"""Trigger rules downstream of a map that expanded to three instances, each of which skipped
itself (AirflowSkipException) -- not an empty map: the upstream has three skipped instances.

Airflow 2.x, TriggerRuleDep._evaluate_direct_relatives (airflow/ti_deps/deps/trigger_rule_dep.py):
- all_success: skipped -> skipped                       - all_failed: skipped -> skipped
- one_success: upstream done and done == skipped -> skipped
- one_failed: done, no failure -> skipped               - one_done: done, no success/failure -> skipped
- none_failed: passes (upstream - success - skipped == 0) -> runs
- none_failed_min_one_success: skipped == upstream -> skipped
- none_skipped: skipped -> skipped                      - all_skipped: all skipped -> runs
- all_done, always: run
The run succeeds (every leaf success or skipped).
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task


@task
def skipper(x: int) -> int:
    raise AirflowSkipException(f"skip {x}")


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="rules_all_indices_skipped", schedule=None, start_date=datetime(2022, 1, 1))
def rules_all_indices_skipped():
    skipped = skipper.expand(x=[1, 2, 3])
    for rule in ["all_success", "all_failed", "one_success", "one_failed", "one_done", "none_failed",
                 "none_failed_min_one_success", "none_skipped", "all_skipped", "all_done", "always"]:
        skipped >> probe(rule)


rules_all_indices_skipped()

EXPECTED = {
    "state": "success",
    "tasks": {
        "skipper": {"map_count": 3, "states": {"skipped": 3}},
        "all_success": {"states": {"skipped": 1}},
        "all_failed": {"states": {"skipped": 1}},
        "one_success": {"states": {"skipped": 1}},
        "one_failed": {"states": {"skipped": 1}},
        "one_done": {"states": {"skipped": 1}},
        "none_failed": {"states": {"success": 1}},
        "none_failed_min_one_success": {"states": {"skipped": 1}},
        "none_skipped": {"states": {"skipped": 1}},
        "all_skipped": {"states": {"success": 1}},
        "all_done": {"states": {"success": 1}},
        "always": {"states": {"success": 1}},
    },
    "xcom": [["all_skipped", None, "all_skipped"], ["none_failed", None, "none_failed"]],
}
