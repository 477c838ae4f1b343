"""Variant of dict_kwargs_zip_map: dict keys that are not strings. A literal dict in the DAG file keeps
its int keys (the worker parses the DAG file: expandinput.py _expand_mapped_field returns the literal's
(k, v)); a dict that went through XCom has JSON's string keys (Airflow XCom.serialize_value ->
json.dumps)."""
from datetime import datetime

from orchestrator import dag, task


@task
def from_upstream() -> dict:
    return {1: "a"}


@task
def key_type(pair) -> str:
    return f"{type(pair[0]).__name__}:{pair[0]}:{pair[1]}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_dict_int_keys", schedule=None, start_date=datetime(2022, 1, 1))
def dk_dict_int_keys():
    collect.override(task_id="literal")(key_type.expand(pair={1: "a", 2: "b"}))
    collect.override(task_id="xcom")(key_type.override(task_id="key_type_x").expand(pair=from_upstream()))


dk_dict_int_keys()

EXPECTED = {
    "state": "success",
    "xcom": [["literal", None, ["int:1:a", "int:2:b"]], ["xcom", None, ["str:1:a"]]],
}
