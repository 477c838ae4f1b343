"""A branch inside a mapped task group follows nothing in index 1 (returns None) and `a` in the
others; the group's join uses one_success: index by index, so the join is skipped in index 1
(both its upstream instances there are skipped) and runs in the others. Airflow 2.10.5's
_get_relevant_upstream_map_indexes (ti_deps/deps/trigger_rule_dep.py) returns every index for
one_success / one_failed / one_done in a mapped group ("fast-triggered"), so its join[1] runs on
the other indices' successes: apache/airflow#50210, not copied (README, Branching: differences).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task.branch
def route(x):
    return None if x == 2 else "grp.a"


@task
def a(x):
    return x


@task
def b(x):
    return -x


@task(trigger_rule=TriggerRule.ONE_SUCCESS)
def join():
    return "joined"


@task_group
def grp(x):
    br = route(x)
    ta = a(x)
    tb = b(x)
    br >> [ta, tb]
    [ta, tb] >> join()


@dag(dag_id="c6_branch_in_group_one_success_join", schedule=None, start_date=datetime(2022, 1, 1))
def c6_branch_in_group_one_success_join():
    grp.expand(x=[1, 2, 3])


c6_branch_in_group_one_success_join()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.a": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.b": {"map_count": 3, "states": {"skipped": 3}},
        "grp.join": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
    },
    "instances": [["grp.join", 1, {"state": "skipped"}]],
}
