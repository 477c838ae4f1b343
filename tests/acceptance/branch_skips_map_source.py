"""An unmapped branch that does not follow the task a map reads its elements from: the source is
skipped (SkipMixin.skip_all_except), so the mapped task over its output is skipped without
expanding (Airflow: a skipped upstream under all_success is skipped before expansion; README
"a skipped source makes it skipped"), and a join with none_failed_min_one_success after both
paths still runs (Airflow docs, dags.rst "Branching": joins want none_failed_min_one_success).
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task.branch
def choose():
    return "fallback"


@task
def list_files():
    return ["a", "b"]


@task
def fallback():
    return "fallback ran"


@task
def load(name):
    return name.upper()


@task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def join(loaded, fb):
    return [list(loaded or []), fb]


@dag(dag_id="branch_skips_map_source", schedule=None, start_date=datetime(2022, 1, 1))
def branch_skips_map_source():
    files = list_files()
    fb = fallback()
    choose() >> [files, fb]
    loaded = load.expand(name=files)
    join(loaded, fb)


branch_skips_map_source()

EXPECTED = {
    "state": "success",
    "tasks": {
        "choose": {"states": {"success": 1}},
        "list_files": {"states": {"skipped": 1}},
        "fallback": {"states": {"success": 1}},
        "load": {"map_count": 0, "states": {"skipped": 1}},
        "join": {"states": {"success": 1}},
    },
    "xcom": [["join", None, [[], "fallback ran"]]],
}
