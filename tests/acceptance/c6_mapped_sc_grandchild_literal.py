"""A MAPPED short-circuit (ignore_downstream_trigger_rules=True, the default) whose index 1 is
false, in front of a map over literals, followed by two more maps over literals: only index 1 of
the DIRECT downstream map is skipped by the decision; tasks further on are decided by their
trigger rules over every instance of `child` (outside a task group).

Airflow 2.10.5 operators/python.py ShortCircuitOperator.execute -> SkipMixin.skip(...,
map_index=1) -> models/skipmixin.py _skip: with map_index != -1 nothing is set to skipped; only
``XCom.set(key=XCOM_SKIPMIXIN_KEY, value={"skipped": [child, grand_strict, grand_done]},
map_index=1)``. ti_deps/deps/not_previously_skipped_dep.py looks only at DIRECT upstream parents
(``ti.task.get_direct_relatives(upstream=True)``), at ``map_indexes=ti.map_index``: child[1] is
skipped; the grandchildren's parent is `child`, which pushed no skipmixin_key -> not skipped by it.
trigger_rule_dep.py (not in a mapped group -> all instances of child: 2 success + 1 skipped):
grand_strict (all_success) -> ``elif skipped: SKIPPED`` in all 3; grand_done (all_done) runs in
all 3, index 1 included. Run success.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task.short_circuit
def gate(flag):
    return flag


@task
def child(x):
    return x


@task
def grand_strict(y):
    return y


@task(trigger_rule=TriggerRule.ALL_DONE)
def grand_done(y):
    return y * 10


@dag(dag_id="c6_mapped_sc_grandchild_literal", schedule=None, start_date=datetime(2022, 1, 1))
def c6_mapped_sc_grandchild_literal():
    c = child.expand(x=[1, 2, 3])
    gate.expand(flag=[True, False, True]) >> c
    c >> grand_strict.expand(y=[1, 2, 3])
    c >> grand_done.expand(y=[1, 2, 3])


c6_mapped_sc_grandchild_literal()

EXPECTED = {
    "state": "success",
    "tasks": {
        "gate": {"map_count": 3, "states": {"success": 3}},
        "child": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grand_strict": {"map_count": 3, "states": {"skipped": 3}},
        "grand_done": {"map_count": 3, "states": {"success": 3}},
    },
    "instances": [["child", 1, {"state": "skipped"}], ["grand_done", 1, {"state": "success"}]],
    "xcom": [["grand_done", 1, 20], ["gate", 1, False]],
}
