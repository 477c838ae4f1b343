"""Setup and teardown inside a mapped task group: each index's teardown follows its own setup
(all_done_setup_success per index). Index 0: work fails, the teardown still runs. Index 1: the
setup is skipped, so work and teardown are skipped. Index 2: all succeed. The failed work fails
the run; the teardowns do not decide it (docs howto/setup-and-teardown.rst, PR #32820).
"""
from datetime import datetime

from orchestrator import AirflowSkipException, dag, setup, task, task_group, teardown


@setup
def provision(name):
    if name == "skip-me":
        raise AirflowSkipException("no machine needed")
    return f"vm-{name}"


@task
def compute(vm):
    if vm == "vm-bad":
        raise RuntimeError("compute failed")
    return f"computed on {vm}"


@teardown
def deprovision(vm):
    return f"released {vm}"


@task_group
def per_job(name):
    vm = provision(name)
    compute(vm) >> deprovision(vm)


@dag(dag_id="setup_teardown_in_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def setup_teardown_in_mapped_group():
    per_job.expand(name=["bad", "skip-me", "good"])


setup_teardown_in_mapped_group()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "per_job.provision": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
        "per_job.compute": {"map_count": 3, "states": {"success": 1, "failed": 1, "skipped": 1}},
        "per_job.deprovision": {"map_count": 3, "states": {"success": 2, "skipped": 1}},
    },
    "instances": [["per_job.deprovision", 0, {"state": "success"}], ["per_job.deprovision", 1, {"state": "skipped"}]],
    "xcom": [["per_job.deprovision", 0, "released vm-bad"], ["per_job.deprovision", 2, "released vm-good"]],
}
