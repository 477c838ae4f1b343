"""What the API returns, in the CLI's ``--output json`` shapes, read from the store.

Interim: these mirror ``cli.py``'s ``runs list``, ``runs show`` and ``dags list``/``dags show``
until ``orchestrator/read_models.py`` holds them for both; then each function here becomes a
call of the read model of the same name.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from orchestrator.dag_loader import DagBag
from orchestrator.errors import ChordflowError
from orchestrator.params import Param
from orchestrator.states import FINISHED_STATES
from orchestrator.store import RunRecord, Store

_FINISHED_TI = {state.value for state in FINISHED_STATES}


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=timezone.utc).isoformat()


def run_row(record: RunRecord) -> dict[str, Any]:
    """One run as ``runs list --output json`` prints it."""
    return {"run_id": record.run_id, "dag_id": record.dag_id, "state": record.state,
            "logical_date": iso(record.logical_date), "start_date": iso(record.start_date),
            "end_date": iso(record.end_date), "note": record.note}


def run_rows(store: Store, dag_id: str | None = None, state: str | None = None, limit: int = 100) -> list[dict]:
    """Runs, newest first."""
    return [run_row(r) for r in store.list_runs(dag_id=dag_id, state=state, limit=limit)]


def run_summary(store: Store, dagbag: DagBag, run_id: str) -> dict[str, Any]:
    """``runs show --output json``: the run with one entry per task (topological order when the
    DAG file loads), each with ``mapped``, ``map_count``, ``states`` and ``upstream``."""
    record = store.get_run(run_id)
    counts = store.state_counts(run_id)
    lengths = store.map_lengths(run_id)
    order: list[str] = sorted(counts)
    mapped: dict[str, bool] = {}
    upstream: dict[str, list[str]] = {}
    try:
        dag = dagbag.get_dag(record.fileloc, record.dag_id)
        order = [t.task_id for t in dag.topological_order() if t.task_id in counts]
        mapped = {t.task_id: t.is_mapped for t in dag.tasks}
        upstream = {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}
    except ChordflowError:
        pass  # the DAG file moved or broke since: show what the store knows
    tasks = []
    for task_id in order:
        is_mapped = mapped.get(task_id, task_id in lengths)
        states = counts.get(task_id, {})
        map_count = lengths.get(task_id) if is_mapped else None
        if is_mapped and map_count is None and states and all(s in _FINISHED_TI for s in states):
            map_count = 0  # ended (skipped / upstream_failed) before it had anything to expand over
        tasks.append({"task_id": task_id, "mapped": is_mapped, "map_count": map_count, "states": states,
                      "upstream": upstream.get(task_id, [])})
    return {**run_row(record), "conf": record.conf, "tasks": tasks}


def dag_tasks(dag) -> list[dict[str, Any]]:
    """A DAG's tasks in topological order, as ``dags show --output json`` lists them."""
    return [
        {"task_id": t.task_id, "mapped": t.is_mapped, "trigger_rule": t.trigger_rule.value,
         "upstream": sorted(t.upstream_task_ids), "retries": t.retries}
        for t in dag.topological_order()
    ]


def dag_list(dagbag: DagBag, store: Store, recent: int = 5) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``dags list --output json`` rows, each with its ``recent_runs`` (newest first), and the
    import error of each DAG file that failed."""
    found, errors = dagbag.collect()
    rows = [{"dag_id": d.dag_id, "fileloc": d.fileloc, "tasks": len(d.task_dict), "description": d.description,
             "recent_runs": run_rows(store, dag_id=d.dag_id, limit=recent)}
            for d in sorted(found.values(), key=lambda d: d.dag_id)]
    return rows, errors


def dag_detail(dagbag: DagBag, dag_id: str) -> dict[str, Any]:
    """``dags show --output json``, with the DAG's default ``params``."""
    dag = dagbag.find(dag_id)
    return {"dag_id": dag.dag_id, "fileloc": dag.fileloc, "description": dag.description,
            "params": _jsonable(dag.params), "tasks": dag_tasks(dag)}


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    """Each param as ``{"default", "required", "description", "schema"}``."""
    shown = {}
    for key, value in params.items():
        if isinstance(value, Param):
            shown[key] = {"default": value.value if value.has_default else None, "required": not value.has_default,
                          "description": value.description, "schema": value.schema}
        else:
            shown[key] = {"default": value, "required": False, "description": None, "schema": {}}
    return shown
