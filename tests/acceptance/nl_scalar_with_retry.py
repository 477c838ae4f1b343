"""Variant of non_list_upstream: the scalar upstream has retries=1: UnmappableXComTypePushed is an
ordinary failure of the try, so it is retried (try_number 2) before failing; the all_done downstream of
the mapped task still runs. Airflow: only AirflowFailException/sensor timeouts skip retries
(TaskInstance.handle_failure)."""
from datetime import datetime, timedelta

from orchestrator import TriggerRule, dag, task


@task(retries=1, retry_delay=timedelta(seconds=0))
def scalar() -> float:
    return 1.5


@task
def double(x):
    return 2 * x


@task(trigger_rule=TriggerRule.ALL_DONE)
def report(values) -> str:
    return "reported"


@dag(dag_id="nl_scalar_with_retry", schedule=None, start_date=datetime(2022, 1, 1))
def nl_scalar_with_retry():
    report(double.expand(x=scalar()))


nl_scalar_with_retry()

EXPECTED = {
    "state": "success",
    "tasks": {"scalar": {"states": {"failed": 1}}, "double": {"states": {"upstream_failed": 1}},
              "report": {"states": {"success": 1}}},
    "instances": [["scalar", None, {"state": "failed", "try_number": 2, "error_contains": "float"}]],
}
