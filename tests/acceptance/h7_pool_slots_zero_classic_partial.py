"""pool_slots=0 in a classic operator's partial() is refused at parse: BaseOperatorMeta.partial ->
partial() in airflow/models/baseoperator.py raises ValueError("pool slots for echo in dag ...
cannot be less than 1")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h7_pool_slots_zero_classic_partial", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="echo", pool_slots=0).expand(bash_command=["echo 1", "echo 2"])

EXPECTED = {"exit": 2, "stderr_contains": "pool slots"}
