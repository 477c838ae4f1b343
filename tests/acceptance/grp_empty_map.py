"""A mapped task group over an empty list: every task inside is skipped (map_count 0), the
all_done one too; downstream of the group's last task: all_success and
none_failed_min_one_success are skipped, one_done skipped (no success or failure), all_skipped,
none_failed, all_done and always run. The run succeeds.

Airflow 2.10: an empty expansion marks the unexpanded instance skipped
(TaskMap.expand_mapped_task -> "skipped" when total_length == 0, airflow/models/abstractoperator.py /
mappedoperator); a later task of the group is expanded only once its deps pass, then is skipped by
the same empty length. TriggerRuleDep._evaluate_direct_relatives (one upstream instance, skipped):
all_success -> skipped; none_failed_min_one_success: skipped == upstream -> skipped;
one_done: upstream_done and not (failed or success) -> skipped; all_skipped runs;
none_failed, all_done run.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def nothing():
    return []


@task
def first(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def second(v):
    return v


@task_group
def grp(x):
    return second(first(x))


def probe(rule):
    @task(task_id=rule, trigger_rule=rule)
    def _probe():
        return rule
    return _probe()


@dag(dag_id="grp_empty_map", schedule=None, start_date=datetime(2022, 1, 1))
def grp_empty_map():
    out = grp.expand(x=nothing())
    for rule in ["all_success", "none_failed_min_one_success", "one_done", "all_skipped",
                 "none_failed", "all_done", "always"]:
        out >> probe(rule)


grp_empty_map()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.first": {"map_count": 0, "states": {"skipped": 1}},
        "grp.second": {"map_count": 0, "states": {"skipped": 1}},
        "all_success": {"states": {"skipped": 1}},
        "none_failed_min_one_success": {"states": {"skipped": 1}},
        "one_done": {"states": {"skipped": 1}},
        "all_skipped": {"states": {"success": 1}},
        "none_failed": {"states": {"success": 1}},
        "all_done": {"states": {"success": 1}},
        "always": {"states": {"success": 1}},
    },
}
