"""A DAG with a cycle is refused before any run exists."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="cycle", schedule=None, start_date=datetime(2022, 1, 1)):
    a = BashOperator(task_id="a", bash_command="echo a")
    b = BashOperator(task_id="b", bash_command="echo b")
    a >> b >> a

EXPECTED = {"exit": 2, "stderr_contains": "cycle"}
