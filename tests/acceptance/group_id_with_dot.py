"""A task group id may not contain a dot in Airflow: TaskGroup.__init__ calls
validate_group_key(group_id) (GROUP_KEY_REGEX = ^[\\w-]+$: "The key 'sales.eu' has to be made of
alphanumeric characters, dashes, and underscores exclusively"), since the dot is what separates a
group from its tasks in a task id. The DAG file is refused.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def load():
    return 1


@task_group(group_id="sales.eu")
def sales():
    return load()


@dag(dag_id="group_id_with_dot", schedule=None, start_date=datetime(2022, 1, 1))
def group_id_with_dot():
    sales()


group_id_with_dot()

EXPECTED = {"exit": 2, "stderr_contains": "sales.eu"}
