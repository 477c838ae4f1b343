"""A classic PythonOperator mapped with expand_kwargs(): each dict gives that instance's
op_args / op_kwargs (Airflow docs dynamic-task-mapping.rst "Assigning multiple parameters to a
non-TaskFlow operator": expand_kwargs on a classic operator, keys are the operator's arguments),
from a literal list and from an upstream output; partial() op_kwargs stay for every index
(no dict sets op_kwargs again: with strict=True, Airflow's default, that would be an error).
"""
from datetime import datetime

from orchestrator import DAG, task
from orchestrator.operators import PythonOperator


def describe(*args, base=None, extra=None, k=None):
    # (no **kwargs: Airflow's PythonOperator would pass the whole context into it)
    kwargs = {"base": base, "extra": extra, "k": k}
    return f"{list(args)}|{sorted((n, v) for n, v in kwargs.items() if v is not None)}"


@task
def make_kwargs():
    return [{"op_args": [1, 2]}, {"op_kwargs": {"k": "v"}}]


with DAG(dag_id="expand_kwargs_python_operator", schedule=None, start_date=datetime(2022, 1, 1)):
    PythonOperator.partial(task_id="literal", python_callable=describe, op_kwargs={"base": 0}).expand_kwargs(
        [{"op_args": ["a"]}, {"op_args": ["b", "c"]}]
    )
    PythonOperator.partial(task_id="from_upstream", python_callable=describe).expand_kwargs(make_kwargs())

EXPECTED = {
    "state": "success",
    "tasks": {"literal": {"map_count": 2, "states": {"success": 2}},
              "from_upstream": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["literal", 0, "['a']|[('base', 0)]"], ["literal", 1, "['b', 'c']|[('base', 0)]"],
             ["from_upstream", 0, "[1, 2]|[]"], ["from_upstream", 1, "[]|[('k', 'v')]"]],
}
