"""A branch inside a mapped task group that follows nothing (returns None) in one index: in that
index both of its direct downstream tasks are skipped and the group's none_failed_min_one_success
join is skipped; in the other indices it follows `work`, `spare` is skipped and the join runs. A
reduce outside the group (none_failed) gets the join values of the indices that ran.

Airflow 2.10.5: operators/branch.py BranchMixIn.do_branch -> _expand_task_group_roots (None ->
nothing) -> models/skipmixin.py SkipMixin._skip_all_except: ``elif branch_task_ids is None:
branch_task_id_set = set()``; skip_tasks are the downstream instances at the branch's own
map_index (``dag_run.get_task_instance(t.task_id, map_index=ti.map_index)``), set SKIPPED by
_set_state_to_skipped with (task_id, map_index) tuples. The join (not a fast-triggered rule) sees
its own index only (taskinstance.py get_relevant_upstream_map_indexes: same mapped group -> the
same map index); trigger_rule_dep.py NONE_FAILED_MIN_ONE_SUCCESS ``elif skipped == upstream:
SKIPPED``. The outside reduce counts every join instance (2 success, 1 skipped): none_failed runs;
its sequence holds the two pushed values (skipped instance has no XCom).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task.branch
def route(x):
    return None if x == 2 else "grp.work"


@task
def work(x):
    return x * 10


@task
def spare(x):
    return -x


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def join(x):
    return x


@task(trigger_rule=TriggerRule.NONE_FAILED)
def total(values):
    return sorted(values)


@task_group
def grp(x):
    r = route(x)
    w = work(x)
    s = spare(x)
    r >> [w, s]
    j = join(x)
    [w, s] >> j
    return j


@dag(dag_id="c6_branch_in_group_none", schedule=None, start_date=datetime(2022, 1, 1))
def c6_branch_in_group_none():
    total(grp.expand(x=[1, 2, 3]))


c6_branch_in_group_none()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.route": {"map_count": 3, "states": {"success": 3}},
        "grp.work": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.spare": {"map_count": 3, "states": {"skipped": 3}},
        "grp.join": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "total": {"states": {"success": 1}},
    },
    "instances": [["grp.work", 1, {"state": "skipped"}], ["grp.join", 1, {"state": "skipped"}]],
    "xcom": [["total", None, [1, 3]]],
}
