"""A task inside a mapped task group downstream (>>) of a mapped task OUTSIDE the group, both of
length 3: the group's task depends on every instance of the outside map, not on the same index.

Airflow 2.10.5 airflow/models/taskinstance.py TaskInstance.get_relevant_upstream_map_indexes:
``common_ancestor = _find_common_ancestor_mapped_group(self.task, upstream); if common_ancestor
is None: return None`` (None = all map indexes, trigger_rule_dep.py _iter_upstream_conditions:
``if map_indexes is None: yield TaskInstance.task_id == upstream_id``). `outer` fails at index 1,
so in EVERY index of the group: all_success `first` -> upstream_failed (``if upstream_failed or
failed``), none_failed `nf` -> upstream_failed, all_done `tidy` runs. `first`'s own downstream
`second` (all_success) is upstream_failed in every index. Leaves: second upstream_failed -> run
failed.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def outer(x):
    if x == 2:
        raise ValueError("outer 2")
    return x


@task
def first(y):
    return y


@task
def second(v):
    return v


@task(trigger_rule=TriggerRule.NONE_FAILED)
def nf(y):
    return y


@task(trigger_rule=TriggerRule.ALL_DONE)
def tidy(y):
    return y * 100


@dag(dag_id="c6_grp_after_outside_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def c6_grp_after_outside_mapped():
    o = outer.expand(x=[1, 2, 3])

    @task_group
    def grp(y):
        f = first(y)
        o >> [f, nf(y), tidy(y)]
        second(f)

    grp.expand(y=[1, 2, 3])


c6_grp_after_outside_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "outer": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "grp.first": {"map_count": 3, "states": {"upstream_failed": 3}},
        "grp.second": {"map_count": 3, "states": {"upstream_failed": 3}},
        "grp.nf": {"map_count": 3, "states": {"upstream_failed": 3}},
        "grp.tidy": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["grp.tidy", 0, 100], ["grp.tidy", 2, 300]],
}
