"""A classic operator's ``expand()`` (or ``partial()``) with an argument the operator does not take
is refused when the DAG file is parsed, as Airflow does: ``OperatorPartial.expand`` calls
``validate_mapping_kwargs(self.operator_class, "expand", mapped_kwargs)`` (and ``partial()`` does for
"partial"), which walks the operator's ``__init__`` parameter names over its MRO and raises
``TypeError: BashOperator.expand() got an unexpected keyword argument 'bash_comand'``
(airflow/models/mappedoperator.py). Here a typo of ``bash_command``: nothing may run."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="classic_expand_unknown_argument", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator.partial(task_id="say").expand(bash_comand=["echo 1", "echo 2"])

EXPECTED = {"exit": 2, "stderr_contains": "bash_comand"}
