"""Airflow's example_short_circuit_decorator (airflow/example_dags), its imports changed (and its
pendulum start date a datetime): a false condition skips every downstream task by default; with
ignore_downstream_trigger_rules=False only the direct downstream task is skipped and the all_done
task_7 still runs (docs howto/operator/python.rst, ShortCircuitOperator).
"""
from __future__ import annotations

from datetime import datetime

from orchestrator import TriggerRule, chain, dag, task
from orchestrator.operators import EmptyOperator


@dag(start_date=datetime(2021, 1, 1), catchup=False, tags=["example"])
def example_short_circuit_decorator():
    @task.short_circuit()
    def check_condition(condition):
        return condition

    ds_true = [EmptyOperator(task_id="true_" + str(i)) for i in [1, 2]]
    ds_false = [EmptyOperator(task_id="false_" + str(i)) for i in [1, 2]]

    condition_is_true = check_condition.override(task_id="condition_is_true")(condition=True)
    condition_is_false = check_condition.override(task_id="condition_is_false")(condition=False)

    chain(condition_is_true, *ds_true)
    chain(condition_is_false, *ds_false)

    [task_1, task_2, task_3, task_4, task_5, task_6] = [
        EmptyOperator(task_id=f"task_{i}") for i in range(1, 7)
    ]

    task_7 = EmptyOperator(task_id="task_7", trigger_rule=TriggerRule.ALL_DONE)

    short_circuit = check_condition.override(task_id="short_circuit", ignore_downstream_trigger_rules=False)(
        condition=False
    )

    chain(task_1, [task_2, short_circuit], [task_3, task_4], [task_5, task_6], task_7)


example_dag = example_short_circuit_decorator()

EXPECTED = {
    "state": "success",
    "tasks": {
        "condition_is_true": {"states": {"success": 1}},
        "true_1": {"states": {"success": 1}},
        "true_2": {"states": {"success": 1}},
        "condition_is_false": {"states": {"success": 1}},
        "false_1": {"states": {"skipped": 1}},
        "false_2": {"states": {"skipped": 1}},
        "short_circuit": {"states": {"success": 1}},
        "task_3": {"states": {"success": 1}},
        "task_4": {"states": {"skipped": 1}},
        "task_5": {"states": {"success": 1}},
        "task_6": {"states": {"skipped": 1}},
        "task_7": {"states": {"success": 1}},
    },
    "xcom": [["condition_is_true", None, True], ["condition_is_false", None, False]],
}
