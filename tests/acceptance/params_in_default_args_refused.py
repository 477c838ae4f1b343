"""Params given in the DAG's ``default_args`` are DAG params, as in Airflow 2.x: ``DAG.__init__`` does
``if "params" in self.default_args: params.update(self.default_args["params"]); del
self.default_args["params"]`` ("merging potentially conflicting default_args['params'] into params",
airflow/models/dag.py), so ``create_dagrun`` validates them with the conf and a value breaking the
schema refuses the run (exit 2, nothing written), as for ``DAG(params=...)``."""
from datetime import datetime

from orchestrator import Param, dag, get_current_context, task


@task
def take(x: int) -> int:
    return x * get_current_context()["params"]["limit"]


@dag(dag_id="params_in_default_args_refused", schedule=None, start_date=datetime(2022, 1, 1),
     default_args={"params": {"limit": Param(5, type="integer", minimum=1)}})
def params_in_default_args_refused():
    take.expand(x=[1, 2])


params_in_default_args_refused()

EXPECTED = {"exit": 2, "run_args": ["--conf", '{"limit": 0}'], "stderr_contains": "limit minimum"}
