"""expand_kwargs() given a dict (not a list of dicts) is refused when the file loads.

Airflow 2.10, _TaskDecorator.expand_kwargs (airflow/decorators/base.py): a non-Sequence that is
not an XComArg -> ``TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")``.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x, y):
    return x + y


@dag(dag_id="expand_kwargs_literal_dict", schedule=None, start_date=datetime(2022, 1, 1))
def expand_kwargs_literal_dict():
    add.expand_kwargs({"x": [1, 2], "y": [3, 4]})


expand_kwargs_literal_dict()

EXPECTED = {"exit": 2, "stderr_contains": ["expand_kwargs", "dict"]}
