"""Two mapped task groups chained: group B expands over the output of a task inside group A (one
B index per A index that pushed), and a task inside B that reads A's task output as a plain
argument gets A's WHOLE output (every index), not its own index's.

Airflow 2.10: this is the very example of TaskInstance.get_relevant_upstream_map_indexes's
docstring (airflow/models/taskinstance.py): "tg2 ... another_task(inp, val)  # val here should
resolve to [2, 4, 6]" -- with no common mapped task group the upstream's whole value is pulled.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def upstream(inp):
    return inp * 2


@task
def another_task(inp, val):
    return [inp, list(val)]


@task
def plus_one(y):
    return y + 1


@dag(dag_id="grp_chained_groups", schedule=None, start_date=datetime(2022, 1, 1))
def grp_chained_groups():
    @task_group
    def tg1(inp):
        return upstream(inp)

    val = tg1.expand(inp=[1, 2, 3])

    @task_group
    def tg2(inp):
        another_task(inp, val)

    tg2.expand(inp=["a", "b"])

    @task_group
    def tg3(y):
        return plus_one(y)

    tg3.expand(y=val)


grp_chained_groups()

EXPECTED = {
    "state": "success",
    "tasks": {
        "tg2.another_task": {"map_count": 2, "states": {"success": 2}},
        "tg3.plus_one": {"map_count": 3, "states": {"success": 3}},
    },
    "xcom": [["tg2.another_task", 0, ["a", [2, 4, 6]]], ["tg2.another_task", 1, ["b", [2, 4, 6]]],
             ["tg3.plus_one", 2, 7]],
}
