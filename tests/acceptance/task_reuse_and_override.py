"""Calling a task twice gives `t` and `t__1`; override(task_id=) renames one use; chain and <<."""
from datetime import datetime

from orchestrator import chain, dag, task


@task
def step(label: str) -> str:
    return label


@dag(dag_id="task_reuse_and_override", schedule=None, start_date=datetime(2022, 1, 1))
def task_reuse_and_override():
    first = step("first")
    second = step("second")
    named = step.override(task_id="named")("named")
    last = step("last")
    chain(first, second, named)
    last << named


task_reuse_and_override()

EXPECTED = {
    "state": "success",
    "tasks": {"step": {"states": {"success": 1}}, "step__1": {"states": {"success": 1}},
              "named": {"states": {"success": 1}}, "step__2": {"states": {"success": 1}}},
    "xcom": [["step", None, "first"], ["step__1", None, "second"], ["named", None, "named"],
             ["step__2", None, "last"]],
}
