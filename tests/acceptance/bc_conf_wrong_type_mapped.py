"""Variant of bad_conf: --conf gives a Param a value of the wrong type (a string for an integer) ->
refused before any run (Airflow: DAG.create_dagrun -> params.validate() -> ParamValidationError naming
the param)."""
from datetime import datetime

from orchestrator import Param, dag, task


@task
def echo(x):
    return x


@dag(dag_id="bc_conf_wrong_type_mapped", schedule=None, start_date=datetime(2022, 1, 1),
     params={"count": Param(3, type="integer")})
def bc_conf_wrong_type_mapped():
    echo.expand(x=[1, 2])


bc_conf_wrong_type_mapped()

EXPECTED = {"exit": 2, "run_args": ["--conf", '{"count": "three"}'], "stderr_contains": "count"}
