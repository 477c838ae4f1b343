"""A concatenation of empty outputs maps over nothing: the mapped task is skipped (map_count 0),
its default-rule reduce is skipped with it, a none_failed task still runs, the run succeeds."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def nothing_here():
    return []


@task
def nothing_there():
    return {}


@task
def work(x):
    return x


@task
def reduce(values):
    return len(values)


@task(trigger_rule=TriggerRule.NONE_FAILED)
def report():
    return "reported"


@dag(dag_id="concat_empty", schedule=None, start_date=datetime(2022, 1, 1))
def concat_empty():
    done = work.expand(x=nothing_here().concat(nothing_there()))
    reduce(done) >> report()


concat_empty()

EXPECTED = {
    "state": "success",
    "tasks": {
        "work": {"map_count": 0, "states": {"skipped": 1}},
        "reduce": {"states": {"skipped": 1}},
        "report": {"states": {"success": 1}},
    },
    "xcom": [["report", None, "reported"]],
}
