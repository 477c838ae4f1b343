"""In a mapped task group each index runs its own chain: a failure in one index fails only that
index's downstream (upstream_failed); the other indices go on, and a reduce over the group's
last task with all_done gets the values of the indices that succeeded."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def check(n: int) -> int:
    if n == 2:
        raise ValueError("two is not allowed")
    return n


@task
def double(n: int) -> int:
    return n * 2


@task_group
def pipeline(n):
    return double(check(n))


@task(trigger_rule="all_done")
def collect(values) -> list:
    return list(values)


@dag(dag_id="group_index_failure", schedule=None, start_date=datetime(2022, 1, 1))
def group_index_failure():
    collect(pipeline.expand(n=[1, 2, 3]))


group_index_failure()

EXPECTED = {
    "state": "success",
    "tasks": {
        "pipeline.check": {"map_count": 3, "states": {"success": 2, "failed": 1}},
        "pipeline.double": {"map_count": 3, "states": {"success": 2, "upstream_failed": 1}},
    },
    "xcom": [["collect", None, [2, 6]], ["pipeline.double", 2, 6]],
    "instances": [["pipeline.check", 1, {"state": "failed", "error_contains": "two"}],
                  ["pipeline.double", 1, {"state": "upstream_failed"}]],
}
