"""A task with two upstreams -- a mapped task whose every instance skipped itself and an unmapped
task that succeeded: none_failed_min_one_success runs, one_success runs, all_success is skipped,
all_skipped is skipped, none_skipped is skipped, none_failed runs. Leaves skipped or success:
the run succeeds.

Airflow 2.10, TriggerRuleDep._evaluate_direct_relatives counts every instance of every upstream
(upstream = 3 skipped + 1 success): NONE_FAILED_MIN_ONE_SUCCESS is skipped only when skipped ==
upstream; ALL_SUCCESS ``elif skipped: SKIPPED``; ALL_SKIPPED ``if success ...: SKIPPED``;
NONE_SKIPPED ``if skipped: SKIPPED``.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task


@task
def maybe(n):
    raise AirflowSkipException(f"nothing for {n}")


@task
def fine():
    return "ok"


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="rules_two_upstreams_mixed", schedule=None, start_date=datetime(2022, 1, 1))
def rules_two_upstreams_mixed():
    m = maybe.expand(n=[1, 2, 3])
    f = fine()
    for rule in ["none_failed_min_one_success", "one_success", "all_success", "all_skipped",
                 "none_skipped", "none_failed"]:
        [m, f] >> probe(rule)


rules_two_upstreams_mixed()

EXPECTED = {
    "state": "success",
    "tasks": {
        "maybe": {"map_count": 3, "states": {"skipped": 3}},
        "none_failed_min_one_success": {"states": {"success": 1}},
        "one_success": {"states": {"success": 1}},
        "all_success": {"states": {"skipped": 1}},
        "all_skipped": {"states": {"skipped": 1}},
        "none_skipped": {"states": {"skipped": 1}},
        "none_failed": {"states": {"success": 1}},
    },
}
