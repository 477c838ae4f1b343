"""queue cannot be mapped on a classic operator: refused when the file loads, naming it.

Airflow 2.10: BaseOperator.partial puts ``queue`` among the partial kwargs (default from
_PARTIAL_DEFAULTS), so OperatorPartial.expand's ``prevent_duplicates(..., fail_reason="unmappable
or already specified")`` raises "unmappable or already specified argument: queue".
"""
from datetime import datetime

from orchestrator import dag
from orchestrator.operators.python import PythonOperator


def show(x):
    return x


@dag(dag_id="classic_expand_queue", schedule=None, start_date=datetime(2022, 1, 1))
def classic_expand_queue():
    PythonOperator.partial(task_id="show", python_callable=show, op_args=[1]).expand(queue=["a", "b"])


classic_expand_queue()

EXPECTED = {"exit": 2, "stderr_contains": ["queue"]}
