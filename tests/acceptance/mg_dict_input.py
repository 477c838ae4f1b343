"""Variant of mapped_group: a mapped task group over a literal DICT gives each index a (key, value)
pair, as expand() on a task does. Airflow: MappedArgument.resolve -> DictOfListsExpandInput
._expand_mapped_field: for a dict `return k, v` (a tuple)."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def describe(pair) -> str:
    key, value = pair
    return f"{type(pair).__name__}:{key}={value}"


@task
def shout(text: str) -> str:
    return text.upper()


@task_group
def per_pair(pair):
    return shout(describe(pair))


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mg_dict_input", schedule=None, start_date=datetime(2022, 1, 1))
def mg_dict_input():
    collect(per_pair.expand(pair={"a": 1, "b": 2}))


mg_dict_input()

EXPECTED = {
    "state": "success",
    "tasks": {"per_pair.describe": {"map_count": 2}, "per_pair.shout": {"map_count": 2}},
    "xcom": [["collect", None, ["TUPLE:A=1", "TUPLE:B=2"]]],
}
