"""task_id cannot be mapped on a classic operator: refused when the file loads, naming it.

Airflow 2.10, OperatorPartial.expand (airflow/models/mappedoperator.py):
``prevent_duplicates(self.kwargs, mapped_kwargs, fail_reason="unmappable or already specified")``
-- task_id is always among the partial kwargs -> "unmappable or already specified argument: task_id".
"""
from datetime import datetime

from orchestrator import dag
from orchestrator.operators.bash import BashOperator


@dag(dag_id="classic_expand_task_id", schedule=None, start_date=datetime(2022, 1, 1))
def classic_expand_task_id():
    BashOperator.partial(task_id="echo").expand(task_id=["a", "b"], bash_command=["echo 1", "echo 2"])


classic_expand_task_id()

EXPECTED = {"exit": 2, "stderr_contains": ["task_id"]}
