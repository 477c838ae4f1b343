"""Variant of unmappable_pool: `priority_weight` mapped on a PythonOperator (partial() sets it:
"unmappable or already specified argument: priority_weight")."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import PythonOperator


def f(x):
    return x


with DAG(dag_id="up_expand_priority_weight_python", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonOperator.partial(task_id="py", python_callable=f).expand(op_args=[[1], [2]], priority_weight=[1, 2])

EXPECTED = {"exit": 2, "stderr_contains": "priority_weight"}
