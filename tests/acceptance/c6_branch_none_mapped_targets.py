"""An unmapped branch that returns None in front of two maps over an upstream output: both maps are
skipped before expanding (map_count 0); downstream joins follow their trigger rules over the two
skipped (unexpanded) upstream instances.

Airflow 2.10.5 airflow/models/skipmixin.py SkipMixin._skip_all_except: ``elif branch_task_ids is
None: branch_task_id_set = set()``; each direct downstream's instance at the branch's map_index
(-1: the maps are unexpanded, their source `src` is upstream of the branch too... their trigger
rule waits for `route`) is in skip_tasks -> SKIPPED. Then trigger_rule_dep.py
_evaluate_direct_relatives with upstream = 2 skipped:
- join_nfmos (none_failed_min_one_success): ``elif skipped == upstream: SKIPPED``
- join_nf (none_failed): upstream - success - skipped == 0 -> runs
- join_all_skipped (all_skipped): runs
- join_one_done (one_done): ``if upstream_done and not (failed or success): SKIPPED``
- join_all_done: runs; it reads a.output: no XCom pushed.
Leaves success/skipped: run success.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def src():
    return [1, 2, 3]


@task.branch
def route(values):
    return None


@task
def a(x):
    return x


@task
def b(x):
    return x


def make(rule):
    @task(task_id=f"join_{rule}", trigger_rule=rule)
    def join():
        return rule

    return join


@dag(dag_id="c6_branch_none_mapped_targets", schedule=None, start_date=datetime(2022, 1, 1))
def c6_branch_none_mapped_targets():
    s = src()
    r = route(s)
    ma = a.expand(x=s)
    mb = b.expand(x=s)
    r >> [ma, mb]
    for rule in ["none_failed_min_one_success", "none_failed", "all_skipped", "one_done", "all_done"]:
        [ma, mb] >> make(rule)()


c6_branch_none_mapped_targets()

EXPECTED = {
    "state": "success",
    "tasks": {
        "route": {"states": {"success": 1}},
        "a": {"map_count": 0, "states": {"skipped": 1}},
        "b": {"map_count": 0, "states": {"skipped": 1}},
        "join_none_failed_min_one_success": {"states": {"skipped": 1}},
        "join_none_failed": {"states": {"success": 1}},
        "join_all_skipped": {"states": {"success": 1}},
        "join_one_done": {"states": {"skipped": 1}},
        "join_all_done": {"states": {"success": 1}},
    },
}
