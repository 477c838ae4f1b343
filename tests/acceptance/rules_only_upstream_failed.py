"""Rules over a mapped upstream whose every instance is upstream_failed (not failed): in each
index of a mapped group the first task fails, so every instance of the group's second task is
upstream_failed. Downstream of that second task:
one_done is SKIPPED (an upstream_failed instance is neither a success nor a failure for it),
one_failed runs, all_failed runs, one_success is upstream_failed, all_skipped is skipped,
none_skipped runs, all_done runs.

Airflow 2.10, TriggerRuleDep._evaluate_direct_relatives: ONE_DONE ``if upstream_done and not
(failed or success): new_state = SKIPPED``; ALL_FAILED: num_success = upstream - failed -
upstream_failed = 0 -> runs; ONE_SUCCESS ``elif upstream_done and success <= 0: UPSTREAM_FAILED``;
ALL_SKIPPED ``if success or failed or upstream_failed: SKIPPED``.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def boom(n):
    raise ValueError(f"boom {n}")


@task
def after(v):
    return v


@task_group
def grp(n):
    return after(boom(n))


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="rules_only_upstream_failed", schedule=None, start_date=datetime(2022, 1, 1))
def rules_only_upstream_failed():
    out = grp.expand(n=[1, 2])
    for rule in ["one_done", "one_failed", "all_failed", "one_success", "all_skipped", "none_skipped", "all_done"]:
        out >> probe(rule)


rules_only_upstream_failed()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "grp.boom": {"map_count": 2, "states": {"failed": 2}},
        "grp.after": {"map_count": 2, "states": {"upstream_failed": 2}},
        "one_done": {"states": {"skipped": 1}},
        "one_failed": {"states": {"success": 1}},
        "all_failed": {"states": {"success": 1}},
        "one_success": {"states": {"upstream_failed": 1}},
        "all_skipped": {"states": {"skipped": 1}},
        "none_skipped": {"states": {"success": 1}},
        "all_done": {"states": {"success": 1}},
    },
}
