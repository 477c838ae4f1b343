"""Mapping over a parameter named as one of Airflow's context keys that Chordflow's context lacks
('conn') is still refused, as Airflow's _validate_arg_names refuses every KNOWN_CONTEXT_KEYS name."""
from datetime import datetime

from orchestrator import dag, task


@task
def use(conn=None):
    return conn


@dag(dag_id="ctx_expand_over_conn", schedule=None, start_date=datetime(2022, 1, 1))
def ctx_expand_over_conn():
    use.expand(conn=["a", "b"])


ctx_expand_over_conn()

EXPECTED = {"exit": 2, "stderr_contains": "'conn'"}
