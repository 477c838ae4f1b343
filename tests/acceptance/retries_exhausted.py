"""An instance that always fails uses every try (retries + 1), then fails; others are untouched."""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(retries=2, retry_delay=timedelta(seconds=0))
def stubborn(x: int) -> int:
    if x == 0:
        raise ValueError("always fails")
    return x


@dag(dag_id="retries_exhausted", schedule=None, start_date=datetime(2022, 1, 1))
def retries_exhausted():
    stubborn.expand(x=[0, 1])


retries_exhausted()

EXPECTED = {
    "state": "failed",
    "tasks": {"stubborn": {"map_count": 2, "states": {"failed": 1, "success": 1}}},
    "instances": [
        ["stubborn", 0, {"state": "failed", "try_number": 3, "error_contains": "always fails"}],
        ["stubborn", 1, {"state": "success", "try_number": 1}],
    ],
}
