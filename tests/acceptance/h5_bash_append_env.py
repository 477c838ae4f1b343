"""Mapped env: without append_env the worker's environment is replaced (HOME gone); with append_env it is kept."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_bash_append_env", schedule=None, start_date=datetime(2022, 1, 1), params={"x": "px"}):
    BashOperator.partial(task_id="kept", bash_command='echo "$V:${HOME:+hashome}"', append_env=True).expand(
        env=[{"V": "{{ params.x }}"}, {"V": "i{{ ti.map_index }}"}])
    BashOperator.partial(task_id="replaced", bash_command='echo "$V:${HOME:+hashome}:$AIRFLOW_CTX_TASK_ID"').expand(
        env=[{"V": "{{ params.x }}"}])

EXPECTED = {
    "state": "success",
    "run_args": ["--conf", '{"x": "cx"}'],
    "xcom": [["kept", 0, "cx:hashome"], ["kept", 1, "i1:hashome"], ["replaced", 0, "cx::replaced"]],
}
