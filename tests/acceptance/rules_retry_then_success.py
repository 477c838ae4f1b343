"""A mapped upstream whose index 1 fails its first try and succeeds on its retry: a failed try that
is retried is `up_for_retry`, not failed, so one_failed and all_failed downstream are skipped once
all are done, all_success / none_failed / one_done run, and the retried index has try_number 2.

Airflow 2.10: TaskInstance.handle_failure sets UP_FOR_RETRY while tries are left; up_for_retry is
not in the finished states TriggerRuleDep counts (_UpstreamTIStates counts success, skipped,
failed, upstream_failed, removed); ONE_FAILED: ``if upstream_done and not (failed or
upstream_failed): SKIPPED``; ALL_FAILED: ``if success or skipped: SKIPPED``.
"""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def flaky(n):
    if n == 2 and get_current_context()["ti"].try_number == 1:
        raise ValueError("first try of 2 fails")
    return n


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@task
def total(values):
    return sum(values)


@dag(dag_id="rules_retry_then_success", schedule=None, start_date=datetime(2022, 1, 1))
def rules_retry_then_success():
    out = flaky.expand(n=[1, 2, 3])
    total(out)
    for rule in ["one_failed", "all_failed", "all_success", "none_failed", "one_done"]:
        out >> probe(rule)


rules_retry_then_success()

EXPECTED = {
    "state": "success",
    "tasks": {
        "flaky": {"map_count": 3, "states": {"success": 3}},
        "one_failed": {"states": {"skipped": 1}},
        "all_failed": {"states": {"skipped": 1}},
        "all_success": {"states": {"success": 1}},
        "none_failed": {"states": {"success": 1}},
        "one_done": {"states": {"success": 1}},
    },
    "xcom": [["total", None, 6]],
    "instances": [["flaky", 1, {"state": "success", "try_number": 2}]],
}
