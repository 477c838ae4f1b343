"""A reduce may use the lazy sequence of a map's results like a list: len(), positive and negative
indexing, slices (also negative and reversed), `in`, iterating twice, truthiness, equality.

Airflow 2.8-2.10: a reduce receives a LazyXComSelectSequence (airflow/models/xcom.py), a subclass
of LazySelectSequence (airflow/utils/db.py), a ``collections.abc.Sequence``: ``__len__`` is a COUNT,
``__getitem__`` takes an int (negative via the descending select) or a slice with step None, 1 or
-1 (``_coerce_slice``; a slice returns a list), ``__iter__`` re-runs the select each time,
``__bool__`` is an EXISTS, ``__eq__`` compares with any Sequence element by element; ``in``,
``index`` and ``count`` come from the Sequence mixins.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def square(x: int) -> int:
    return x * x


@task
def inspect_values(values) -> dict:
    return {
        "len": len(values),
        "first": values[0],
        "last": values[-1],
        "middle": values[1:3],
        "tail": values[-2:],
        "reversed": values[::-1],
        "has_9": 9 in values,
        "index_of_16": values.index(16),
        "twice": [sum(values), sum(v for v in values)],
        "truthy": bool(values),
        "equal": values == [1, 4, 9, 16, 25],
    }


@dag(dag_id="lazy_sequence_ops", schedule=None, start_date=datetime(2022, 1, 1))
def lazy_sequence_ops():
    inspect_values(square.expand(x=[1, 2, 3, 4, 5]))


lazy_sequence_ops()

EXPECTED = {
    "state": "success",
    "xcom": [["inspect_values", None, {
        "len": 5, "first": 1, "last": 25, "middle": [4, 9], "tail": [16, 25], "reversed": [25, 16, 9, 4, 1],
        "has_9": True, "index_of_16": 3, "twice": [55, 55], "truthy": True, "equal": True,
    }]],
}
