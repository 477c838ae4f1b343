"""A mapped task group expanded over a literal list holding a task output: the output's task is
upstream of the group's roots (Airflow links every XComArg inside the expand input's value,
``XComArg.apply_upstream_relationship``), and the instance whose element it is reads its value."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def slow_seven() -> int:
    import time

    time.sleep(0.5)
    return 7


@task
def double(x: int) -> int:
    return 2 * x


@task
def add_one(x: int) -> int:
    return x + 1


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="group_literal_list_of_outputs", schedule=None, start_date=datetime(2022, 1, 1))
def group_literal_list_of_outputs():
    @task_group
    def scale(x):
        return add_one(double(x))

    collect(scale.expand(x=[slow_seven(), 2]))


group_literal_list_of_outputs()

EXPECTED = {
    "state": "success",
    "tasks": {"slow_seven": {"states": {"success": 1}},
              "scale.double": {"map_count": 2, "states": {"success": 2}},
              "scale.add_one": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, [15, 5]], ["scale.double", 0, 14]],
}
