"""Variant of unmappable_pool: `queue` cannot be mapped (Airflow baseoperator.partial() fills
partial_kwargs.setdefault("queue", ...), so OperatorPartial.expand -> prevent_duplicates raises
TypeError "unmappable or already specified argument: queue")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="up_expand_queue", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="echo").expand(bash_command=["echo 1", "echo 2"], queue=["q1", "q2"])

EXPECTED = {"exit": 2, "stderr_contains": "queue"}
