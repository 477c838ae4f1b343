"""Variant of trigger_rules: one index skips itself (AirflowSkipException), the others succeed (no
failure). Airflow 2.10 trigger_rule_dep.py: all_success -> skipped; none_failed, none_failed_min_one_success,
one_success, all_done, one_done run; none_skipped -> skipped; all_skipped -> skipped (a success);
all_failed -> skipped (success or skipped); one_failed -> skipped (upstream done, nothing failed).
The run succeeds (skipped leaves)."""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task


@task
def maybe(x: int) -> int:
    if x == 2:
        raise AirflowSkipException("skip 2")
    return x


def make(rule):
    @task(task_id=f"r_{rule}", trigger_rule=rule)
    def r():
        return rule
    return r


RULES = ["all_success", "none_failed", "none_failed_min_one_success", "one_success", "all_done", "one_done",
         "none_skipped", "all_skipped", "all_failed", "one_failed"]


@dag(dag_id="tr_skip_and_success", schedule=None, start_date=datetime(2022, 1, 1))
def tr_skip_and_success():
    m = maybe.expand(x=[1, 2, 3])
    for rule in RULES:
        m >> make(rule)()


tr_skip_and_success()

EXPECTED = {
    "state": "success",
    "tasks": {
        "maybe": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "r_all_success": {"states": {"skipped": 1}},
        "r_none_failed": {"states": {"success": 1}},
        "r_none_failed_min_one_success": {"states": {"success": 1}},
        "r_one_success": {"states": {"success": 1}},
        "r_all_done": {"states": {"success": 1}},
        "r_one_done": {"states": {"success": 1}},
        "r_none_skipped": {"states": {"skipped": 1}},
        "r_all_skipped": {"states": {"skipped": 1}},
        "r_all_failed": {"states": {"skipped": 1}},
        "r_one_failed": {"states": {"skipped": 1}},
    },
}
