"""Nested literals in expand() (dicts, lists) are rendered recursively; a mapped env dict read from an
upstream's output is data and is passed as is; map_index_template can read dag_run.conf."""
from datetime import datetime

from orchestrator import dag, task
from orchestrator.operators import BashOperator


@task
def envs() -> list:
    return [{"V": "{{ ds }}"}]


@task(map_index_template="{{ dag_run.conf['tag'] }}-{{ ti.map_index }}")
def echo(x):
    return x


@dag(dag_id="h5_tpl_nested_literals_vs_output", schedule=None, start_date=datetime(2022, 1, 1))
def h5_tpl_nested_literals_vs_output():
    echo.expand(x=[{"k": "{{ ds_nodash }}", "n": 1}, ["{{ ds }}", 2]])
    BashOperator.partial(task_id="b", bash_command="echo \"$V\"").expand(env=envs())


h5_tpl_nested_literals_vs_output()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2022-04-12", "--conf", '{"tag": "T"}'],
    "xcom": [["echo", 0, {"k": "20220412", "n": 1}], ["echo", 1, ["2022-04-12", 2]], ["b", 0, "{{ ds }}"]],
    "instances": [["echo", 1, {"rendered_map_index": "T-1"}]],
}
