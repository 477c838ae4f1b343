"""Bad input: partial() with a name the @task function does not take. Airflow
ExpandableFactory._validate_arg_names("partial", ...): TypeError "partial() got an unexpected keyword
argument 'z'"."""
from datetime import datetime

from orchestrator import dag, task


@task
def add(x, y):
    return x + y


@dag(dag_id="up_partial_unknown_arg", schedule=None, start_date=datetime(2022, 1, 1))
def up_partial_unknown_arg():
    add.partial(y=1, z=2).expand(x=[1, 2])


up_partial_unknown_arg()

EXPECTED = {"exit": 2, "stderr_contains": "partial z"}
