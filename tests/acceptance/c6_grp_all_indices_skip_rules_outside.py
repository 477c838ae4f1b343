"""Every index of a mapped task group skips itself (AirflowSkipException in `check`), so every
instance of `load` is skipped; tasks outside the group after it (by >>) see 3 skipped instances:
all_success skipped, all_failed skipped, all_done runs, all_skipped runs, one_success skipped
(all done, all skipped), one_failed skipped, one_done skipped, none_failed runs,
none_failed_min_one_success skipped, none_skipped skipped, always runs. Run success.

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py _evaluate_direct_relatives: ONE_SUCCESS ``if
upstream_done and done == skipped: SKIPPED``; ONE_DONE ``if upstream_done and not (failed or
success): SKIPPED``; NONE_FAILED_MIN_ONE_SUCCESS ``elif skipped == upstream: SKIPPED``; NONE_FAILED
passes (upstream - success - skipped == 0); ALL_SKIPPED passes (upstream - skipped == 0);
ALL_FAILED ``if success or skipped: SKIPPED``.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task, task_group


@task
def check(x):
    raise AirflowSkipException(f"nothing for {x}")


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


@dag(dag_id="c6_grp_all_indices_skip_rules_outside", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_all_indices_skip_rules_outside():
    g = grp.expand(x=[1, 2, 3])
    for rule in RULES:
        g >> make(rule)()


c6_grp_all_indices_skip_rules_outside()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.check": {"map_count": 3, "states": {"skipped": 3}},
        "grp.load": {"map_count": 3, "states": {"skipped": 3}},
        "r_all_success": {"states": {"skipped": 1}},
        "r_all_failed": {"states": {"skipped": 1}},
        "r_all_done": {"states": {"success": 1}},
        "r_all_skipped": {"states": {"success": 1}},
        "r_one_success": {"states": {"skipped": 1}},
        "r_one_failed": {"states": {"skipped": 1}},
        "r_one_done": {"states": {"skipped": 1}},
        "r_none_failed": {"states": {"success": 1}},
        "r_none_failed_min_one_success": {"states": {"skipped": 1}},
        "r_none_skipped": {"states": {"skipped": 1}},
        "r_always": {"states": {"success": 1}},
    },
}
