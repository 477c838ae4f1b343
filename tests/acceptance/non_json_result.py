"""A result that is not JSON-serialisable fails that instance, naming the type."""
from datetime import datetime

from orchestrator import dag, task


class Model:
    pass


@task
def train(x: int):
    return Model() if x == 1 else x


@dag(dag_id="non_json_result", schedule=None, start_date=datetime(2022, 1, 1))
def non_json_result():
    train.expand(x=[0, 1])


non_json_result()

EXPECTED = {
    "state": "failed",
    "tasks": {"train": {"map_count": 2, "states": {"success": 1, "failed": 1}}},
    "instances": [["train", 1, {"state": "failed", "error_contains": "Model"}]],
    "xcom": [["train", 0, 0]],
}
