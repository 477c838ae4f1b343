"""A mapped @task(multiple_outputs=True): a downstream given ``mapped["a"]`` receives the values each
index pushed under key "a", in map_index order; another given ``mapped["b"]`` gets those of "b".

Airflow 2.x: a mapped instance with multiple_outputs pushes each dict key as its own XCom
(``TaskInstance.xcom_push`` per key, map_index set); ``mapped["a"]`` is ``PlainXComArg(op, key="a")``
whose ``resolve`` does ``ti.xcom_pull(task_ids, key="a", map_indexes=None)`` -- for a mapped task,
every index's value, ordered by map_index (LazyXComSelectSequence).
"""
from datetime import datetime

from orchestrator import dag, task


@task(multiple_outputs=True)
def split(x: int) -> dict:
    return {"a": x, "b": x * 10}


@task
def total(values) -> int:
    return sum(values)


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mapped_multiple_outputs_key", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_multiple_outputs_key():
    parts = split.expand(x=[1, 2, 3])
    total(parts["a"])
    collect(parts["b"])


mapped_multiple_outputs_key()

EXPECTED = {
    "state": "success",
    "tasks": {"split": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["total", None, 6], ["collect", None, [10, 20, 30]]],
}
