"""Variant of non_list_upstream: the upstream returns a SET (serialisable to XCom, but unordered).
Airflow: _is_mappable_value requires `isinstance(value, (collections.abc.Sequence, dict))` ("only
collections with guaranteed ordering") -> UnmappableXComTypePushed naming 'set'."""
from datetime import datetime

from orchestrator import dag, task


@task
def tags() -> set:
    return {"a", "b"}


@task
def echo(x):
    return x


@dag(dag_id="nl_set_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def nl_set_upstream():
    echo.expand(x=tags())


nl_set_upstream()

EXPECTED = {
    "state": "failed",
    "tasks": {"tags": {"states": {"failed": 1}}, "echo": {"states": {"upstream_failed": 1}}},
    "instances": [["tags", None, {"state": "failed", "error_contains": "set"}]],
}
