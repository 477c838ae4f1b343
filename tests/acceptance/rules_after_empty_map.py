"""Trigger rules downstream of an empty (skipped) map, each with Airflow's outcome."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def nothing() -> list:
    return []


@task
def work(x):
    return x


def make(rule):
    @task(task_id=f"after_{rule.value}", trigger_rule=rule)
    def after():
        return rule.value

    return after


@dag(dag_id="rules_after_empty_map", schedule=None, start_date=datetime(2022, 1, 1))
def rules_after_empty_map():
    mapped = work.expand(x=nothing())
    for rule in TriggerRule:
        mapped >> make(rule)()


rules_after_empty_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "work": {"map_count": 0, "states": {"skipped": 1}},
        "after_all_success": {"states": {"skipped": 1}},
        "after_all_failed": {"states": {"skipped": 1}},
        "after_all_done": {"states": {"success": 1}},
        "after_all_done_min_one_success": {"states": {"skipped": 1}},
        "after_all_skipped": {"states": {"success": 1}},
        "after_one_success": {"states": {"skipped": 1}},
        "after_one_failed": {"states": {"skipped": 1}},
        "after_one_done": {"states": {"skipped": 1}},
        "after_none_failed": {"states": {"success": 1}},
        "after_none_failed_min_one_success": {"states": {"skipped": 1}},
        "after_none_skipped": {"states": {"skipped": 1}},
        "after_always": {"states": {"success": 1}},
    },
    "xcom": [["after_all_skipped", None, "all_skipped"], ["after_none_failed", None, "none_failed"]],
}
