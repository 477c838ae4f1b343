"""pool_slots=0 on a mapped @task is refused at parse: _TaskDecorator._expand
(airflow/decorators/base.py) raises ValueError("pool slots for work in dag ... cannot be less than 1")
(BaseOperatorMeta.partial does the same for classic operators)."""
from datetime import datetime

from orchestrator import dag, task


@task(pool_slots=0)
def work(x: int) -> int:
    return x


@dag(dag_id="h7_pool_slots_zero_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_pool_slots_zero_mapped():
    work.expand(x=[0, 1])


h7_pool_slots_zero_mapped()

EXPECTED = {"exit": 2, "stderr_contains": "pool slots"}
