"""A failed teardown does not fail the run -- unless on_failure_fail_dagrun=True (docs
howto/setup-and-teardown.rst; models/dagrun.py: such a teardown is not ignored for the run state).
The work succeeds; `cleanup` fails and is ignored; `must_cleanup` fails and fails the run.
"""
from datetime import datetime

from orchestrator import dag, setup, task, teardown


@setup
def start():
    return "started"


@task
def work():
    return "worked"


@teardown
def cleanup():
    raise RuntimeError("cleanup failed")


@teardown(on_failure_fail_dagrun=True)
def must_cleanup():
    raise RuntimeError("must_cleanup failed")


@dag(dag_id="teardown_fails_run_when_asked", schedule=None, start_date=datetime(2022, 1, 1))
def teardown_fails_run_when_asked():
    s = start()
    with s >> cleanup():
        work()
    s >> must_cleanup()


teardown_fails_run_when_asked()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "start": {"states": {"success": 1}},
        "work": {"states": {"success": 1}},
        "cleanup": {"states": {"failed": 1}},
        "must_cleanup": {"states": {"failed": 1}},
    },
    "instances": [["must_cleanup", None, {"state": "failed", "error_contains": "must_cleanup failed"}]],
}
