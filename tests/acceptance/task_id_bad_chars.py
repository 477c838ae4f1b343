"""A task id with a space (or any character outside letters, digits, "_", "-", ".") is refused by
Airflow when the operator is created: BaseOperator.__init__ -> validate_key(task_id)
(KEY_REGEX = ^[\\w.-]+$; "The key 'load orders' has to be made of alphanumeric characters,
dashes, dots, and underscores exclusively"); ids longer than 250 characters too.
"""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import EmptyOperator

with DAG(dag_id="task_id_bad_chars", schedule=None, start_date=datetime(2022, 1, 1)):
    EmptyOperator(task_id="load orders")

EXPECTED = {"exit": 2, "stderr_contains": "load orders"}
