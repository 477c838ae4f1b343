"""Variant of dict_kwargs_zip_map: expand() over the WHOLE output of a multiple_outputs task maps over
its dict's items (Airflow pushes return_value as well as each key: taskinstance.py/_execute_task
xcom_push of the whole result, decorators/python.py multiple_outputs pushes keys in addition)."""
from datetime import datetime

from orchestrator import dag, task


@task(multiple_outputs=True)
def stats() -> dict:
    return {"min": 1, "max": 9}


@task
def show(pair) -> str:
    key, value = pair
    return f"{key}={value}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_multiple_outputs_whole_dict", schedule=None, start_date=datetime(2022, 1, 1))
def dk_multiple_outputs_whole_dict():
    collect(show.expand(pair=stats()))


dk_multiple_outputs_whole_dict()

EXPECTED = {
    "state": "success",
    "tasks": {"show": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, ["min=1", "max=9"]]],
}
