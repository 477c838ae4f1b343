"""A mapped task group of two indices: index 0's `check` fails, index 1's skips itself two seconds
later (all_success and the rules like it decide on a skipped upstream at once, in Airflow as here:
the failure must come first for one outcome), so `load` ends [upstream_failed, skipped] -- no
success and no failure of its own. Tasks outside the group
after `load` (by >>):
all_success upstream_failed, all_failed skipped (a skip), all_done runs, all_skipped skipped,
one_success upstream_failed, one_failed runs, one_done skipped, none_failed upstream_failed,
none_failed_min_one_success upstream_failed, none_skipped skipped, always runs. A leaf is
upstream_failed -> run failed.

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py _evaluate_direct_relatives (upstream = 2, skipped 1,
upstream_failed 1): ALL_SUCCESS ``if upstream_failed or failed: UPSTREAM_FAILED`` (checked before
skipped); ALL_FAILED ``if success or skipped: SKIPPED``; ALL_SKIPPED ``if success or failed or
upstream_failed: SKIPPED``; ONE_SUCCESS ``elif upstream_done and success <= 0: UPSTREAM_FAILED``
(done != skipped); ONE_FAILED passes on upstream_failed; ONE_DONE ``if upstream_done and not
(failed or success): SKIPPED``; NONE_FAILED(_MIN_ONE_SUCCESS) ``if upstream_failed or failed:
UPSTREAM_FAILED``; NONE_SKIPPED ``if skipped: SKIPPED``.
"""
import time
from datetime import datetime

from orchestrator import AirflowSkipException, dag, task, task_group


@task
def check(x):
    if x == 1:
        raise ValueError(f"bad {x}")
    time.sleep(2)
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


@dag(dag_id="c6_grp_skip_and_upstream_failed_rules", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_skip_and_upstream_failed_rules():
    g = grp.expand(x=[1, 2])
    for rule in RULES:
        g >> make(rule)()


c6_grp_skip_and_upstream_failed_rules()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "grp.check": {"map_count": 2, "states": {"skipped": 1, "failed": 1}},
        "grp.load": {"map_count": 2, "states": {"skipped": 1, "upstream_failed": 1}},
        "r_all_success": {"states": {"upstream_failed": 1}},
        "r_all_failed": {"states": {"skipped": 1}},
        "r_all_done": {"states": {"success": 1}},
        "r_all_skipped": {"states": {"skipped": 1}},
        "r_one_success": {"states": {"upstream_failed": 1}},
        "r_one_failed": {"states": {"success": 1}},
        "r_one_done": {"states": {"skipped": 1}},
        "r_none_failed": {"states": {"upstream_failed": 1}},
        "r_none_failed_min_one_success": {"states": {"upstream_failed": 1}},
        "r_none_skipped": {"states": {"skipped": 1}},
        "r_always": {"states": {"success": 1}},
    },
}
