"""XComArg.zip stops at the shortest input, or pads with fillvalue up to the longest."""
from datetime import datetime

from orchestrator import dag, task


@task
def three() -> list[int]:
    return [1, 2, 3]


@task
def two() -> list[str]:
    return ["a", "b"]


@task
def pair(p) -> str:
    return f"{p[0]}-{p[1]}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="zip_fillvalue", schedule=None, start_date=datetime(2022, 1, 1))
def zip_fillvalue():
    numbers, letters = three(), two()
    collect.override(task_id="shortest")(pair.expand(p=numbers.zip(letters)))
    padded = pair.override(task_id="pair_padded").expand(p=numbers.zip(letters, fillvalue="z"))
    collect.override(task_id="padded")(padded)


zip_fillvalue()

EXPECTED = {
    "state": "success",
    "tasks": {"pair": {"map_count": 2}, "pair_padded": {"map_count": 3}},
    "xcom": [["shortest", None, ["1-a", "2-b"]], ["padded", None, ["1-a", "2-b", "3-z"]]],
}
