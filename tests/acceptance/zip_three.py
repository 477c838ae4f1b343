"""XComArg.zip() of three outputs (one of them a mapped task's results): tuples of three, as long
as the shortest input; with fillvalue, as long as the longest, padded. Given whole to a task, the
zip is a sequence of tuples (JSON lists).

Airflow 2.10, ZipXComArg (airflow/models/xcom_arg.py): get_task_map_length is ``min`` of the
lengths without fillvalue, ``max`` with; _ZipResult.__getitem__ returns a tuple, padding with the
fillvalue.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def letters():
    return ["a", "b", "c", "d"]


@task
def flags():
    return [True, False]


@task
def double(x):
    return 2 * x


@task
def show(t):
    return list(t)


@task
def collect(values):
    return [list(v) for v in values]


@dag(dag_id="zip_three", schedule=None, start_date=datetime(2022, 1, 1))
def zip_three():
    nums = double.expand(x=[1, 2, 3])
    let, f = letters(), flags()
    show.expand(t=let.zip(nums, f))
    show.override(task_id="show_filled").expand(t=let.zip(nums, f, fillvalue=None))
    collect(nums.zip(let, f))


zip_three()

EXPECTED = {
    "state": "success",
    "tasks": {"show": {"map_count": 2}, "show_filled": {"map_count": 4}},
    "xcom": [["show", 1, ["b", 4, False]], ["show_filled", 2, ["c", 6, None]], ["show_filled", 3, ["d", None, None]],
             ["collect", None, [[2, "a", True], [4, "b", False]]]],
}
