"""Variant of non_list_upstream: an upstream returning None mapped over through .map(): the upstream is
still a mapping source (iter_mapped_dependencies walks MapXComArg.iter_references), so it fails with
XComForMappingNotPushed (taskinstance.py _record_task_map_for_downstreams: `if value is None: raise
XComForMappingNotPushed()`); the mapped task is upstream_failed."""
from datetime import datetime

from orchestrator import dag, task


@task
def nothing():
    return None


@task
def echo(x):
    return x


@dag(dag_id="nl_none_under_map_fn", schedule=None, start_date=datetime(2022, 1, 1))
def nl_none_under_map_fn():
    echo.expand(x=nothing().map(lambda v: v))


nl_none_under_map_fn()

EXPECTED = {
    "state": "failed",
    "tasks": {"nothing": {"states": {"failed": 1}}, "echo": {"states": {"upstream_failed": 1}}},
}
