"""A failed setup and the work in its scope (Airflow 2.7+, TriggerRuleDep._evaluate_setup_constraint):
a task directly downstream of the setup follows its own trigger rule (all_done: it runs); a mapped
task further in the scope (not directly after the setup), even with all_done, is upstream_failed
by the setup constraint -- each instance of its literal map; `always` is exempt (TriggerRuleDep
returns at once for ALWAYS). The teardown (ALL_DONE_SETUP_SUCCESS with no setup succeeded) is
upstream_failed. The work failed: the run fails.
"""
from datetime import datetime

from orchestrator import TriggerRule, dag, setup, task, teardown


@setup
def make_cluster():
    raise RuntimeError("quota exceeded")


@task(trigger_rule=TriggerRule.ALL_DONE)
def first(cluster=None):
    return "first"


@task(trigger_rule=TriggerRule.ALL_DONE)
def query(q):
    return q


@task(trigger_rule=TriggerRule.ALWAYS)
def audit(q):
    return f"audit {q}"


@teardown
def delete_cluster():
    return "deleted"


@dag(dag_id="setup_fails_scope_rules", schedule=None, start_date=datetime(2022, 1, 1))
def setup_fails_scope_rules():
    s = make_cluster()
    t = delete_cluster()
    with s >> t:
        f = first()
        f >> query.expand(q=["a", "b"])
        f >> audit.expand(q=["a"])


setup_fails_scope_rules()

EXPECTED = {
    "state": "failed",
    "tasks": {
        "make_cluster": {"states": {"failed": 1}},
        "first": {"states": {"success": 1}},
        "query": {"map_count": 2, "states": {"upstream_failed": 2}},
        "audit": {"map_count": 1, "states": {"success": 1}},
        "delete_cluster": {"states": {"upstream_failed": 1}},
    },
}
