"""A mapped task group's expand() over a string literal is refused when the file loads, naming the
type.

Airflow 2.10: _TaskGroupFactory.expand calls ``self._validate_arg_names("expand", kwargs)``
(ExpandableFactory, airflow/decorators/base.py): ``expand() got an unexpected type 'str' for
keyword argument 'letter'``.
"""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def shout(letter):
    return letter.upper()


@task_group
def grp(letter):
    return shout(letter)


@dag(dag_id="group_expand_string_literal", schedule=None, start_date=datetime(2022, 1, 1))
def group_expand_string_literal():
    grp.expand(letter="abc")


group_expand_string_literal()

EXPECTED = {"exit": 2, "stderr_contains": ["str", "letter"]}
