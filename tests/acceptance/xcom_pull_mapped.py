"""ti.xcom_pull of a mapped task, as in Airflow 2.10: without map_indexes every index's value in
order (also of a task in a mapped task group, pulled after the group), with map_indexes=i that
one value (also inside the group, of its own index: an index of the group does not wait for the
group's other indices, so only its own is certain to be there); a task may
return what it pulled, at any depth. Also: expand_kwargs over an upstream output turned into
dicts by .map(), and a mapped output crossed with a literal list."""
from datetime import datetime

from orchestrator import dag, get_current_context, task, task_group


@task
def nums():
    return [1, 2, 3]


@task
def add(x, y):
    return x + y


@task
def pull_all():
    ti = get_current_context()["ti"]
    return [list(ti.xcom_pull(task_ids="add")), ti.xcom_pull(task_ids="add", map_indexes=1)]


@task
def pair(a, b):
    return f"{a}-{b}"


@task_group
def grp(v):
    @task
    def first(v):
        return v * 10

    @task
    def second(w):
        ti = get_current_context()["ti"]
        return [w, ti.xcom_pull(task_ids="grp.first", map_indexes=ti.map_index), ti.map_index]

    return second(first(v))


@task
def pull_group():
    return list(get_current_context()["ti"].xcom_pull(task_ids="grp.first"))


@dag(dag_id="xcom_pull_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def xcom_pull_mapped():
    added = add.expand_kwargs(nums().map(lambda x: {"x": x, "y": 100}))
    added >> pull_all()
    pair.expand(a=added, b=["p", "q"])
    grp.expand(v=[1, 2]) >> pull_group()


xcom_pull_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {
        "add": {"map_count": 3, "states": {"success": 3}},
        "pair": {"map_count": 6, "states": {"success": 6}},
        "grp.first": {"map_count": 2, "states": {"success": 2}},
        "grp.second": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [
        ["pull_all", None, [[101, 102, 103], 102]],
        ["pair", 0, "101-p"],
        ["pair", 1, "101-q"],
        ["pair", 5, "103-q"],
        ["grp.second", 0, [10, 10, 0]],
        ["grp.second", 1, [20, 20, 1]],
        ["pull_group", None, [10, 20]],
    ],
}
