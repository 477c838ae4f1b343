"""Variant of trigger_rules: a downstream with two upstreams -- a mapped task with one failed index and a
plain task that succeeded; all instances count (Airflow: upstream = sum of TI counts per upstream task,
trigger_rule_dep.py). one_success runs, all_done runs, none_failed_min_one_success -> upstream_failed,
all_failed -> skipped (a success), one_failed runs."""
from datetime import datetime

from orchestrator import dag, task


@task
def risky(x: int) -> int:
    if x == 3:
        raise ValueError("x == 3")
    return x


@task
def plain() -> int:
    return 0


def make(rule):
    @task(task_id=f"r_{rule}", trigger_rule=rule)
    def r():
        return rule
    return r


@dag(dag_id="tr_two_upstreams_mapped_and_plain", schedule=None, start_date=datetime(2022, 1, 1))
def tr_two_upstreams_mapped_and_plain():
    m = risky.expand(x=[1, 2, 3])
    p = plain()
    for rule in ["one_success", "all_done", "none_failed_min_one_success", "all_failed", "one_failed"]:
        [m, p] >> make(rule)()


tr_two_upstreams_mapped_and_plain()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "r_one_success": {"states": {"success": 1}},
        "r_all_done": {"states": {"success": 1}},
        "r_none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "r_all_failed": {"states": {"skipped": 1}},
        "r_one_failed": {"states": {"success": 1}},
    },
    "xcom": [["r_one_failed", None, "one_failed"]],
}
