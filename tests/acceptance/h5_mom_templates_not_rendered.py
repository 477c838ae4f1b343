"""Map of map: strings from an upstream mapped output are not rendered again, partial literals are."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


@task
def make(x: int) -> str:
    return "{{ ds }}-" + str(x)


@task
def join(v: str, day: str) -> str:
    return v + "|" + day


@task
def cmd(x: int) -> str:
    return "echo '{{ ds_nodash }}'-" + str(x)


@dag(dag_id="h5_mom_templates_not_rendered", schedule=None, start_date=datetime(2022, 1, 1))
def h5_mom_templates_not_rendered():
    join.partial(day="{{ ds_nodash }}").expand(v=make.expand(x=[1, 2]))
    BashOperator.partial(task_id="b").expand(bash_command=cmd.expand(x=[7]))


h5_mom_templates_not_rendered()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12"],
    "xcom": [["join", 0, "{{ ds }}-1|20220412"], ["join", 1, "{{ ds }}-2|20220412"], ["b", 0, "{{ ds_nodash }}-7"]],
}
