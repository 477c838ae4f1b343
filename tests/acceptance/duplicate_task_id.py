"""Two classic operators with one task_id: refused at load time, naming the id."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="duplicate_task_id", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator(task_id="same", bash_command="echo 1")
    BashOperator(task_id="same", bash_command="echo 2")

EXPECTED = {"exit": 2, "stderr_contains": "same twice"}
