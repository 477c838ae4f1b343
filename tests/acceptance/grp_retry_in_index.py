"""A retry inside one index of a mapped task group: index 1's first task fails its first try and
succeeds on the retry; that index's next task then runs with its value; the other indices are not
held back or retried; a reduce gets all three.

Airflow 2.10: each mapped task instance retries on its own (handle_failure -> up_for_retry);
the group's next task in the same index waits for its own index only (TriggerRuleDep with
get_relevant_upstream_map_indexes).
"""
from datetime import datetime, timedelta

from orchestrator import dag, get_current_context, task, task_group


@task(retries=1, retry_delay=timedelta(seconds=0))
def fetch(x):
    if x == 2 and get_current_context()["ti"].try_number == 1:
        raise ValueError("transient")
    return x * 10


@task
def store(v):
    return v + 1


@task
def collect(values):
    return list(values)


@task_group
def grp(x):
    return store(fetch(x))


@dag(dag_id="grp_retry_in_index", schedule=None, start_date=datetime(2022, 1, 1))
def grp_retry_in_index():
    collect(grp.expand(x=[1, 2, 3]))


grp_retry_in_index()

EXPECTED = {
    "state": "success",
    "xcom": [["collect", None, [11, 21, 31]]],
    "instances": [["grp.fetch", 1, {"state": "success", "try_number": 2}],
                  ["grp.fetch", 0, {"state": "success", "try_number": 1}]],
}
