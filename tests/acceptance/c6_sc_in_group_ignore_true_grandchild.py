"""A short-circuit inside a mapped task group, ignore_downstream_trigger_rules=True (the default),
false in index 1: index 1 of every task after it in the group is skipped, whatever its trigger
rule -- as ShortCircuitOperator's documentation says of ignore_downstream_trigger_rules=True ("all
downstream tasks are skipped"). Airflow 2.10.5 writes the decision (models/skipmixin.py _skip
with map_index 1: XCom only) and NotPreviouslySkippedDep reads it for direct downstream tasks only,
so an all_done task two hops on runs there: not copied (README, Branching: differences).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task.short_circuit
def gate(x):
    return x != 2


@task
def child(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def grand_done():
    return "done"


@task
def grand_strict():
    return "strict"


@task_group
def grp(x):
    c = child(x)
    gate(x) >> c
    c >> [grand_done(), grand_strict()]


@dag(dag_id="c6_sc_in_group_ignore_true_grandchild", schedule=None, start_date=datetime(2022, 1, 1))
def c6_sc_in_group_ignore_true_grandchild():
    grp.expand(x=[1, 2, 3])


c6_sc_in_group_ignore_true_grandchild()

EXPECTED = {
    "state": "success",
    "tasks": {
        "grp.gate": {"map_count": 3, "states": {"success": 3}},
        "grp.child": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.grand_done": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "grp.grand_strict": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
    },
    "instances": [["grp.child", 1, {"state": "skipped"}], ["grp.grand_done", 1, {"state": "skipped"}]],
}
