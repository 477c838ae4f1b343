"""Mapped bash_command templates see dag_run.conf and params (conf overriding the default)."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_tpl_dag_run_conf_bash", schedule=None, start_date=datetime(2022, 1, 1),
         params={"who": "alice", "keep": "k"}):
    BashOperator.partial(task_id="b").expand(bash_command=[
        "echo {{ dag_run.conf['who'] }}-{{ ti.map_index }}",
        "echo {{ params.who }}/{{ params.keep }}",
        "echo {{ dag_run.conf.get('missing', 'none') }}",
    ])

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"who": "bob"}'],
    "xcom": [["b", 0, "bob-0"], ["b", 1, "bob/k"], ["b", 2, "none"]],
}
