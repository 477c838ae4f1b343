"""XComArg.concat (Airflow 2.10): one mapped task over several upstream outputs, one after
another -- lists, a dict (which gives its keys) and a mapped task's results; a reduce takes a
concatenation whole."""
from datetime import datetime

from orchestrator import dag, task


@task
def list_a():
    return ["a", "b", "c"]


@task
def list_b():
    return ["d", "e"]


@task
def names_by_id():
    return {"f": 1, "g": 2}


@task
def double(x):
    return x * 2


@task
def shout(name):
    return str(name).upper()


@task
def joined(names):
    return "".join(names)


@task
def summary(values):
    return [len(values), values[0], values[-1], list(values)[5:]]


@dag(dag_id="concat_upstreams", schedule=None, start_date=datetime(2022, 1, 1))
def concat_upstreams():
    names = list_a().concat(list_b()).concat(names_by_id())
    joined(shout.expand(name=names))
    doubled = double.expand(x=[1, 2])
    summary(names.concat(doubled))


concat_upstreams()

EXPECTED = {
    "state": "success",
    "tasks": {
        "list_a": {"states": {"success": 1}},
        "list_b": {"states": {"success": 1}},
        "names_by_id": {"states": {"success": 1}},
        "shout": {"map_count": 7, "states": {"success": 7}},
        "double": {"map_count": 2, "states": {"success": 2}},
        "joined": {"states": {"success": 1}},
        "summary": {"states": {"success": 1}},
    },
    "xcom": [
        ["shout", 0, "A"],
        ["shout", 5, "F"],
        ["shout", 6, "G"],
        ["joined", None, "ABCDEFG"],
        ["summary", None, [9, "a", 4, ["f", "g", 2, 4]]],
    ],
}
