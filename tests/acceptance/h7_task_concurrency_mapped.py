"""The deprecated `task_concurrency` is refused on a mapped task: _TaskDecorator._expand
(airflow/decorators/base.py) raises TypeError("unexpected argument: task_concurrency") ("Reject
deprecated option", kept in sync with BaseOperatorMeta.partial), though an unmapped task still
accepts it with a deprecation warning."""
from datetime import datetime

from orchestrator import dag, task


@task(task_concurrency=1)
def work(x: int) -> int:
    return x


@dag(dag_id="h7_task_concurrency_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_task_concurrency_mapped():
    work.expand(x=[0, 1])


h7_task_concurrency_mapped()

EXPECTED = {"exit": 2, "stderr_contains": "task_concurrency"}
