"""Variant of bad_conf: --conf is valid JSON but not an object (a list). Airflow: a DagRun's conf must
be a dict -- DAG.create_dagrun does copied_params.update(conf) (ParamsDict.update of a list fails) and
the REST API / CLI trigger refuse non-object conf ("conf must be a dict"). Exit 2, naming conf."""
from datetime import datetime

from orchestrator import dag, task


@task
def echo(x):
    return x


@dag(dag_id="bc_conf_not_object", schedule=None, start_date=datetime(2022, 1, 1))
def bc_conf_not_object():
    echo.expand(x=[1, 2])


bc_conf_not_object()

EXPECTED = {"exit": 2, "run_args": ["--conf", "[1, 2]"], "stderr_contains": "conf"}
