"""Bad input: expand_kwargs() given a dict (not a list of dicts). Airflow OperatorPartial/_TaskDecorator
.expand_kwargs: `raise TypeError(f"expected XComArg or list[dict], not {type(kwargs).__name__}")`."""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x, y):
    return x + y


@dag(dag_id="up_expand_kwargs_dict_literal", schedule=None, start_date=datetime(2022, 1, 1))
def up_expand_kwargs_dict_literal():
    add.expand_kwargs({"x": [1, 2], "y": [3, 4]})


up_expand_kwargs_dict_literal()

EXPECTED = {"exit": 2, "stderr_contains": "expand_kwargs dict"}
