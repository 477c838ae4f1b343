"""Templates reach macros; XComArg.map over a mapped task's results feeds a reduce; expand_kwargs
over a mapped transform of an upstream list; a nested (unmapped) task group prefixes ids."""
from datetime import datetime

from orchestrator import dag, task, task_group
from orchestrator.operators import BashOperator


@task
def numbers() -> list[int]:
    return [1, 2, 3]


@task
def double(x: int) -> int:
    return 2 * x


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def collect(values) -> list:
    return list(values)


@task_group
def outer():
    @task_group
    def inner():
        @task
        def leaf() -> str:
            return "leaf"

        return leaf()

    return inner()


@dag(dag_id="macros_and_map_of_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def macros_and_map_of_mapped():
    BashOperator(task_id="tomorrow", bash_command="echo {{ macros.ds_add(ds, 1) }}")
    collect.override(task_id="plus_ten")(double.expand(x=numbers()).map(lambda v: v + 10))
    collect.override(task_id="pairs")(add.expand_kwargs(numbers().map(lambda n: {"x": n, "y": n * 100})))
    outer()


macros_and_map_of_mapped()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-12-31"],
    "tasks": {"add": {"map_count": 3}, "outer.inner.leaf": {"states": {"success": 1}}},
    "xcom": [["tomorrow", None, "2023-01-01"], ["plus_ten", None, [12, 14, 16]], ["pairs", None, [101, 202, 303]],
             ["outer.inner.leaf", None, "leaf"]],
}
