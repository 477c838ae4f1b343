"""A mapped task group over two parameters (cross product), partial() constants, and a reduce of
the group's last task after it."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def combine(model: str, size: int, suffix: str) -> str:
    return f"{model}{size}{suffix}"


@task
def shout(text: str) -> str:
    return text.upper()


@task
def collect(values) -> list:
    return list(values)


@task_group
def train(model: str, size: int, suffix: str):
    return shout(combine(model, size, suffix))


@dag(dag_id="group_cross_product_and_reduce", schedule=None, start_date=datetime(2022, 1, 1))
def group_cross_product_and_reduce():
    collect(train.partial(suffix="!").expand(model=["a", "b"], size=[1, 2]))


group_cross_product_and_reduce()

EXPECTED = {
    "state": "success",
    "tasks": {"train.combine": {"map_count": 4, "states": {"success": 4}},
              "train.shout": {"map_count": 4, "states": {"success": 4}}},
    "xcom": [["collect", None, ["A1!", "A2!", "B1!", "B2!"]], ["train.shout", 2, "B1!"]],
}
