"""A template naming a Variable that does not exist fails that instance (Airflow: KeyError
"Variable <key> does not exist"), and only that instance: downstream follows its trigger rule."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def read(n: int, setting: str) -> str:
    return f"{n}:{setting}"


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values) -> list:
    return list(values)


@dag(dag_id="variable_missing_fails_the_instance", schedule=None, start_date=datetime(2022, 1, 1))
def variable_missing_fails_the_instance():
    collect(read.expand(n=[1, 2], setting=["{{ var.value.get('acceptance_absent', 'x') }}",
                                           "{{ var.value.acceptance_absent }}"]))


variable_missing_fails_the_instance()

EXPECTED = {
    "state": "success",  # its only leaf, collect (all_done), succeeded
    "tasks": {"read": {"map_count": 4, "states": {"success": 2, "failed": 2}}},
    "instances": [["read", 1, {"state": "failed", "error_contains": "Variable acceptance_absent does not exist"}]],
    "xcom": [["read", 0, "1:x"], ["collect", None, ["1:x", "2:x"]]],
}
