"""expand() over two upstream outputs is their cross product, last parameter fastest
(Airflow docs dynamic-task-mapping.rst "Mapping over multiple parameters": "This would result in
the add task being called 6 times", x=[2,4,8] x y=[5,10] -> 7,12,9,14,13,18); a partial() output
plus an expand() output maps over the expanded one only; when one of the two outputs is empty the
product is empty and the mapped task is skipped (DictOfListsExpandInput.get_total_map_length
multiplies the lengths; expand_mapped_task: "if total_length < 1" -> the unmapped instance is
SKIPPED), and an all_done reduce after it runs.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def xs():
    return [2, 4, 8]


@task
def ys():
    return [5, 10]


@task
def nothing():
    return []


@task
def offset():
    return 100


@task
def add(x, y, base=0):
    return base + x + y


@task(trigger_rule=TriggerRule.ALL_DONE)
def collect(values):
    return list(values)


@dag(dag_id="cross_product_outputs", schedule=None, start_date=datetime(2022, 1, 1))
def cross_product_outputs():
    x, y = xs(), ys()
    collect.override(task_id="product")(add.override(task_id="both").expand(x=x, y=y))
    collect.override(task_id="with_base")(add.override(task_id="based").partial(base=offset(), y=0).expand(x=x))
    collect.override(task_id="empty")(add.override(task_id="none").expand(x=x, y=nothing()))


cross_product_outputs()

EXPECTED = {
    "state": "success",
    "tasks": {
        "both": {"map_count": 6, "states": {"success": 6}},
        "based": {"map_count": 3, "states": {"success": 3}},
        "none": {"map_count": 0, "states": {"skipped": 1}},
        "empty": {"states": {"success": 1}},
    },
    "xcom": [["product", None, [7, 12, 9, 14, 13, 18]], ["with_base", None, [102, 104, 108]],
             ["empty", None, []]],
}
