"""Mapped task groups expanded over the output of a map with one failed instance:
- `strict_grp` (its first task all_success): upstream_failed before expanding (map_count 0), and
  so is its second task;
- `tolerant_grp` (its first task all_done): expands over the 2 values that were pushed; its second
  task (all_success) runs per index.
An all_done reduce over tolerant_grp gets its 2 values. Leaf strict_grp.second upstream_failed ->
run failed.

Airflow 2.10.5: the group's task instances start unexpanded (-1) since the input is an output;
DagRun._get_ready_tis (models/dagrun.py) checks are_dependencies_met BEFORE
_expand_mapped_task_if_needed. strict_grp.first: TriggerRuleDep ALL_SUCCESS over every `risky`
instance (outside the group: all instances) -> ``if upstream_failed or failed: UPSTREAM_FAILED``;
strict_grp.second follows (upstream_failed). tolerant_grp.first: all_done met;
MappedTaskUpstreamDep (mapped_task_upstream_dep.py) finds no -1 instance of `risky` -> met; then
MappedTaskGroup.get_mapped_ti_count -> models/xcom_arg.py _get_task_map_length counts the pushed
XComs (``func.count(XCom.map_index) ... map_index >= 0``) = 2.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def risky(x):
    if x == 2:
        raise ValueError("risky 2")
    return x * 10


@task
def first_strict(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def first_tolerant(v):
    return v


@task
def second(v):
    return v + 1


@task(trigger_rule=TriggerRule.ALL_DONE)
def total(values):
    return list(values)


@task_group
def strict_grp(v):
    return second(first_strict(v))


@task_group
def tolerant_grp(v):
    return second(first_tolerant(v))


@dag(dag_id="c6_grp_over_partly_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_over_partly_failed_map():
    r = risky.expand(x=[1, 2, 3])
    strict_grp.expand(v=r)
    total(tolerant_grp.expand(v=r))


c6_grp_over_partly_failed_map()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "risky": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "strict_grp.first_strict": {"map_count": 0, "states": {"upstream_failed": 1}},
        "strict_grp.second": {"map_count": 0, "states": {"upstream_failed": 1}},
        "tolerant_grp.first_tolerant": {"map_count": 2, "states": {"success": 2}},
        "tolerant_grp.second": {"map_count": 2, "states": {"success": 2}},
        "total": {"states": {"success": 1}},
    },
    "xcom": [["total", None, [11, 31]], ["tolerant_grp.first_tolerant", 1, 30]],
}
