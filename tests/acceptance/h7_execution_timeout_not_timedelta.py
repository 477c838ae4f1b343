"""execution_timeout must be a timedelta: BaseOperator.__init__ (airflow/models/baseoperator.py)
raises ValueError("execution_timeout must be timedelta object but passed as type: <class 'int'>")
at parse (unlike retry_delay / max_retry_delay, which coerce_timedelta accepts as seconds)."""
from datetime import datetime

from orchestrator import dag, task


@task(execution_timeout=5)
def work() -> int:
    return 1


@dag(dag_id="h7_execution_timeout_not_timedelta", schedule=None, start_date=datetime(2022, 1, 1))
def h7_execution_timeout_not_timedelta():
    work()


h7_execution_timeout_not_timedelta()

EXPECTED = {"exit": 2, "stderr_contains": "execution_timeout"}
