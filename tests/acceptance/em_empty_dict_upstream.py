"""Variant of empty_map: the upstream returns an empty DICT. Airflow: a dict is mappable
(taskinstance.py _is_mappable_value), TaskMap length len({}) = 0, so the mapped task is skipped
(DagRun/MappedOperator expand_mapped_task: total_length 0 -> the unmapped TI is set SKIPPED);
all_success downstream skipped, all_done downstream runs with an empty sequence."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def nothing() -> dict:
    return {}


@task
def process(pair):
    return pair


@task
def strict(values) -> int:
    return len(list(values))


@task(trigger_rule=TriggerRule.ALL_DONE)
def tolerant(values) -> int:
    return len(list(values))


@dag(dag_id="em_empty_dict_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def em_empty_dict_upstream():
    processed = process.expand(pair=nothing())
    strict(processed)
    tolerant(processed)


em_empty_dict_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {
        "process": {"map_count": 0, "states": {"skipped": 1}},
        "strict": {"states": {"skipped": 1}},
        "tolerant": {"states": {"success": 1}},
    },
    "xcom": [["tolerant", None, 0]],
}
