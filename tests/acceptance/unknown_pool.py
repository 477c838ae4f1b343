"""A task naming a pool that does not exist is refused when the DAG is loaded for a run, naming
task, DAG and pool (`chordflow pools set NAME SLOTS` creates it); nothing is written."""
from datetime import datetime

from orchestrator import dag, task


@task(pool="rate_limited_api")
def call(x):
    return x


@dag(dag_id="unknown_pool", schedule=None, start_date=datetime(2022, 1, 1))
def unknown_pool():
    call.expand(x=[1, 2])


unknown_pool()

EXPECTED = {"exit": 2, "stderr_contains": ["call", "unknown_pool", "rate_limited_api", "pools set"]}
