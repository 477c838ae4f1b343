"""ti.xcom_pull with a LIST of task ids or of map indexes returns the XComs that exist, in the order
asked for: a task (or index) that pushed nothing is left out (``default`` is not put in its place);
and a mapped task in a list of task ids contributes each of its indices' values, flat.

Airflow 2.10, TaskInstance._xcom_pull (airflow/models/taskinstance.py): "When pulling multiple
tasks (i.e. either task_id or map_index is a non-str iterable), a list of matching XComs is
returned. Elements in the list is ordered by item ordering in task_id and map_index." -- it is one
select over the existing XCom rows (XCom.get_many filters task_id IN / map_index IN), ordered by
``case(task_id_whens)`` then map_index; ``default`` is only used on the single-task path.
"""
from datetime import datetime

from orchestrator import dag, get_current_context, task


@task
def plain():
    return "p"


@task
def nothing():
    return None


@task
def mapped(x):
    return None if x == 1 else x * 10


@task
def pulls():
    ti = get_current_context()["ti"]
    return {
        "ids": list(ti.xcom_pull(task_ids=["plain", "nothing"], default="D")),
        "indexes": list(ti.xcom_pull(task_ids="mapped", map_indexes=[2, 1, 0], default="D")),
        "with_mapped": list(ti.xcom_pull(task_ids=["plain", "mapped"])),
    }


@dag(dag_id="xcom_pull_lists_skip_missing", schedule=None, start_date=datetime(2022, 1, 1))
def xcom_pull_lists_skip_missing():
    [plain(), nothing(), mapped.expand(x=[0, 1, 2])] >> pulls()


xcom_pull_lists_skip_missing()

EXPECTED = {
    "state": "success",
    "xcom": [["pulls", None, {"ids": ["p"], "indexes": [20, 0], "with_mapped": ["p", 0, 20]}]],
}
