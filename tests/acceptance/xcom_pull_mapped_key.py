"""ti.xcom_pull(task_ids=T, key=K) of a mapped @task(multiple_outputs=True), without map_indexes,
returns every index's value under K, in map_index order -- as it does for the return value.

Airflow 2.10 (airflow/models/taskinstance.py, ``_xcom_pull``): with one task id and map_indexes
None, it queries ``XCom.get_many(key=key, ...)``; when the first row's map_index is >= 0 it returns
``LazyXComSelectSequence.from_select(..., order_by=[XCom.map_index])`` -- the values of that key of
every index. A mapped multiple_outputs instance pushes each dict key as its own XCom at its map
index (DecoratedOperator._handle_output). Chordflow's xcom_pull_mapped case covers the return value.
"""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task(multiple_outputs=True)
def split(x: int) -> dict:
    return {"a": x, "b": x * 10}


@task
def pull() -> dict:
    ti = get_current_context()["ti"]
    a = ti.xcom_pull(task_ids="split", key="a")
    one = ti.xcom_pull(task_ids="split", key="b", map_indexes=1)
    return {"a": None if a is None else list(a), "b1": one}


@dag(dag_id="xcom_pull_mapped_key", schedule=None, start_date=datetime(2022, 1, 1))
def xcom_pull_mapped_key():
    split.expand(x=[1, 2, 3]) >> pull()


xcom_pull_mapped_key()

EXPECTED = {
    "state": "success",
    "xcom": [["pull", None, {"a": [1, 2, 3], "b1": 20}]],
}
