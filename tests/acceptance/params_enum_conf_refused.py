"""A --conf value outside a Param's ``enum`` refuses the run (exit 2, nothing written), as Airflow's
``DAG.create_dagrun`` does (``copied_params.update(conf); copied_params.validate()`` ->
``ParamValidationError: Invalid input for param mode: 'weekly' is not one of ['full', 'delta']``).
The mapped task reads the param; another param's valid conf value does not save the run."""
from datetime import datetime

from orchestrator import Param, dag, get_current_context, task


@task
def load(table: str) -> str:
    return f"{table}:{get_current_context()['params']['mode']}"


@dag(dag_id="params_enum_conf_refused", schedule=None, start_date=datetime(2022, 1, 1),
     params={"mode": Param("full", type="string", enum=["full", "delta"]),
             "batch": Param(10, type="integer", minimum=1, maximum=100)})
def params_enum_conf_refused():
    load.expand(table=["orders", "customers"])


params_enum_conf_refused()

EXPECTED = {"exit": 2, "run_args": ["--conf", '{"mode": "weekly", "batch": 50}'], "stderr_contains": "mode weekly"}
