"""Variant of non_list_upstream: a scalar fed to expand_kwargs(): the upstream fails
(UnmappableXComTypePushed, naming 'int'), the mapped task is upstream_failed."""
from datetime import datetime

from orchestrator import dag, task


@task
def scalar() -> int:
    return 5


@task
def add(x: int, y: int) -> int:
    return x + y


@dag(dag_id="nl_scalar_to_expand_kwargs", schedule=None, start_date=datetime(2022, 1, 1))
def nl_scalar_to_expand_kwargs():
    add.expand_kwargs(scalar())


nl_scalar_to_expand_kwargs()

EXPECTED = {
    "state": "failed",
    "tasks": {"scalar": {"states": {"failed": 1}}, "add": {"states": {"upstream_failed": 1}}},
    "instances": [["scalar", None, {"state": "failed", "error_contains": "int"}]],
}
