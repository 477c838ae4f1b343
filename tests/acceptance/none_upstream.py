"""An upstream that returns None cannot be mapped over: it fails naming None."""
from datetime import datetime

from orchestrator import dag, task


@task
def nothing_at_all():
    return None


@task
def use(x):
    return x


@dag(dag_id="none_upstream", schedule=None, start_date=datetime(2022, 1, 1))
def none_upstream():
    use.expand(x=nothing_at_all())


none_upstream()

EXPECTED = {
    "state": "failed",
    "tasks": {"nothing_at_all": {"states": {"failed": 1}}, "use": {"map_count": 0, "states": {"upstream_failed": 1}}},
    "instances": [["nothing_at_all", None, {"state": "failed", "error_contains": "None"}]],
}
