"""expand_kwargs: in Airflow 2.10 the values of each dict are rendered as templates, whether the list
of dicts is a literal or an upstream's XCom (ListOfDictsExpandInput.resolve: resolved_oids only holds
MappedArgument/XComArg values, so plain values -- even ones read from XCom -- are rendered)."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


@task
def kwargs_rows() -> list:
    return [{"a": "{{ ds_nodash }}", "b": "x"}, {"a": "lit", "b": "{{ ti.map_index }}"}]


@task
def cmds() -> list:
    return [{"bash_command": "echo {{ ds }}"}]


@task
def join(a: str, b: str) -> str:
    return a + "|" + b


@dag(dag_id="h5_expand_kwargs_xcom_rendered", schedule=None, start_date=datetime(2022, 1, 1))
def h5_expand_kwargs_xcom_rendered():
    join.expand_kwargs(kwargs_rows())
    join.override(task_id="join_lit").expand_kwargs([{"a": "{{ ds }}", "b": "{{ ti.map_index }}"}])
    BashOperator.partial(task_id="b").expand_kwargs(cmds())


h5_expand_kwargs_xcom_rendered()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["join", 0, "20220412|x"], ["join", 1, "lit|1"], ["join_lit", 0, "2022-04-12|0"], ["b", 0, "2022-04-12"]],
}
