"""A reduce may tolerate a partly failed map: min_success_ratio on the downstream task."""
from datetime import datetime

from orchestrator import dag, task


@task
def score(x: int) -> int:
    if x == 7:
        raise ValueError("bad sample 7")
    return x


@task(min_success_ratio=0.8)
def tolerant(values) -> int:
    return len(values)


@task(min_success_ratio=0.95)
def demanding(values) -> int:
    return len(values)


@dag(dag_id="min_success_ratio", schedule=None, start_date=datetime(2022, 1, 1))
def min_success_ratio():
    scores = score.expand(x=list(range(10)))
    tolerant(scores)
    demanding(scores)


min_success_ratio()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "score": {"map_count": 10, "states": {"success": 9, "failed": 1}},
        "tolerant": {"states": {"success": 1}},
        "demanding": {"states": {"upstream_failed": 1}},
    },
    "xcom": [["tolerant", None, 9]],
}
