"""A mapped task whose instances return None for some indices pushes nothing for them: a
downstream expand() over its output maps over the values that were pushed only, and a reduce
receives only those.

Airflow 2.x: ``_execute_task`` pushes the return value only ``if xcom_value is not None``
(airflow/models/taskinstance.py), and ``_record_task_map_for_downstreams`` returns at once for a
MappedOperator (no check of a mapped source). The downstream's length is
``PlainXComArg.get_task_map_length``: for a mapped upstream, ``count(XCom.map_index)`` of the
return_value rows (airflow/models/xcom_arg.py); each instance resolves the i-th pushed value
(xcom_pull over the pushed rows ordered by map_index). A reduce gets the same lazy sequence of
pushed values (LazyXComSelectSequence): the None results are not in it.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def keep_odd(x: int):
    return x * 10 if x % 2 else None


@task
def plus_one(v: int) -> int:
    return v + 1


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="mapped_none_results", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_none_results():
    odd = keep_odd.expand(x=[1, 2, 3, 4, 5])
    collect.override(task_id="collect_odd")(odd)
    collect.override(task_id="collect_next")(plus_one.expand(v=odd))


mapped_none_results()

EXPECTED = {
    "state": "success",
    "tasks": {
        "keep_odd": {"map_count": 5, "states": {"success": 5}},
        "plus_one": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["collect_odd", None, [10, 30, 50]], ["collect_next", None, [11, 31, 51]]],
}
