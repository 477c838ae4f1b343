"""Variant of dict_kwargs_zip_map: a @task whose function takes **kwargs accepts any expand() /
expand_kwargs() name. Airflow decorators/base.py ExpandableFactory._validate_arg_names: `if any(v.kind ==
inspect.Parameter.VAR_KEYWORD for v in parameters.values()): return` -- no unexpected-argument error."""
from datetime import datetime

from orchestrator import dag, task


@task
def flexible(**kwargs):
    return kwargs["n"] * 2 + kwargs.get("m", 0)


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_var_keyword_expand", schedule=None, start_date=datetime(2022, 1, 1))
def dk_var_keyword_expand():
    collect.override(task_id="by_expand")(flexible.expand(n=[1, 2]))
    collect.override(task_id="by_kwargs")(flexible.override(task_id="flex2").expand_kwargs([{"n": 5, "m": 1}]))


dk_var_keyword_expand()

EXPECTED = {
    "state": "success",
    "tasks": {"flexible": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["by_expand", None, [2, 4]], ["by_kwargs", None, [11]]],
}
