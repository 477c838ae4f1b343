"""A mapped task group over a dict literal: each index gets one (key, value) pair; the group's
output transformed with .map() outside the group and handed to a reduce.

Airflow 2.10: DictOfListsExpandInput._expand_mapped_field (airflow/models/expandinput.py) returns
``(k, v)`` for the index's item of a dict; MapXComArg over a mapped task's output applies the
function to each pushed value (airflow/models/xcom_arg.py).
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def describe(pair):
    key, value = pair
    return f"{key}={value}"


@task
def collect(values):
    return list(values)


@task_group
def grp(pair):
    return describe(pair)


def shout(s):
    return s.upper()


@dag(dag_id="grp_dict_literal_and_map", schedule=None, start_date=datetime(2022, 1, 1))
def grp_dict_literal_and_map():
    out = grp.expand(pair={"a": 1, "b": 2})
    collect(out.map(shout))


grp_dict_literal_and_map()

EXPECTED = {
    "state": "success",
    "tasks": {"grp.describe": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["grp.describe", 1, "b=2"], ["collect", None, ["A=1", "B=2"]]],
}
