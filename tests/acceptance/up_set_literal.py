"""Bad input: expand() over a literal SET. Airflow expandinput.py is_mappable: `isinstance(v,
(MappedArgument, XComArg, Mapping, Sequence)) and not isinstance(v, str)` -> a set is refused at parse
time (validate_mapping_kwargs / _validate_arg_names: "expand() got an unexpected type 'set' for keyword
argument x")."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x):
    return x


@dag(dag_id="up_set_literal", schedule=None, start_date=datetime(2022, 1, 1))
def up_set_literal():
    echo.expand(x={1, 2})


up_set_literal()

EXPECTED = {"exit": 2, "stderr_contains": "set"}
