"""Variant of unmappable_pool: `executor_config` cannot be mapped (Airflow partial():
partial_kwargs.setdefault("executor_config", ...) -> prevent_duplicates "unmappable or already
specified argument: executor_config")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="up_expand_executor_config", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="echo").expand(bash_command=["echo 1", "echo 2"], executor_config=[{}, {}])

EXPECTED = {"exit": 2, "stderr_contains": "executor_config"}
