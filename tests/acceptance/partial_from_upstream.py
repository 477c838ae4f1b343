"""A partial() argument may be an upstream task's output: every instance receives all of it."""
from datetime import datetime

from orchestrator import dag, task


@task
def features() -> dict:
    return {"rows": 100, "columns": ["a", "b"]}


@task
def train(features: dict, depth: int) -> str:
    return f"depth={depth} rows={features['rows']} cols={len(features['columns'])}"


@dag(dag_id="partial_from_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def partial_from_upstream():
    train.partial(features=features()).expand(depth=[2, 4])


partial_from_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {"train": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["train", 1, "depth=4 rows=100 cols=2"]],
}
