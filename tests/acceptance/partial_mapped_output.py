"""A mapped task's output given to partial() of another mapped task: every instance receives the
whole sequence of its results (not one element), after all of them ended.

Airflow 2.10: a partial() XComArg is resolved by PlainXComArg.resolve with
get_relevant_upstream_map_indexes -> None (no common mapped task group): the whole
LazyXComSelectSequence (airflow/models/xcom_arg.py, airflow/models/taskinstance.py).
"""
from datetime import datetime

from orchestrator import dag, task


@task
def square(x):
    return x * x


@task
def share(all_squares, i):
    return [i, list(all_squares), sum(all_squares)]


@dag(dag_id="partial_mapped_output", schedule=None, start_date=datetime(2022, 1, 1))
def partial_mapped_output():
    share.partial(all_squares=square.expand(x=[1, 2, 3])).expand(i=["a", "b"])


partial_mapped_output()

EXPECTED = {
    "state": "success",
    "tasks": {"share": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["share", 1, ["b", [1, 4, 9], 14]]],
}
