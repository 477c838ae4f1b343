"""Trigger rules downstream of a map whose every instance failed."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def broken(x: int) -> int:
    raise RuntimeError(f"broken {x}")


def make(rule):
    @task(task_id=f"after_{rule.value}", trigger_rule=rule)
    def after():
        return rule.value

    return after


@dag(dag_id="rules_after_all_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def rules_after_all_failed_map():
    mapped = broken.expand(x=[1, 2])
    for rule in TriggerRule:
        mapped >> make(rule)()


rules_after_all_failed_map()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "broken": {"map_count": 2, "states": {"failed": 2}},
        "after_all_success": {"states": {"upstream_failed": 1}},
        "after_all_failed": {"states": {"success": 1}},
        "after_all_done": {"states": {"success": 1}},
        "after_all_done_min_one_success": {"states": {"upstream_failed": 1}},
        "after_all_skipped": {"states": {"skipped": 1}},
        "after_one_success": {"states": {"upstream_failed": 1}},
        "after_one_failed": {"states": {"success": 1}},
        "after_one_done": {"states": {"success": 1}},
        "after_none_failed": {"states": {"upstream_failed": 1}},
        "after_none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "after_none_skipped": {"states": {"success": 1}},
        "after_always": {"states": {"success": 1}},
    },
    "instances": [["broken", 1, {"state": "failed", "error_contains": "broken 2"}]],
}
