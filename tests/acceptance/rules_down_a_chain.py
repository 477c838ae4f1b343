"""Trigger rules several hops below a failure, each task deciding only once the one above it has
ended: a task none of whose upstream instances has finished waits whatever its rule (the advance
step does not even evaluate it), but ``always`` runs at once, and a map over literals deep in the
chain is expanded with the run and ends with its upstream's failure."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def start() -> int:
    return 1


@task
def boom(x: int) -> int:
    raise ValueError(f"boom at {x}")


@task
def after_boom(x: int) -> int:  # all_success: upstream_failed
    return x


@task
def fan(x: int) -> int:  # a map over literals below the failure: expanded, then upstream_failed
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def cleanup() -> str:
    return "cleaned"


@task(trigger_rule=TriggerRule.ONE_FAILED)
def alert() -> str:  # its only upstream succeeded: skipped
    return "alert"


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def after_alert() -> str:  # every upstream skipped: skipped
    return "after alert"


@task(trigger_rule=TriggerRule.ALWAYS)
def report() -> str:  # runs whatever happens above it
    return "report"


@task(trigger_rule=TriggerRule.NONE_FAILED)
def final() -> str:  # its upstream (report) succeeded
    return "final"


@dag(dag_id="rules_down_a_chain", schedule=None, start_date=datetime(2022, 1, 1))
def rules_down_a_chain():
    failed_above = after_boom(boom(start()))
    failed_above >> fan.expand(x=[1, 2])
    failed_above >> cleanup() >> alert() >> after_alert() >> report() >> final()


rules_down_a_chain()

EXPECTED = {
    # The leaves decide: final succeeded, but fan's instances are upstream_failed.
    "state": "failed",
    "tasks": {
        "start": {"states": {"success": 1}},
        "boom": {"states": {"failed": 1}},
        "after_boom": {"states": {"upstream_failed": 1}},
        "fan": {"map_count": 2, "states": {"upstream_failed": 2}},
        "cleanup": {"states": {"success": 1}},
        "alert": {"states": {"skipped": 1}},
        "after_alert": {"states": {"skipped": 1}},
        "report": {"states": {"success": 1}},
        "final": {"states": {"success": 1}},
    },
    "xcom": [["cleanup", None, "cleaned"], ["report", None, "report"], ["final", None, "final"]],
    "instances": [["boom", None, {"state": "failed", "error_contains": "boom at 1"}]],
}
