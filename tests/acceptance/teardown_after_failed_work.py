"""Setup/teardown outside a mapped group (docs howto/setup-and-teardown.rst): the teardown runs
although the work failed, because its setup succeeded; a teardown is ignored for the run state,
so the failed work fails the run; a teardown whose setup was skipped is skipped ("it will skip if
the setup was skipped"); a failed teardown of a successful scope leaves the run to its work.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, setup, task, teardown


@setup
def create_cluster():
    return "cluster-1"


@task
def run_query(cluster):
    raise RuntimeError(f"query on {cluster} failed")


@teardown
def delete_cluster(cluster):
    return f"deleted {cluster}"


@setup
def reserve():
    raise AirflowSkipException("nothing to reserve")


@task
def use():
    return "used"


@teardown
def release():
    return "released"


@task
def lock():
    return "locked"


@task
def write():
    return "written"


@task
def unlock():
    raise RuntimeError("unlock failed")


@dag(dag_id="teardown_after_failed_work", schedule=None, start_date=datetime(2022, 1, 1))
def teardown_after_failed_work():
    cluster = create_cluster()
    run_query(cluster) >> delete_cluster(cluster)
    reserved, released = reserve(), release()
    reserved >> use() >> released
    reserved >> released
    unlocking = unlock()
    lock() >> write() >> unlocking.as_teardown(setups=lock.override(task_id="lock_again")())


teardown_after_failed_work()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "create_cluster": {"states": {"success": 1}},
        "run_query": {"states": {"failed": 1}},
        "delete_cluster": {"states": {"success": 1}},
        "reserve": {"states": {"skipped": 1}},
        "use": {"states": {"skipped": 1}},
        "release": {"states": {"skipped": 1}},
        "write": {"states": {"success": 1}},
        "unlock": {"states": {"failed": 1}},
    },
    "xcom": [["delete_cluster", None, "deleted cluster-1"]],
}
