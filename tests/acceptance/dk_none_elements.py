"""Variant of dict_kwargs_zip_map: None elements. expand() over [None, 1, None]: each None reaches its
instance; an instance returning None pushes nothing (taskinstance.py _execute_task pushes only when the
value is not None), so a reduce sees only [2]; expand_kwargs with a None value in a dict passes None."""
from datetime import datetime

from orchestrator import dag, task


@task
def inc(x):
    return None if x is None else x + 1


@task
def pair(a, b):
    return f"{a}-{b}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_none_elements", schedule=None, start_date=datetime(2022, 1, 1))
def dk_none_elements():
    collect.override(task_id="incs")(inc.expand(x=[None, 1, None]))
    collect.override(task_id="pairs")(pair.expand_kwargs([{"a": None, "b": 1}, {"a": 2, "b": None}]))


dk_none_elements()

EXPECTED = {
    "state": "success",
    "tasks": {"inc": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["incs", None, [2]], ["pairs", None, ["None-1", "2-None"]]],
}
