"""A mapped short-circuit (outside any group) in front of a mapped task group over literals of the
same length: index i being false skips index i of the group's root (a direct downstream), and the
group's next task at index i follows by its trigger rule (all_success over its own index -> skipped,
an all_done one runs). Other indices run.

Airflow 2.10.5: operators/python.py ShortCircuitOperator.execute -> SkipMixin._skip (models/
skipmixin.py) with map_index=1: only ``XCom.set(key=XCOM_SKIPMIXIN_KEY, value={"skipped": [...]},
map_index=1)``; ti_deps/deps/not_previously_skipped_dep.py for grp.first[1] (direct child) reads it
at ``map_indexes=1`` -> SKIPPED. grp.after (its parent grp.first is no SkipMixin) follows
TriggerRuleDep over the same index (same mapped group: TaskInstance.get_relevant_upstream_map_indexes)
-> ``elif skipped: SKIPPED``; grp.tidy (all_done) runs. Run success.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task.short_circuit
def gate(flag):
    return flag


@task
def first(x):
    return x


@task
def after(v):
    return v * 10


@task(trigger_rule=TriggerRule.ALL_DONE)
def tidy():
    return "tidy"


@task_group
def grp(x):
    f = first(x)
    after(f)
    f >> tidy()


@dag(dag_id="c6_mapped_sc_into_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mapped_sc_into_mapped_group():
    gate.expand(flag=[True, False, True]) >> grp.expand(x=[1, 2, 3])


c6_mapped_sc_into_mapped_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.first": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.after": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.tidy": {"map_count": 3, "states": {"success": 3}},
    },
    "instances": [["grp.first", 1, {"state": "skipped"}], ["grp.after", 1, {"state": "skipped"}]],
    "xcom": [["grp.after", 2, 30]],
}
