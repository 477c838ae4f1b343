"""`retries` cannot be mapped on a classic operator: refused at load time, naming it."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="unmappable_retries", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="echo").expand(bash_command=["echo 1"], retries=[1, 2])

EXPECTED = {"exit": 2, "stderr_contains": "retries mapped"}
