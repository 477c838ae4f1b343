"""Variant of dict_kwargs_zip_map / non_list_upstream: expand_kwargs() over an upstream that returned a
DICT. Airflow: a dict is mappable, so the upstream succeeds and the map has len(dict) = 2 instances
(TaskMap length); each instance then fails in ListOfDictsExpandInput.resolve: `if not
isinstance(mappings, collections.abc.Sequence): raise ValueError("expand_kwargs() expects a list[dict],
not dict")`."""
from datetime import datetime

from orchestrator import dag, task


@task
def kwargs_dict() -> dict:
    return {"x": 1, "y": 2}


@task
def add(x: int, y: int) -> int:
    return x + y


@dag(dag_id="dk_expand_kwargs_over_dict_output", schedule=None, start_date=datetime(2022, 1, 1))
def dk_expand_kwargs_over_dict_output():
    add.expand_kwargs(kwargs_dict())


dk_expand_kwargs_over_dict_output()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "kwargs_dict": {"states": {"success": 1}},
        "add": {"map_count": 2, "states": {"failed": 2}},
    },
    "instances": [["add", 0, {"state": "failed", "error_contains": "dict"}]],
}
