"""Two separately mapped task groups of the same length chained with >> (g1 >> g2): g2's tasks
depend on EVERY index of g1's leaf, not on the same index -- the two groups share no mapped
ancestor.

Airflow 2.10.5 airflow/models/taskinstance.py TaskInstance.get_relevant_upstream_map_indexes:
``common_ancestor = _find_common_ancestor_mapped_group(self.task, upstream); if common_ancestor is
None: return None`` (all instances). g1.work fails at index 1 (x == 2), so g1.after is
upstream_failed at index 1; g2.load (all_success, root of g2) sees 2 success + 1 upstream_failed
in every index -> upstream_failed in all 3 (trigger_rule_dep.py ALL_SUCCESS ``if upstream_failed or
failed``); g2.note (all_done) runs in all 3. Leaf g2.load? No: leaves are g2.load's downstream
g2.store (upstream_failed) and g2.note (success): run failed.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def work(x):
    if x == 2:
        raise ValueError("work 2")
    return x


@task
def after(v):
    return v


@task
def load(y):
    return y


@task
def store(v):
    return v


@task(trigger_rule=TriggerRule.ALL_DONE)
def note(y):
    return y


@task_group
def g1(x):
    after(work(x))


@task_group
def g2(y):
    store(load(y))
    note(y)


@dag(dag_id="c6_two_mapped_groups_chained", schedule=None, start_date=datetime(2022, 1, 1))
def c6_two_mapped_groups_chained():
    g1.expand(x=[1, 2, 3]) >> g2.expand(y=[1, 2, 3])


c6_two_mapped_groups_chained()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "g1.work": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "g1.after": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
        "g2.load": {"map_count": 3, "states": {"upstream_failed": 3}},
        "g2.store": {"map_count": 3, "states": {"upstream_failed": 3}},
        "g2.note": {"map_count": 3, "states": {"success": 3}},
    },
}
