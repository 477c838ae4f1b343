"""expand_kwargs(..., strict=False): Airflow's OperatorPartial.expand_kwargs(kwargs, *, strict=True)
(2.4+) lets a dict override a partial() argument when strict=False: MappedOperator._get_unmap_kwargs
skips prevent_duplicates and returns {**self.partial_kwargs, **mapped_kwargs} ("mapped kwargs
should override partial ones"). Index 0 keeps the partial op_kwargs, index 1 replaces them.
"""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import PythonOperator


def describe(*args, base=None, extra=None, k=None):
    # (no **kwargs: Airflow's PythonOperator would pass the whole context into it)
    kwargs = {"base": base, "extra": extra, "k": k}
    return f"{list(args)}|{sorted((n, v) for n, v in kwargs.items() if v is not None)}"


with DAG(dag_id="expand_kwargs_strict_false", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonOperator.partial(task_id="lenient", python_callable=describe, op_kwargs={"base": 0}).expand_kwargs(
        [{"op_args": ["a"]}, {"op_kwargs": {"extra": 1}}], strict=False
    )

EXPECTED = {
    "state": "success",
    "tasks": {"lenient": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["lenient", 0, "['a']|[('base', 0)]"], ["lenient", 1, "[]|[('extra', 1)]"]],
}
