"""Bad input: the same argument in partial() and expand(). Airflow _TaskDecorator.expand:
prevent_duplicates(self.kwargs, map_kwargs, fail_reason="mapping already partial") -> TypeError
"mapping already partial argument: x"."""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x, y):
    return x + y


@dag(dag_id="up_partial_and_expand_same", schedule=None, start_date=datetime(2022, 1, 1))
def up_partial_and_expand_same():
    add.partial(x=1, y=2).expand(x=[1, 2])


up_partial_and_expand_same()

EXPECTED = {"exit": 2, "stderr_contains": "x partial"}
