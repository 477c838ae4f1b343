"""user_defined_macros and user_defined_filters of a DAG, as in Airflow: every template of the DAG
sees them -- a partial() argument, a mapped value, a classic operator's templated field."""

from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


def shout(value):
    return str(value).upper() + "!"


@task
def greet(who, greeting):
    return f"{greeting} {who}"


@dag(
    dag_id="user_macros_filters",
    schedule=None,
    start_date=datetime(2022, 1, 1),
    user_defined_macros={"team": "data", "double": lambda v: v * 2},
    user_defined_filters={"shout": shout},
)
def user_macros_filters():
    greet.partial(greeting="{{ team | shout }} {{ double(21) }}").expand(who=["ann", "{{ ti.map_index | shout }}"])
    BashOperator.partial(task_id="b").expand(bash_command=["echo {{ team }}-{{ 'x' | shout }}"])


user_macros_filters()
EXPECTED = {
    "state": "success",
    "xcom": [["greet", 0, "DATA! 42 ann"], ["greet", 1, "DATA! 42 1!"], ["b", 0, "data-X!"]],
}
