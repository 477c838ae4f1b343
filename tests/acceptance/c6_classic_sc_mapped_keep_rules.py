"""A classic ShortCircuitOperator mapped with partial().expand(op_args=...) of 2 instances,
ignore_downstream_trigger_rules=False, in front of a map over literals of 3: index 1 being false
skips index 1 of the direct downstream only; index 2 of the downstream has no short-circuit
instance at its index and runs; an unmapped all_done task further on runs.

Airflow 2.10.5 operators/python.py ShortCircuitOperator.execute (``get_direct_relatives`` when
ignore_downstream_trigger_rules is False) -> models/skipmixin.py SkipMixin._skip with map_index 1:
only the XCom ``{"skipped": ["child"]}`` at map_index 1; ti_deps/deps/not_previously_skipped_dep.py
skips child[1] (reads ``map_indexes=ti.map_index``); child[2] finds no XCom at index 2 and its
all_success trigger rule over the 2 gate instances (both success) passes. `tail` (all_done) runs.
The falsy result is pushed as the instance's XCom.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task
from orchestrator.operators import ShortCircuitOperator


def keep(flag):
    return flag


@task
def child(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def tail():
    return "tail"


@dag(dag_id="c6_classic_sc_mapped_keep_rules", schedule=None, start_date=datetime(2022, 1, 1))
def c6_classic_sc_mapped_keep_rules():
    gate = ShortCircuitOperator.partial(
        task_id="gate", python_callable=keep, ignore_downstream_trigger_rules=False
    ).expand(op_args=[[True], [False]])
    c = child.expand(x=[1, 2, 3])
    gate >> c >> tail()


c6_classic_sc_mapped_keep_rules()

EXPECTED = {
    "state": "success",
    "tasks": {
        "gate": {"map_count": 2, "states": {"success": 2}},
        "child": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "tail": {"states": {"success": 1}},
    },
    "instances": [["child", 1, {"state": "skipped"}], ["child", 2, {"state": "success"}]],
    "xcom": [["gate", 1, False], ["gate", 0, True]],
}
