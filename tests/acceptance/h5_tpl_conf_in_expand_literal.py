"""@task expand literals rendered with params / dag_run.conf / ds for each index."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x):
    return x


@dag(dag_id="h5_tpl_conf_in_expand_literal", schedule=None, start_date=datetime(2022, 1, 1), params={"a": "default"})
def h5_tpl_conf_in_expand_literal():
    echo.expand(x=["{{ params.a }}", "{{ dag_run.conf.get('b', 'none') }}", "{{ ds }}#{{ ti.map_index }}"])


h5_tpl_conf_in_expand_literal()

EXPECTED = {
    "state": "success",
    "run_args": ["--logical-date", "2023-05-06", "--conf", '{"a": "A"}'],
    "xcom": [["echo", 0, "A"], ["echo", 1, "none"], ["echo", 2, "2023-05-06#2"]],
}
