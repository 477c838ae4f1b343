"""expand_kwargs over a list of dicts returned by an upstream task, with partial() constants."""
from datetime import datetime

from orchestrator import dag, task


@task
def jobs() -> list[dict]:
    return [{"a": 1, "b": 2}, {"a": 10, "b": 20}, {"a": 100, "b": 200}]


@task
def combine(a: int, b: int, scale: int) -> int:
    return (a + b) * scale


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="expand_kwargs_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def expand_kwargs_upstream():
    collect(combine.partial(scale=2).expand_kwargs(jobs()))


expand_kwargs_upstream()

EXPECTED = {
    "state": "success",
    "tasks": {"combine": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["collect", None, [6, 60, 600]], ["combine", 1, 60]],
}
