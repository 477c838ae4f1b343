"""Variant of non_list_upstream: a scalar (bool) fed to a mapped task GROUP's expand(): the upstream
fails naming the type (iter_mapped_dependants includes MappedTaskGroup), every task of the group is
upstream_failed."""
from datetime import datetime

from orchestrator import dag, task, task_group


@task
def flag() -> bool:
    return True


@task
def first(x):
    return x


@task
def second(x):
    return x


@task_group
def grp(x):
    return second(first(x))


@dag(dag_id="nl_scalar_to_mapped_group", schedule=None, start_date=datetime(2022, 1, 1))
def nl_scalar_to_mapped_group():
    grp.expand(x=flag())


nl_scalar_to_mapped_group()

EXPECTED = {
    "state": "failed",
    "tasks": {"flag": {"states": {"failed": 1}},
              "grp.first": {"states": {"upstream_failed": 1}},
              "grp.second": {"states": {"upstream_failed": 1}}},
    "instances": [["flag", None, {"state": "failed", "error_contains": "bool"}]],
}
