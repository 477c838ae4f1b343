"""multiple_outputs pushes each key of a returned dict; Param defaults and --conf; EmptyOperator
joins; expand over a range literal."""
from datetime import datetime

from orchestrator import Param, dag, task
from orchestrator.operators import EmptyOperator


@task(multiple_outputs=True)
def split() -> dict:
    return {"train": [1, 2, 3], "test": [4]}


@task
def size(rows) -> int:
    return len(rows)


@task
def scale(x: int, **context) -> int:
    return x * context["params"]["factor"]


@dag(dag_id="multiple_outputs_params_empty", schedule=None, start_date=datetime(2022, 1, 1),
     params={"factor": Param(2, type="integer"), "unused": Param("x")})
def multiple_outputs_params_empty():
    parts = split()
    start = EmptyOperator(task_id="start")
    start >> parts
    size.override(task_id="train_size")(parts["train"])
    size.override(task_id="test_size")(parts["test"])
    scale.expand(x=range(3))


multiple_outputs_params_empty()

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"factor": 5}'],
    "tasks": {"start": {"states": {"success": 1}}, "scale": {"map_count": 3}},
    "xcom": [["split", None, {"train": [1, 2, 3], "test": [4]}], ["train_size", None, 3], ["test_size", None, 1],
             ["scale", 2, 10]],
}
