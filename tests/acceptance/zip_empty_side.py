"""zip() with one empty side: without fillvalue the zip is empty, so the mapped task is skipped
(map_count 0); with a fillvalue it is as long as the other side, padded.

Airflow 2.x (airflow/models/xcom_arg.py, ZipXComArg.get_task_map_length): min of the lengths when
fillvalue is NOTSET, else max. A zero-length expansion marks the mapped task skipped
(docs, dynamic-task-mapping.rst: "If the input is empty (zero length), no new tasks will be
created and the mapped task will be marked as SKIPPED").
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def three() -> list:
    return [1, 2, 3]


@task
def nothing() -> list:
    return []


@task
def pair(p) -> str:
    return f"{p[0]}-{p[1]}"


@task(trigger_rule=TriggerRule.NONE_FAILED)
def collect(values) -> list:
    return list(values)


@dag(dag_id="zip_empty_side", schedule=None, start_date=datetime(2022, 1, 1))
def zip_empty_side():
    numbers, empty = three(), nothing()
    pair.override(task_id="shortest").expand(p=numbers.zip(empty))
    padded = pair.override(task_id="padded").expand(p=numbers.zip(empty, fillvalue=0))
    collect(padded)


zip_empty_side()

EXPECTED = {
    "state": "success",
    "tasks": {
        "shortest": {"map_count": 0, "states": {"skipped": 1}},
        "padded": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["collect", None, ["1-0", "2-0", "3-0"]]],
}
