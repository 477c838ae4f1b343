"""``cross_downstream`` (``airflow.models.baseoperator``, Airflow 2.x) with mapped tasks and outputs:
every task of the first list becomes upstream of every task of the second
(``for task in to_tasks: task.set_upstream(from_tasks)``). One failed index of ``fails`` makes both
downstream tasks upstream_failed. (``chain_linear``, Airflow 2.7, lives at the same path.)
"""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.models.baseoperator import cross_downstream


@task
def ok(x: int) -> int:
    return x


@task
def fails(x: int) -> int:
    if x == 2:
        raise ValueError("bad 2")
    return x


@dag(dag_id="cross_downstream_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def cross_downstream_mapped():
    cross_downstream([fails.expand(x=[1, 2]), ok.override(task_id="first")(0)],
                     [ok.override(task_id="d1").expand(x=[1]), ok.override(task_id="d2")(2)])


cross_downstream_mapped()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "fails": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "first": {"states": {"success": 1}},
        "d1": {"map_count": 1, "states": {"upstream_failed": 1}},
        "d2": {"states": {"upstream_failed": 1}},
    },
}
