"""An SLA on a mapped task is refused when the file loads.

Airflow 2.10, MappedOperator.__attrs_post_init__ (airflow/models/mappedoperator.py): ``if
self.partial_kwargs.get("sla") is not None: raise AirflowException(f"SLAs are unsupported with
mapped tasks. Please set `sla=None` for task {self.task_id!r}.")`` -- @task(sla=...) kwargs reach
partial_kwargs in _TaskDecorator._expand.
"""
from datetime import datetime, timedelta

from orchestrator import dag, task


@task(sla=timedelta(hours=1))
def double(x):
    return 2 * x


@dag(dag_id="mapped_sla_refused", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_sla_refused():
    double.expand(x=[1, 2])


mapped_sla_refused()

EXPECTED = {"exit": 2, "stderr_contains": ["sla", "mapped"]}
