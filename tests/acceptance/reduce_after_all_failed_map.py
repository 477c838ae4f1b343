"""An ``all_done`` reduce after a map whose every index failed runs, and receives an EMPTY sequence
(Chordflow's contract, DESIGN.md: "A reduce that still runs (e.g. all_done) receives an empty sequence
-- never None"). NOTE: Airflow 2.10 passes ``None`` here -- ``PlainXComArg.resolve`` calls
``ti.xcom_pull(task_ids=..., map_indexes=None, default=NOTSET)``, whose single-task branch returns
``default`` when ``query.first()`` finds no XCom ("No matching XCom at all"), and ``resolve`` turns
NOTSET into ``None`` for the return_value key (apache/airflow#48005). The EXPECTED here is
Chordflow's documented choice; the reduce returns ``None`` if it got ``None``."""
from datetime import datetime

from orchestrator import TriggerRule, dag, task


@task
def broken(x: int) -> int:
    raise RuntimeError(f"broken {x}")


@task(trigger_rule=TriggerRule.ALL_DONE)
def summarise(values):
    return None if values is None else [len(values), list(values), bool(values)]


@dag(dag_id="reduce_after_all_failed_map", schedule=None, start_date=datetime(2022, 1, 1))
def reduce_after_all_failed_map():
    summarise(broken.expand(x=[1, 2, 3]))


reduce_after_all_failed_map()

EXPECTED = {
    "state": "success",
    "tasks": {"broken": {"map_count": 3, "states": {"failed": 3}}, "summarise": {"states": {"success": 1}}},
    "xcom": [["summarise", None, [0, [], False]]],
}
