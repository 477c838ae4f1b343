"""A short-circuit with ignore_downstream_trigger_rules=False inside a mapped task group: in the
indices where it is false only its direct downstream task is skipped, and the all_done task after
it still runs (python.rst ShortCircuitOperator; per index as in apache/airflow#48845).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task.short_circuit(ignore_downstream_trigger_rules=False)
def has_rows(rows):
    return rows > 0


@task
def load(rows):
    return rows


@task(trigger_rule=TriggerRule.ALL_DONE)
def audit(rows):
    return f"audited {rows}"


@task_group
def per_table(rows):
    has_rows(rows) >> load(rows) >> audit(rows)


@dag(dag_id="short_circuit_respects_rules_in_group", schedule=None, start_date=datetime(2022, 1, 1))
def short_circuit_respects_rules_in_group():
    per_table.expand(rows=[3, 0, 8])


short_circuit_respects_rules_in_group()

EXPECTED = {
    "state": "success",
    "tasks": {
        "per_table.has_rows": {"map_count": 3, "states": {"success": 3}},
        "per_table.load": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "per_table.audit": {"map_count": 3, "states": {"success": 3}},
    },
    "instances": [["per_table.load", 1, {"state": "skipped"}]],
    "xcom": [["per_table.audit", 1, "audited 0"], ["per_table.has_rows", 1, False]],
}
