"""Airflow's example_setup_teardown_taskflow (airflow/example_dags), its imports changed (and its
pendulum start date a datetime): as_teardown(setups=...), @setup / @teardown, the `with s >> t:`
context manager, and a task group whose teardown is ignored when the group is set upstream
(docs howto/setup-and-teardown.rst). Every task runs; the run succeeds.
"""
from __future__ import annotations

from datetime import datetime

from orchestrator import DAG, setup, task, task_group, teardown

with DAG(
    dag_id="example_setup_teardown_taskflow",
    start_date=datetime(2021, 1, 1),
    catchup=False,
    tags=["example"],
) as dag:

    @task
    def my_first_task():
        print("Hello 1")

    @task
    def my_second_task():
        print("Hello 2")

    @task
    def my_third_task():
        print("Hello 3")

    task_1 = my_first_task()
    task_2 = my_second_task()
    task_3 = my_third_task()
    task_1 >> task_2 >> task_3.as_teardown(setups=task_1)

    @setup
    def outer_setup():
        print("I am outer_setup")

    @teardown
    def outer_teardown():
        print("I am outer_teardown")

    @task
    def outer_normal_task():
        print("I am just a normal task")

    s = outer_setup()
    t = outer_teardown()

    with s >> t:
        outer_normal_task()

    @task_group
    def section_1():
        @task
        def inner_setup():
            print("I set up")
            return "some_cluster_id"

        @task
        def inner_normal_task(cluster_id):
            print(f"doing some work with {cluster_id=}")

        @task
        def inner_teardown(cluster_id):
            print(f"tearing down {cluster_id=}")

        inner_normal_task(s := inner_setup()) >> inner_teardown(s).as_teardown()

    s >> section_1() >> t

EXPECTED = {
    "state": "success",
    "tasks": {
        "my_first_task": {"states": {"success": 1}},
        "my_second_task": {"states": {"success": 1}},
        "my_third_task": {"states": {"success": 1}},
        "outer_setup": {"states": {"success": 1}},
        "outer_normal_task": {"states": {"success": 1}},
        "outer_teardown": {"states": {"success": 1}},
        "section_1.inner_setup": {"states": {"success": 1}},
        "section_1.inner_normal_task": {"states": {"success": 1}},
        "section_1.inner_teardown": {"states": {"success": 1}},
    },
}
