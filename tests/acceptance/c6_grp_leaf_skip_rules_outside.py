"""Index 1 of a mapped task group skips itself (AirflowSkipException in `check`), so its `load`
is skipped too; tasks outside the group after `load` (by >>) count all three load instances
(success, skipped, success):
all_success skipped, all_failed skipped, all_done runs, all_skipped skipped, one_success runs,
one_failed skipped, one_done runs, none_failed runs, none_failed_min_one_success runs,
none_skipped skipped, always runs. Run success.

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py: outside every mapped group all upstream instances
count (_iter_upstream_conditions ``TaskInstance.task_id.in_``); _evaluate_direct_relatives:
ALL_SUCCESS ``elif skipped: SKIPPED``; ALL_FAILED ``if success or skipped: SKIPPED``; ALL_SKIPPED
``if success or failed or upstream_failed: SKIPPED``; ONE_FAILED ``if upstream_done and not
(failed or upstream_failed): SKIPPED``; NONE_SKIPPED ``if skipped: SKIPPED``;
NONE_FAILED(_MIN_ONE_SUCCESS): upstream - success - skipped == 0 and skipped != upstream -> run.
Inside the group, load (all_success) at index 1 sees its own index only (same mapped group ->
TaskInstance.get_relevant_upstream_map_indexes gives the same map index) -> skipped.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task, task_group


@task
def check(x):
    if x == 2:
        raise AirflowSkipException("nothing for 2")
    return x


@task
def load(v):
    return v


RULES = ["all_success", "all_failed", "all_done", "all_skipped", "one_success", "one_failed",
         "one_done", "none_failed", "none_failed_min_one_success", "none_skipped", "always"]


def make(rule):
    @task(task_id=f"r_{rule}", trigger_rule=rule)
    def r():
        return rule

    return r


@task_group
def grp(x):
    return load(check(x))


@dag(dag_id="c6_grp_leaf_skip_rules_outside", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_leaf_skip_rules_outside():
    g = grp.expand(x=[1, 2, 3])
    for rule in RULES:
        g >> make(rule)()


c6_grp_leaf_skip_rules_outside()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.check": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.load": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "r_all_success": {"states": {"skipped": 1}},
        "r_all_failed": {"states": {"skipped": 1}},
        "r_all_done": {"states": {"success": 1}},
        "r_all_skipped": {"states": {"skipped": 1}},
        "r_one_success": {"states": {"success": 1}},
        "r_one_failed": {"states": {"skipped": 1}},
        "r_one_done": {"states": {"success": 1}},
        "r_none_failed": {"states": {"success": 1}},
        "r_none_failed_min_one_success": {"states": {"success": 1}},
        "r_none_skipped": {"states": {"skipped": 1}},
        "r_always": {"states": {"success": 1}},
    },
}
