"""A mapped task group expanded with expand_kwargs over an upstream's list of dicts, with a
partial() constant: each index runs its chain on its own arguments; a reduce outside the group
sums the group's last task."""

from datetime import datetime

from orchestrator import dag, task, task_group


@task
def configs():
    return [{"a": 1, "b": 10}, {"a": 2, "b": 20}]


@task
def mul(a, b):
    return a * b


@task
def plus(v, c):
    return v + c


@task
def total(values):
    return sum(values)


@task_group
def grp(a, b, c):
    return plus(mul(a, b), c)


@dag(dag_id="group_expand_kwargs", schedule=None, start_date=datetime(2022, 1, 1))
def group_expand_kwargs():
    total(grp.partial(c=1).expand_kwargs(configs()))


group_expand_kwargs()
EXPECTED = {
    "state": "success",
    "tasks": {"grp.mul": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["grp.plus", 1, 41], ["total", None, 52]],
}
