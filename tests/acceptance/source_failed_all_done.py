"""apache/airflow#25698 (fixed by PR #25757): a mapped task whose expand() source failed is
upstream_failed, whatever its trigger rule.

The source task fails, so there is nothing to expand over. Airflow marks the mapped task
`upstream_failed` for every trigger rule (before the fix, an `all_done` mapped task was
treated as if it could still run). The run is failed.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def list_batches() -> list:
    raise RuntimeError("the listing service is down")


@task(trigger_rule=TriggerRule.ALL_DONE)
def handle(batch):
    return batch


@dag(dag_id="source_failed_all_done", schedule=None, start_date=datetime(2022, 1, 1))
def source_failed_all_done():
    handle.expand(batch=list_batches())


source_failed_all_done()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "list_batches": {"states": {"failed": 1}},
        "handle": {"map_count": 0, "states": {"upstream_failed": 1}},
    },
}
