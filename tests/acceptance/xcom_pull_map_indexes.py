"""ti.xcom_pull of another mapped task from inside a mapped instance: map_indexes=ti.map_index gives
that one value; map_indexes=[2, 0] gives the values in the order asked for; a range with a negative
step gives them in descending index order; an index that pushed nothing is left out.

Airflow 2.10, TaskInstance._xcom_pull (airflow/models/taskinstance.py): with one task id and an int
map index it returns that value; with an iterable of indices it orders the LazyXComSelectSequence
``case(map_index_whens, value=XCom.map_index)`` (the order asked for), and for a range with
``step < 0`` by ``XCom.map_index.desc()``.
"""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task
def produce(x):
    return None if x == 1 else x * 100


@task
def consume(y):
    ti = get_current_context()["ti"]
    return {
        "own": ti.xcom_pull(task_ids="produce", map_indexes=ti.map_index),
        "listed": list(ti.xcom_pull(task_ids="produce", map_indexes=[2, 0])),
        "desc": list(ti.xcom_pull(task_ids="produce", map_indexes=range(3, -1, -1))),
    }


@dag(dag_id="xcom_pull_map_indexes", schedule=None, start_date=datetime(2022, 1, 1))
def xcom_pull_map_indexes():
    produce.expand(x=[0, 1, 2, 3]) >> consume.expand(y=[0, 1])


xcom_pull_map_indexes()

EXPECTED = {
    "state": "success",
    "xcom": [["consume", 0, {"own": 0, "listed": [200, 0], "desc": [300, 200, 0]}],
             ["consume", 1, {"own": None, "listed": [200, 0], "desc": [300, 200, 0]}]],
}
