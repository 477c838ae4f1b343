"""'map_index' is not one of Airflow's context keys (KNOWN_CONTEXT_KEYS, utils/context.py): a @task
may take an argument of that name and map over it like any other (it is ti.map_index that tells
an instance its index)."""
from datetime import datetime

from orchestrator import dag, task


@task
def double(map_index, ti=None):
    return [map_index * 2, ti.map_index]


@dag(dag_id="ctx_map_index_is_an_argument", schedule=None, start_date=datetime(2022, 1, 1))
def ctx_map_index_is_an_argument():
    double.expand(map_index=[5, 7])


ctx_map_index_is_an_argument()

EXPECTED = {"state": "success", "xcom": [["double", 0, [10, 0]], ["double", 1, [14, 1]]]}
