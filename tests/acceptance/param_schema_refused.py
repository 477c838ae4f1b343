"""A run whose conf breaks a Param's JSON Schema is refused before anything is written: exit 2, one
line naming the param and the rule (Airflow validates params with jsonschema when a run is triggered)."""
from datetime import datetime

from orchestrator import Param, dag, task


@task
def first(n):
    return list(range(n))


@dag(dag_id="param_schema_refused", schedule=None, start_date=datetime(2022, 1, 1),
     params={"limit": Param(5, type="integer", minimum=1)})
def param_schema_refused():
    first("{{ params.limit }}")


param_schema_refused()

EXPECTED = {"exit": 2, "run_args": ["--conf", '{"limit": 0}'], "stderr_contains": "limit minimum"}
