"""Classic BashOperator.expand_kwargs over an upstream's list of dicts: Airflow 2.10 renders the
bash_command/env read from XCom (ListOfDictsExpandInput.resolve -> resolved_oids empty for plain values),
unlike expand(bash_command=upstream) whose values are never rendered."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


@task
def rows() -> list:
    return [{"bash_command": "echo {{ ds_nodash }}-{{ ti.map_index }}"},
            {"bash_command": "echo \"$V\"", "env": {"V": "{{ ds }}"}}]


@task
def cmds() -> list:
    return ["echo '{{ ds }}'"]


@dag(dag_id="h5_expand_kwargs_bash_xcom_rendered", schedule=None, start_date=datetime(2022, 1, 1))
def h5_expand_kwargs_bash_xcom_rendered():
    BashOperator.partial(task_id="kw").expand_kwargs(rows())
    BashOperator.partial(task_id="plain").expand(bash_command=cmds())


h5_expand_kwargs_bash_xcom_rendered()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["plain", 0, "{{ ds }}"], ["kw", 0, "20220412-0"], ["kw", 1, "2022-04-12"]],
}
