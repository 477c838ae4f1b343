"""Mapping over one key of a multiple_outputs task maps over the list pushed under that key; a
reduce reading another key gets its value."""
from datetime import datetime

from orchestrator import dag, task


@task(multiple_outputs=True)
def listing():
    return {"files": ["a.csv", "b.csv", "c.csv"], "prefix": "landing/"}


@task
def load(path, prefix):
    return prefix + path


@task
def report(loaded, prefix):
    return f"{len(loaded)} files under {prefix}"


@dag(dag_id="map_over_output_key", schedule=None, start_date=datetime(2022, 1, 1))
def map_over_output_key():
    listed = listing()
    report(load.partial(prefix=listed["prefix"]).expand(path=listed["files"]), listed["prefix"])


map_over_output_key()

EXPECTED = {
    "state": "success",
    "tasks": {"load": {"map_count": 3, "states": {"success": 3}}},
    "xcom": [["load", 2, "landing/c.csv"], ["report", None, "3 files under landing/"]],
}
