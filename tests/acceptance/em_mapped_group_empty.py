"""Variant of empty_map x mapped_group: a mapped task group over an empty upstream list. Airflow: every
task in the group expands to 0 instances -> skipped; the group's downstream with all_success skipped,
one with all_done runs with an empty sequence; run success."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task, task_group


@task
def nothing() -> list:
    return []


@task
def extract(name: str) -> str:
    return name


@task
def finish(text: str) -> str:
    return text + "!"


@task_group
def per_file(name: str):
    return finish(extract(name))


@task
def strict(values) -> int:
    return len(list(values))


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> list:
    return list(values)


@dag(dag_id="em_mapped_group_empty", schedule=None, start_date=datetime(2022, 1, 1))
def em_mapped_group_empty():
    out = per_file.expand(name=nothing())
    strict(out)
    tolerant(out)


em_mapped_group_empty()

EXPECTED = {
    "state": "success",
    "tasks": {
        "per_file.extract": {"map_count": 0, "states": {"skipped": 1}},
        "per_file.finish": {"map_count": 0, "states": {"skipped": 1}},
        "strict": {"states": {"skipped": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, []]],
}
