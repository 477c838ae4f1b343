"""Map of map where the source map partly fails: the all_success mapped downstream is upstream_failed
(one unexpanded instance, never tried: try_number 0 in Airflow 2.10); a skipped index keeps try 1."""
from datetime import datetime

from orchestrator import AirflowSkipException, TriggerRule, dag, task


@task
def src(x: int) -> int:
    if x == 1:
        raise ValueError("src one")
    if x == 2:
        raise AirflowSkipException("skip two")
    return x


@task
def nxt(x: int) -> int:
    return x


@task(trigger_rule=TriggerRule.NONE_FAILED)
def nf(x: int) -> int:
    return x


@dag(dag_id="h5_mom_upstream_failed_try_number", schedule=None, start_date=datetime(2022, 1, 1))
def h5_mom_upstream_failed_try_number():
    s = src.expand(x=[0, 1, 2])
    nxt.expand(x=s)
    nf.expand(x=s)


h5_mom_upstream_failed_try_number()

EXPECTED = {
    "state": "failed",
    "tasks": {"src": {"map_count": 3, "states": {"success": 1, "failed": 1, "skipped": 1}},
              "nxt": {"states": {"upstream_failed": 1}}, "nf": {"states": {"upstream_failed": 1}}},
    "instances": [["src", 2, {"state": "skipped", "try_number": 1}],
                  ["nxt", None, {"state": "upstream_failed", "try_number": 0}]],
}
