"""Variant of bad_conf: a DAG Param without a default, and no --conf for it. Airflow models/param.py
Param.resolve: "No value passed and Param has no default value" (ParamValidationError) when
DAG.create_dagrun validates the params -> the run is refused; names the param."""
from datetime import datetime

from orchestrator import Param, dag, task


@task
def echo(x, n):
    return x * n


@dag(dag_id="bc_param_required_missing", schedule=None, start_date=datetime(2022, 1, 1),
     params={"n": Param(type="integer")})
def bc_param_required_missing():
    echo.partial(n="{{ params.n }}").expand(x=[1, 2])


bc_param_required_missing()

EXPECTED = {"exit": 2, "stderr_contains": "n"}
