"""Bad input: a mapped task group expanded over a literal STRING. Airflow TaskGroupDecorator.expand ->
_validate_arg_names("expand", kwargs) (ExpandableFactory): a str is not mappable -> ValueError
"expand() got an unexpected type 'str' for keyword argument 'name'"."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def extract(name):
    return name


@task_group
def per_file(name):
    extract(name)


@dag(dag_id="up_string_literal_group", schedule=None, start_date=datetime(2022, 1, 1))
def up_string_literal_group():
    per_file.expand(name="abc")


up_string_literal_group()

EXPECTED = {"exit": 2, "stderr_contains": "str name"}
