"""apache/airflow PR #32820 ("Support task mapping with setup teardown"; docs: setup-and-teardown):
a mapped teardown runs even when the work between it and its setup fails.

create.expand() is the setup, work maps over its output and fails for one cluster, delete is the
mapped teardown of create. Each delete instance still runs; the teardown does not decide the run
state, the failed work does: the run fails.
"""
from datetime import datetime

from orchestrator import dag, task


@task
def create(name):
    return f"cluster-{name}"


@task
def work(cluster):
    if cluster.endswith("b"):
        raise RuntimeError("query failed")
    return "done"


@task
def delete(cluster):
    return f"deleted {cluster}"


@dag(dag_id="mapped_setup_teardown", schedule=None, start_date=datetime(2022, 1, 1))
def mapped_setup_teardown():
    clusters = create.expand(name=["a", "b"])
    work.expand(cluster=clusters) >> delete.expand(cluster=clusters).as_teardown(setups=clusters)


mapped_setup_teardown()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "create": {"map_count": 2, "states": {"success": 2}},
        "work": {"map_count": 2, "states": {"success": 1, "failed": 1}},
        "delete": {"map_count": 2, "states": {"success": 2}},
    },
    "xcom": [["delete", 1, "deleted cluster-b"]],
}
