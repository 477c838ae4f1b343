"""A classic ``with TaskGroup(..., prefix_group_id=False, default_args=...)`` holding a chain of mapped
tasks: ids stay bare (Airflow's ``TaskGroup.child_id`` adds no prefix), the group's default_args
reach the mapped tasks inside (one retry here), a nested group with the default prefix is named
without the outer group's id (``TaskGroup.group_id`` defers to a parent only when that parent
prefixes), and ``group >> reduce`` makes the reduce follow the group's leaves."""
from datetime import datetime, timedelta

from orchestrator import DAG, TaskGroup, get_current_context, task


@task
def double(x: int) -> int:
    if x == 2 and get_current_context()["ti"].try_number == 1:
        raise ValueError("first try")
    return 2 * x


@task
def plus_one(x: int) -> int:
    return x + 1


@task
def label() -> str:
    return "inner"


@task
def report() -> list:
    ti = get_current_context()["ti"]
    return list(ti.xcom_pull(task_ids="plus_one"))


with DAG(dag_id="classic_taskgroup_mapped_no_prefix", schedule=None, start_date=datetime(2022, 1, 1)):
    with TaskGroup("load", prefix_group_id=False,
                   default_args={"retries": 1, "retry_delay": timedelta(seconds=0)}) as load:
        plus_one.expand(x=double.expand(x=[1, 2, 3]))
        with TaskGroup("inner"):
            label()
    load >> report()

EXPECTED = {
    "state": "success",
    "tasks": {"double": {"map_count": 3, "states": {"success": 3}},
              "plus_one": {"map_count": 3, "states": {"success": 3}},
              "inner.label": {"states": {"success": 1}}},
    "instances": [["double", 1, {"state": "success", "try_number": 2}]],
    "xcom": [["plus_one", 2, 7], ["report", None, [3, 5, 7]]],
}
