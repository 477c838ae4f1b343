"""Trigger rules downstream of a map whose every instance succeeded."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def fine(x: int) -> int:
    return x


def make(rule):
    @task(task_id=f"after_{rule.value}", trigger_rule=rule)
    def after():
        return rule.value

    return after


@dag(dag_id="rules_after_successful_map", schedule=None, start_date=datetime(2022, 1, 1))
def rules_after_successful_map():
    mapped = fine.expand(x=[1, 2, 3])
    for rule in TriggerRule:
        mapped >> make(rule)()


rules_after_successful_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "fine": {"map_count": 3, "states": {"success": 3}},
        "after_all_success": {"states": {"success": 1}},
        "after_all_failed": {"states": {"skipped": 1}},
        "after_all_done": {"states": {"success": 1}},
        "after_all_done_min_one_success": {"states": {"success": 1}},
        "after_all_skipped": {"states": {"skipped": 1}},
        "after_one_success": {"states": {"success": 1}},
        "after_one_failed": {"states": {"skipped": 1}},
        "after_one_done": {"states": {"success": 1}},
        "after_none_failed": {"states": {"success": 1}},
        "after_none_failed_min_one_success": {"states": {"success": 1}},
        "after_none_skipped": {"states": {"success": 1}},
        "after_always": {"states": {"success": 1}},
    },
}
