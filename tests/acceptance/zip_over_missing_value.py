"""A reduce zipping two outputs, one of whose tasks was skipped and pushed nothing: the absent value is
an error naming that task (as in Airflow's zip), never an empty list that makes the run succeed."""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def names():
    return ["a", "b"]


@task
def sizes():
    raise AirflowSkipException("sizes are not known today")


@task(trigger_rule=TriggerRule.ALL_DONE)
def pair(pairs):
    return list(pairs)


@dag(dag_id="zip_over_missing_value", schedule=None, start_date=datetime(2022, 1, 1))
def zip_over_missing_value():
    pair(names().zip(sizes()))


zip_over_missing_value()

EXPECTED = {
    "state": "failed",
    "tasks": {"sizes": {"states": {"skipped": 1}}, "pair": {"states": {"failed": 1}}},
    "instances": [["pair", None, {"state": "failed", "error_contains": "sizes"}]],
}
