"""Variant of non_list_upstream: the upstream returns a STRING (a Sequence, but text). Airflow:
taskinstance.py _record_task_map_for_downstreams -> _is_mappable_value excludes str/bytes ->
UnmappableXComTypePushed("unmappable return type 'str'"); the mapped task is upstream_failed.
Docs dynamic-task-mapping.rst: "you can't have the upstream task return a plain string"."""
from datetime import datetime

from orchestrator import dag, task


@task
def text() -> str:
    return "abc"


@task
def echo(x):
    return x


@dag(dag_id="nl_str_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def nl_str_upstream():
    echo.expand(x=text())


nl_str_upstream()

EXPECTED = {
    "state": "failed",
    "tasks": {"text": {"states": {"failed": 1}}, "echo": {"states": {"upstream_failed": 1}}},
    "instances": [["text", None, {"state": "failed", "error_contains": "str"}]],
}
