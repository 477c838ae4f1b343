"""Mapping over `task_output["key"]` of a task without multiple_outputs: nothing is ever pushed under
that key, so the DAG file is refused when it loads, naming task and key (Airflow refuses mapping
over any custom key: "cannot map over XCom with custom key")."""
from datetime import datetime

from orchestrator import dag, task


@task
def listing():
    return {"files": ["a.csv", "b.csv"]}


@task
def load(path):
    return path


@dag(dag_id="map_over_unpushed_key", schedule=None, start_date=datetime(2022, 1, 1))
def map_over_unpushed_key():
    load.expand(path=listing()["files"])


map_over_unpushed_key()

EXPECTED = {"exit": 2, "stderr_contains": "listing files multiple_outputs"}
