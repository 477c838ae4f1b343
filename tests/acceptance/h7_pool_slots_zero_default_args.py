"""pool_slots=0 coming from the DAG's default_args is refused as well: _TaskDecorator._expand
(airflow/decorators/base.py) merges default_args into partial_kwargs (get_merged_defaults) before
the `pool_slots < 1` check, raising ValueError("pool slots for work in dag ... cannot be less than 1")."""
from datetime import datetime

from orchestrator import dag, task


@task
def work(x: int) -> int:
    return x


@dag(dag_id="h7_pool_slots_zero_default_args", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"pool_slots": 0})
def h7_pool_slots_zero_default_args():
    work.expand(x=[0, 1])


h7_pool_slots_zero_default_args()

EXPECTED = {"exit": 2, "stderr_contains": "pool slots"}
