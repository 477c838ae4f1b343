"""expand() over a parameter named like a context variable ("ds") is refused when the DAG loads,
in Airflow: _TaskDecorator._validate_arg_names (airflow/decorators/base.py):
KNOWN_CONTEXT_KEYS.intersection(kwargs) -> ValueError "cannot call expand() on task context
variable 'ds'" -- the context would silently shadow the mapped value.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def process(ds):
    return ds


@dag(dag_id="expand_context_key", schedule=None, start_date=datetime(2022, 1, 1))
def expand_context_key():
    process.expand(ds=["2022-01-01", "2022-01-02"])


expand_context_key()

EXPECTED = {"exit": 2, "stderr_contains": "'ds' expand"}
