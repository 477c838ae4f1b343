"""expand() over a string literal is refused when the file loads (a str is a Sequence, but not
mappable), naming the type.

Airflow 2.10: ExpandableFactory._validate_arg_names (airflow/decorators/base.py) raises
``ValueError(f"expand() got an unexpected type {tname!r} for keyword argument {arg_name!r}")`` when
``not is_mappable(value)``; is_mappable (airflow/models/expandinput.py) is
``isinstance(v, (MappedArgument, XComArg, Mapping, Sequence)) and not isinstance(v, str)``.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def shout(letter):
    return letter.upper()


@dag(dag_id="expand_string_literal", schedule=None, start_date=datetime(2022, 1, 1))
def expand_string_literal():
    shout.expand(letter="abc")


expand_string_literal()

EXPECTED = {"exit": 2, "stderr_contains": ["str", "letter"]}
