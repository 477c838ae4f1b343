"""priority_weight must be an int: BaseOperator.__init__ (airflow/models/baseoperator.py) raises
AirflowException("`priority_weight` for task 'work' only accepts integers, received '<class 'str'>'.")
when the DAG file is parsed."""
from datetime import datetime

from orchestrator import dag, task


@task(priority_weight="high")
def work() -> int:
    return 1


@dag(dag_id="h7_priority_weight_not_int", schedule=None, start_date=datetime(2022, 1, 1))
def h7_priority_weight_not_int():
    work()


h7_priority_weight_not_int()

EXPECTED = {"exit": 2, "stderr_contains": "priority_weight"}
