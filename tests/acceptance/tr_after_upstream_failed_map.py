"""Variant of trigger_rules: the rules are one hop further, downstream of a mapped task that ended
upstream_failed (it maps over a partly failed map with all_success). Airflow 2.10
ti_deps/deps/trigger_rule_dep.py _evaluate_direct_relatives: one_failed counts failed OR upstream_failed
(runs); one_done needs success+failed > 0 (upstream_failed is neither -> skipped); all_failed counts
upstream_failed as failure (runs); none_skipped only looks at skips (runs); all_skipped: upstream_failed
-> skipped; none_failed -> upstream_failed; all_done runs."""
from datetime import datetime

from orchestrator import dag, task


@task
def risky(x: int) -> int:
    if x == 2:
        raise ValueError("x == 2")
    return x


@task
def middle(v: int) -> int:
    return v


def make(rule):
    @task(task_id=f"r_{rule}", trigger_rule=rule)
    def r():
        return rule
    return r


@dag(dag_id="tr_after_upstream_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def tr_after_upstream_failed_map():
    m = middle.expand(v=risky.expand(x=[1, 2, 3]))
    for rule in ["one_failed", "one_done", "all_failed", "none_skipped", "all_skipped", "none_failed", "all_done"]:
        m >> make(rule)()


tr_after_upstream_failed_map()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "middle": {"states": {"upstream_failed": 1}},
        "r_one_failed": {"states": {"success": 1}},
        "r_one_done": {"states": {"skipped": 1}},
        "r_all_failed": {"states": {"success": 1}},
        "r_none_skipped": {"states": {"success": 1}},
        "r_all_skipped": {"states": {"skipped": 1}},
        "r_none_failed": {"states": {"upstream_failed": 1}},
        "r_all_done": {"states": {"success": 1}},
    },
}
