"""A mapped task group's expand() with a name its function does not take is refused, naming it.

Airflow 2.10: ExpandableFactory._validate_arg_names (airflow/decorators/base.py):
``TypeError(f"{func}() got an unexpected keyword argument ...")`` -> "expand() got an unexpected
keyword argument 'zzz'".
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def show(x):
    return x


@task_group
def grp(x=1):
    return show(x)


@dag(dag_id="group_expand_unknown_arg", schedule=None, start_date=datetime(2022, 1, 1))
def group_expand_unknown_arg():
    grp.expand(zzz=[1, 2])


group_expand_unknown_arg()

EXPECTED = {"exit": 2, "stderr_contains": ["unexpected", "zzz"]}
