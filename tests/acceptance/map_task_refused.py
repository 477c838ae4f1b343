"""XComArg.map() given a @task instead of a plain function is refused when the DAG file is read.

Airflow 2.x (airflow/models/xcom_arg.py, MapXComArg.__init__): a callable with
``_airflow_is_task_decorator`` raises ``ValueError("map() argument must be a plain function, not a
@task operator")`` at parse time. Here: exit 2, an error naming map() and the plain-function rule.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def numbers() -> list:
    return [1, 2, 3]


@task
def double(x: int) -> int:
    return 2 * x


@task
def show(v):
    return v


@dag(dag_id="map_task_refused", schedule=None, start_date=datetime(2022, 1, 1))
def map_task_refused():
    show.expand(v=numbers().map(double))


map_task_refused()

EXPECTED = {"exit": 2, "stderr_contains": ["map()", "function"]}
