"""expand() over a tuple literal maps over its elements, as over a list.

Airflow 2.10: is_mappable accepts any Sequence but str (airflow/models/expandinput.py), and
DictOfListsExpandInput's parse-time length is len(value) for a non-XComArg.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def double(x):
    return 2 * x


@task
def collect(values):
    return list(values)


@dag(dag_id="expand_tuple_literal", schedule=None, start_date=datetime(2022, 1, 1))
def expand_tuple_literal():
    collect(double.expand(x=(1, 2, 3)))


expand_tuple_literal()

EXPECTED = {"state": "success", "tasks": {"double": {"map_count": 3}}, "xcom": [["collect", None, [2, 4, 6]]]}
