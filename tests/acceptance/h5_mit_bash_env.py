"""Mapped BashOperator over env; map_index_template reads the rendered task.env."""
from datetime import datetime

from orchestrator import DAG
from orchestrator.operators import BashOperator

with DAG(dag_id="h5_mit_bash_env", schedule=None, start_date=datetime(2022, 1, 1), params={"p": "pp"}):
    BashOperator.partial(task_id="b", bash_command="echo $NAME", map_index_template="{{ task.env['NAME'] }}").expand(
        env=[{"NAME": "alpha"}, {"NAME": "{{ params.p }}-{{ ti.map_index }}"}])

EXPECTED = {
    "state": "success",
    "instances": [["b", 0, {"rendered_map_index": "alpha"}], ["b", 1, {"rendered_map_index": "pp-1"}]],
    "xcom": [["b", 0, "alpha"], ["b", 1, "pp-1"]],
}
