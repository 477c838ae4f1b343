"""Effective priority weight of mapped instances (shown by `tasks list` for slot-limited tasks):
the weight rules of airflow/task/priority_strategy.py, applied per task (TaskInstance
refresh_from_task / insert_mapping: task.weight_rule.get_weight(ti)):
_DownstreamPriorityWeightStrategy.get_weight = own + sum of every task downstream (each task once,
get_flat_relative_ids, whatever its map width); _UpstreamPriorityWeightStrategy: own + every task
upstream; _AbsolutePriorityWeightStrategy: own only.
src(2) -> down_work(3, downstream) -> collect(5) -> final(7): 3+5+7 = 15;
src(2) -> up_work(4, upstream): 4+2 = 6; src(2) -> abs_work(10, absolute): 10."""
from datetime import datetime

from orchestrator import dag, task


@task(priority_weight=2)
def src() -> list:
    return [1, 2]


@task(priority_weight=3, max_active_tis_per_dagrun=5)
def down_work(x: int) -> int:
    return x


@task(priority_weight=4, weight_rule="upstream", max_active_tis_per_dagrun=5)
def up_work(x: int) -> int:
    return x


@task(priority_weight=10, weight_rule="absolute", max_active_tis_per_dagrun=5)
def abs_work(x: int) -> int:
    return x


@task(priority_weight=5)
def collect(values) -> int:
    return sum(values)


@task(priority_weight=7)
def final(total: int) -> int:
    return total


@dag(dag_id="h7_priority_weight_rules_mapped", schedule=None, start_date=datetime(2022, 1, 1))
def h7_priority_weight_rules_mapped():
    s = src()
    final(collect(down_work.expand(x=s)))
    up_work.expand(x=s)
    abs_work.expand(x=s)


h7_priority_weight_rules_mapped()

EXPECTED = {
    "state": "success",
    "tasks": {"down_work": {"map_count": 2, "states": {"success": 2}}},
    "instances": [["down_work", 0, {"state": "success", "priority_weight": 15}],
                  ["down_work", 1, {"state": "success", "priority_weight": 15}],
                  ["up_work", 1, {"state": "success", "priority_weight": 6}],
                  ["abs_work", 0, {"state": "success", "priority_weight": 10}]],
    "xcom": [["final", None, 3]],
}
