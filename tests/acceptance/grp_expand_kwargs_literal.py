"""A mapped task group with partial() and expand_kwargs() over a LITERAL list of dicts: one index
per dict, the partial() argument in every index.

Airflow 2.10: _TaskGroupFactory.expand_kwargs accepts a list of Mappings
(airflow/decorators/task_group.py), ListOfDictsExpandInput's parse-time length is the list's.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def combine(a, b, c):
    return f"{a}-{b}-{c}"


@task
def collect(values):
    return list(values)


@task_group
def grp(a, b, c):
    return combine(a, b, c)


@dag(dag_id="grp_expand_kwargs_literal", schedule=None, start_date=datetime(2022, 1, 1))
def grp_expand_kwargs_literal():
    collect(grp.partial(c="z").expand_kwargs([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]))


grp_expand_kwargs_literal()

EXPECTED = {
    "state": "success",
    "tasks": {"grp.combine": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, ["1-x-z", "2-y-z"]]],
}
