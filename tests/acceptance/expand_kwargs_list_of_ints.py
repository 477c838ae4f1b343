"""expand_kwargs() given a literal list whose elements are not dicts is refused when the file loads.

Airflow 2.10, _TaskDecorator.expand_kwargs: ``for item in kwargs: if not isinstance(item,
(XComArg, Mapping)): raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")``.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x, y=1):
    return x + y


@dag(dag_id="expand_kwargs_list_of_ints", schedule=None, start_date=datetime(2022, 1, 1))
def expand_kwargs_list_of_ints():
    add.expand_kwargs([1, 2])


expand_kwargs_list_of_ints()

EXPECTED = {"exit": 2, "stderr_contains": ["expand_kwargs", "dict"]}
