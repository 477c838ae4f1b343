"""The deprecated `task_concurrency` in a classic operator's partial() is refused at parse:
partial() in airflow/models/baseoperator.py ("Reject deprecated option") raises
TypeError("unexpected argument: task_concurrency")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h7_task_concurrency_classic_partial", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="echo", task_concurrency=1).expand(bash_command=["echo 1", "echo 2"])

EXPECTED = {"exit": 2, "stderr_contains": "task_concurrency"}
