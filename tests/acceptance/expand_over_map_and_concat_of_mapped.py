"""``expand()`` over ``.map()`` of a mapped task's output, and over ``concat()`` of an unmapped and a
mapped output (Airflow 2.10). Airflow: ``MapXComArg.get_task_map_length`` is its argument's (a mapped
upstream: the count of pushed XComs) and ``_MapResult[i]`` applies the function to element i;
``ConcatXComArg.get_task_map_length`` is the sum of its arguments' lengths and ``_ConcatResult`` yields
the first's elements, then the second's (airflow/models/xcom_arg.py)."""
from datetime import datetime

from orchestrator import dag, task


@task
def double(x: int) -> int:
    return 2 * x


@task
def header() -> list:
    return ["h1", "h2"]


@task
def show(v) -> str:
    return f"<{v}>"


@dag(dag_id="expand_over_map_and_concat_of_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def expand_over_map_and_concat_of_mapped():
    doubled = double.expand(x=[1, 2, 3])
    show.override(task_id="mapped_fn").expand(v=doubled.map(lambda n: n + 1))
    show.override(task_id="joined").expand(v=header().concat(doubled))


expand_over_map_and_concat_of_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"mapped_fn": {"map_count": 3, "states": {"success": 3}},
              "joined": {"map_count": 5, "states": {"success": 5}}},
    "xcom": [["mapped_fn", 0, "<3>"], ["mapped_fn", 2, "<7>"],
             ["joined", 1, "<h2>"], ["joined", 2, "<2>"], ["joined", 4, "<6>"]],
}
