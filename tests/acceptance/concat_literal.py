"""concat() joins task outputs only: a literal list is refused when the DAG file is read, in
one line naming what was wrong, and no run is created."""
from datetime import datetime

from orchestrator import dag, task


@task
def numbers():
    return [1]


@task
def work(x):
    return x


@dag(dag_id="concat_literal", schedule=None, start_date=datetime(2022, 1, 1))
def concat_literal():
    work.expand(x=numbers().concat([2, 3]))


concat_literal()

EXPECTED = {"exit": 2, "stderr_contains": "concat"}
