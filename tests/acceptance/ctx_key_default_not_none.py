"""A @task parameter named as a context key may default to None only: Airflow's DecoratedOperator
raises "Context key parameter ds can't have a default other than None" (decorators/base.py), so
the DAG file does not load and nothing runs."""
from datetime import datetime

from orchestrator import dag, task


@task
def stamp(x, ds="1970-01-01"):
    return f"{x}@{ds}"


@dag(dag_id="ctx_key_default_not_none", schedule=None, start_date=datetime(2022, 1, 1))
def ctx_key_default_not_none():
    stamp.expand(x=[1, 2])


ctx_key_default_not_none()

EXPECTED = {"exit": 2, "stderr_contains": "can't have a default other than None"}
