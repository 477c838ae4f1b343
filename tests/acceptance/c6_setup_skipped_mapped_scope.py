"""A setup that skips itself (AirflowSkipException) with a mapped work task in its scope and an
all_done task after the work: the work map (directly after the setup, all_success) is skipped in
every instance; the all_done task further in the scope is SKIPPED too (Airflow's setup
constraint: an indirect setup that was skipped skips a work task whatever its rule but always);
the teardown (all_done_setup_success) is skipped (every setup skipped). Run success.

Airflow 2.10.5 ti_deps/deps/trigger_rule_dep.py: `work` (direct upstream `make`): ALL_SUCCESS
``elif skipped: SKIPPED`` for each literal instance. `summary`: _evaluate_setup_constraint over its
indirect relevant setups (TaskInstance/ Operator.get_upstreams_only_setups_and_teardowns ->
`make`, not a direct upstream): ``if upstream_failed or failed: UPSTREAM_FAILED elif skipped:
SKIPPED``. `drop`: ALL_DONE_SETUP_SUCCESS ``if upstream_done and upstream_setup and skipped_setup >=
upstream_setup: SKIPPED``.
"""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, setup, task, teardown


@setup
def make():
    raise AirflowSkipException("no resource today")


@task
def work(x):
    return x


@task(trigger_rule=TriggerRule.ALL_DONE)
def summary():
    return "summary"


@teardown
def drop():
    return "dropped"


@dag(dag_id="c6_setup_skipped_mapped_scope", schedule=None, start_date=datetime(2022, 1, 1))
def c6_setup_skipped_mapped_scope():
    s = make()
    w = work.expand(x=[1, 2, 3])
    sm = summary()
    s >> w >> sm >> drop().as_teardown(setups=s)


c6_setup_skipped_mapped_scope()

EXPECTED = {
    "state": "success",
    "tasks": {
        "make": {"states": {"skipped": 1}},
        "work": {"map_count": 3, "states": {"skipped": 3}},
        "summary": {"states": {"skipped": 1}},
        "drop": {"states": {"skipped": 1}},
    },
}
