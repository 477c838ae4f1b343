"""A mapped upstream whose instances end skipped and failed (no success): one_success is
UPSTREAM_FAILED (not skipped: not every instance was skipped), one_done runs (a failure is done),
none_failed_min_one_success upstream_failed, all_skipped skipped, all_failed skipped (a skip).

Airflow 2.10, TriggerRuleDep._evaluate_direct_relatives: ONE_SUCCESS ``if upstream_done and done ==
skipped: SKIPPED / elif upstream_done and success <= 0: UPSTREAM_FAILED``; ONE_DONE waits for
``success + failed > 0``; ALL_FAILED ``if success or skipped: SKIPPED``.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task


@task
def outcome(kind):
    if kind == "skip":
        raise AirflowSkipException("skip")
    raise ValueError("fail")


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="rules_skip_and_fail_one_success", schedule=None, start_date=datetime(2022, 1, 1))
def rules_skip_and_fail_one_success():
    out = outcome.expand(kind=["skip", "fail"])
    for rule in ["one_success", "one_done", "none_failed_min_one_success", "all_skipped", "all_failed"]:
        out >> probe(rule)


rules_skip_and_fail_one_success()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "outcome": {"map_count": 2, "states": {"skipped": 1, "failed": 1}},
        "one_success": {"states": {"upstream_failed": 1}},
        "one_done": {"states": {"success": 1}},
        "none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "all_skipped": {"states": {"skipped": 1}},
        "all_failed": {"states": {"skipped": 1}},
    },
}
