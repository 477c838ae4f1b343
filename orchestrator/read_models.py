"""Read models: what the CLI prints and the web UI shows, as plain dicts and lists.

Every function here reads the store (and, for a task's shape, the DAG file) and returns values
ready for ``json.dumps``: the CLI's ``--output json`` shapes, which are also the REST API's.
Times are ISO 8601 strings in UTC. Counts are made by SQL and instance lists are read a page at a
time: nothing here loads every instance of a map.

Errors: :class:`~orchestrator.errors.RunNotFound`, :class:`~orchestrator.errors.TaskNotFound`,
:class:`~orchestrator.errors.DagNotFound`, :class:`~orchestrator.errors.XComNotFound` -- each
message fit to show as one line.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from orchestrator import xcom_backend
from orchestrator.errors import ChordflowError, TaskNotFound, XComNotFound
from orchestrator.setup_teardown import relevant_setups, teardowns_of
from orchestrator.states import FINISHED_STATES, TaskInstanceState

if TYPE_CHECKING:  # (no SQLAlchemy at import: `runs show` and `tasks list` read through RunReads alone)
    from typing import TypeAlias

    from orchestrator.baseoperator import DAGNode
    from orchestrator.dag import DAG
    from orchestrator.dag_loader import DagBag
    from orchestrator.store import RunRecord, Store
    from orchestrator.store.reads import RunReads

    #: What the reads of runs and instances need: the store, or its reads through the driver alone.
    RunReader: TypeAlias = Store | RunReads

#: Rows of an instance page when the caller does not say (``instance_page``).
DEFAULT_PAGE_SIZE = 100
#: Runs in a grid when the caller does not say (``grid``).
DEFAULT_GRID_RUNS = 25

_FINISHED_TI = {state.value for state in FINISHED_STATES}
#: States of an instance whose next try has not begun yet.
_WAITING_TI = {s.value for s in (TaskInstanceState.NONE, TaskInstanceState.SCHEDULED, TaskInstanceState.QUEUED,
                                 TaskInstanceState.UP_FOR_RETRY)}
#: States of an instance whose try has begun and not ended (a rescheduled sensor's goes on).
_IN_TRY_TI = {TaskInstanceState.RUNNING.value, TaskInstanceState.UP_FOR_RESCHEDULE.value}


def iso(value: datetime | None) -> str | None:
    """A naive UTC time of the store as an ISO 8601 string with its offset (``None`` stays ``None``)."""
    return None if value is None else value.replace(tzinfo=timezone.utc).isoformat()


# -- runs -----------------------------------------------------------------------------------
def run_row(record: RunRecord) -> dict[str, Any]:
    """One run as ``runs list`` prints it: ``{"run_id", "dag_id", "state", "logical_date",
    "start_date", "end_date", "note", "run_type", "data_interval_start", "data_interval_end"}``
    (``run_type``: manual, scheduled or backfill)."""
    return {"run_id": record.run_id, "dag_id": record.dag_id, "state": record.state,
            "logical_date": iso(record.logical_date), "start_date": iso(record.start_date),
            "end_date": iso(record.end_date), "note": record.note, "run_type": record.run_type,
            "data_interval_start": iso(record.data_interval_start),
            "data_interval_end": iso(record.data_interval_end)}


def run_rows(store: RunReader, dag_id: str | None = None, state: str | None = None,
             limit: int = 100) -> list[dict[str, Any]]:
    """Runs, newest first, each a :func:`run_row`; only those of ``dag_id`` / in ``state`` when given."""
    return [run_row(record) for record in store.list_runs(dag_id=dag_id, state=state, limit=limit)]


def waiting_on_past(store: Store, run_id: str) -> str | None:
    """Why the run waits for the DAG's previous run, when nothing of it is queued or running and
    an undecided instance of it waits for its past (``depends_on_past``): that instance's reason;
    else ``None``. Two small queries."""
    busy = {TaskInstanceState.QUEUED.value, TaskInstanceState.RUNNING.value, TaskInstanceState.UP_FOR_RETRY.value,
            TaskInstanceState.UP_FOR_RESCHEDULE.value}
    if busy & set(run_state_counts(store, run_id)):
        return None
    return store.undecided_reason(run_id)


def run_state_counts(store: RunReader, run_id: str) -> dict[str, int]:
    """``{state: count}`` over every task instance of the run; ``{}`` for an unknown run."""
    totals: dict[str, int] = {}
    for states in store.state_counts(run_id).values():
        for state, count in states.items():
            totals[state] = totals.get(state, 0) + count
    return totals


def run_summary(store: RunReader, dagbag: DagBag, run_id: str) -> dict[str, Any]:
    """A run as ``runs show`` prints it: :func:`run_row` plus ``"conf"`` and ``"tasks"``, one
    ``{"task_id", "mapped", "map_count", "states": {state: count}, "upstream": [task_id]}`` per
    task, in topological order when the DAG file still loads (else by task id, from the store
    alone). ``map_count`` is ``None`` for an unmapped task and for a map not expanded yet; ``0``
    for a map that ended before it had anything to expand over. Raises ``RunNotFound``."""
    record = store.get_run(run_id)
    counts = store.state_counts(run_id)
    lengths = store.map_lengths(run_id)
    shape = _dag_shape(dagbag, record)
    order = [t for t in shape["order"] if t in counts] if shape else sorted(counts)
    tasks = [_task_cell(task_id, shape, counts.get(task_id, {}), lengths) for task_id in order]
    for task in tasks:
        task["upstream"] = shape["upstream"].get(task["task_id"], []) if shape else []
    return {**run_row(record), "conf": record.conf, "tasks": tasks}


def _dag_shape(dagbag: DagBag, record: RunRecord) -> dict[str, Any] | None:
    """Task order, mapped flags and upstreams of the run's DAG; ``None`` when its file moved or broke."""
    try:
        return _shape_of(dagbag.get_dag(record.fileloc, record.dag_id))
    except ChordflowError:
        return None


def _shape_of(dag: DAG) -> dict[str, Any]:
    return {"order": [t.task_id for t in dag.topological_order()],
            "mapped": {t.task_id: t.is_mapped for t in dag.tasks},
            "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}}


def _task_cell(task_id: str, shape: dict[str, Any] | None, states: dict[str, int],
               lengths: dict[str, int]) -> dict[str, Any]:
    """``{"task_id", "mapped", "map_count", "states"}`` of one task in one run."""
    is_mapped = shape["mapped"].get(task_id, task_id in lengths) if shape else task_id in lengths
    map_count = lengths.get(task_id) if is_mapped else None
    if is_mapped and map_count is None and states and all(s in _FINISHED_TI for s in states):
        map_count = 0  # ended (skipped / upstream_failed) before it had anything to expand over
    return {"task_id": task_id, "mapped": is_mapped, "map_count": map_count, "states": states}


# -- task instances -------------------------------------------------------------------------
def require_task(store: RunReader, run_id: str, task_id: str, map_index: int | None = None) -> None:
    """Raise ``RunNotFound`` unless the run exists, ``TaskNotFound`` unless it has ``task_id``
    (and, when given, that ``map_index``: the message lists the valid ones of a mapped task)."""
    store.get_run(run_id)
    if not store.instance_exists(run_id, task_id):
        raise TaskNotFound(f"run {run_id!r} has no task {task_id!r} (see `chordflow runs show {run_id}`)")
    if map_index is not None and not store.instance_exists(run_id, task_id, map_index):
        count = store.map_lengths(run_id).get(task_id)
        hint = f": it is mapped, choose --map-index 0..{count - 1}" if map_index == -1 and count else ""
        raise TaskNotFound(f"task {task_id!r} of run {run_id!r} has no map index {map_index}{hint}")


def instance_row(row: dict[str, Any]) -> dict[str, Any]:
    """One task instance as ``tasks list`` prints it: ``{"task_id", "map_index", "state",
    "try_number", "start_date", "end_date", "hostname", "error", "rendered_map_index", "pool",
    "priority_weight"}`` (the last two: what a slot-limited instance was scheduled with, else ``None``)."""
    return {"task_id": row["task_id"], "map_index": row["map_index"], "state": row["state"],
            "try_number": row["try_number"], "start_date": iso(row["start_date"]), "end_date": iso(row["end_date"]),
            "hostname": row["hostname"], "error": row["error"], "rendered_map_index": row["rendered_map_index"],
            "pool": row.get("pool"), "priority_weight": row.get("priority_weight")}


def instance_rows(store: RunReader, run_id: str, task_id: str | None = None, limit: int | None = None,
                  offset: int = 0) -> list[dict[str, Any]]:
    """The run's task instances (of ``task_id`` only, when given) by task id then map index, each
    an :func:`instance_row`; ``limit``/``offset`` page them by SQL. Raises ``RunNotFound``,
    ``TaskNotFound``."""
    store.get_run(run_id)
    if task_id is not None:
        require_task(store, run_id, task_id)
    return [instance_row(row) for row in store.list_instances(run_id, task_id=task_id, limit=limit, offset=offset)]


def instance_page(store: RunReader, run_id: str, task_id: str | None = None, limit: int = DEFAULT_PAGE_SIZE,
                  offset: int = 0) -> dict[str, Any]:
    """One page of :func:`instance_rows` with the count of all of them: ``{"run_id", "task_id",
    "total", "limit", "offset", "rows": [instance_row]}``. Raises ``RunNotFound``, ``TaskNotFound``."""
    rows = instance_rows(store, run_id, task_id, limit, offset)
    return {"run_id": run_id, "task_id": task_id, "total": store.count_instances(run_id, task_id), "limit": limit,
            "offset": offset, "rows": rows}


def try_rows(store: Store, run_id: str, task_id: str, map_index: int = -1) -> list[dict[str, Any]]:
    """Every try of one instance, oldest first, those before a ``tasks clear`` included, as
    ``tasks tries`` prints them: ``{"try_number", "state", "start_date", "end_date", "hostname",
    "error", "rendered_fields"}`` (``rendered_fields``: ``{field: value}`` of the try's template fields
    after rendering, ``None`` when not recorded). Raises ``RunNotFound``, ``TaskNotFound``."""
    require_task(store, run_id, task_id, map_index)
    return [{"try_number": r["try_number"], "state": r["state"], "start_date": iso(r["start_date"]),
             "end_date": iso(r["end_date"]), "hostname": r["hostname"], "error": r["error"],
             "rendered_fields": json.loads(r["rendered_fields"]) if r["rendered_fields"] else None}
            for r in store.list_tries(run_id, task_id, map_index)]


def log_entries(store: Store, run_id: str, task_id: str, map_index: int = -1,
                try_number: int | None = None) -> list[dict[str, Any]]:
    """An instance's log per try, oldest first (only ``try_number`` when given): ``{"try_number",
    "hostname", "content"}``; ``[]`` before anything was written. Raises ``RunNotFound``,
    ``TaskNotFound``."""
    require_task(store, run_id, task_id, map_index)
    return [{"try_number": e["try_number"], "hostname": e["hostname"], "content": e["content"]}
            for e in store.get_logs(run_id, task_id, map_index, try_number)]


def try_to_come(instance: dict[str, Any]) -> int | None:
    """The try a reader following an instance's log waits for: the running one, or the next one
    while the instance waits for it; ``None`` once it has ended. ``instance``: a store row."""
    if instance["state"] in _IN_TRY_TI:
        return instance["try_number"]
    if instance["state"] in _WAITING_TI:
        return instance["try_number"] + 1
    return None


def try_in_progress(instance: dict[str, Any], try_number: int) -> bool:
    """Whether the instance's try ``try_number`` runs now, or has yet to begin."""
    state, current = instance["state"], instance["try_number"]
    return (state in _IN_TRY_TI and current == try_number) or (
        state in _WAITING_TI and current < try_number)


# -- the grid -------------------------------------------------------------------------------
def grid(store: Store, dagbag: DagBag, dag_id: str, limit: int = DEFAULT_GRID_RUNS, offset: int = 0) -> dict[str, Any]:
    """The DAG's latest ``limit`` runs (after the newest ``offset``: a page of older ones) x its
    tasks: ``{"dag_id", "offset", "runs": [run_row], "tasks": [{"task_id", "mapped", "upstream",
    "cells": [{"run_id", "map_count", "states"}]}]}``.

    Runs go oldest first (left to right); each task's ``cells`` are aligned with ``runs`` (a task
    a run lacks: ``states`` ``{}``). A mapped task is one row: its state mix ``{state: count}``
    and ``map_count`` as in :func:`run_summary`. Tasks go in the topological order of the latest
    run's DAG file (by task id when it does not load). Three queries whatever the size of the
    maps. Raises ``DagNotFound`` when the DAG has no run and is not in the DAGs folder."""
    records = list(reversed(store.list_runs(dag_id=dag_id, limit=limit, offset=offset)))
    if records:
        shape = _dag_shape(dagbag, records[-1])
    else:
        shape = _shape_of(dagbag.find(dag_id))
    run_ids = [record.run_id for record in records]
    counts, lengths = store.grid_counts(records)
    present = sorted({task_id for per_run in counts.values() for task_id in per_run})
    order = (shape["order"] + [t for t in present if t not in shape["mapped"]]) if shape else present
    tasks = []
    for task_id in order:
        cells = []
        for run_id in run_ids:
            cell = _task_cell(task_id, shape, counts.get(run_id, {}).get(task_id, {}), lengths.get(run_id, {}))
            cells.append({"run_id": run_id, "map_count": cell["map_count"], "states": cell["states"]})
        ever_expanded = any(task_id in per_run for per_run in lengths.values())
        mapped = shape["mapped"].get(task_id, ever_expanded) if shape else ever_expanded
        tasks.append({"task_id": task_id, "mapped": mapped,
                      "upstream": shape["upstream"].get(task_id, []) if shape else [], "cells": cells})
    return {"dag_id": dag_id, "offset": offset, "runs": [run_row(record) for record in records], "tasks": tasks}


# -- DAGs -----------------------------------------------------------------------------------
def dag_rows(dagbag: DagBag, store: Store | None = None, paused_at_creation: bool = True
             ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The DAGs of the DAGs folder by id, as ``dags list`` prints them (``{"dag_id", "fileloc",
    "tasks", "description", "schedule", "is_paused", "next_dagrun", "next_dagrun_data_interval_start",
    "next_dagrun_data_interval_end", "next_dagrun_create_after"}``, ``tasks`` a count; ``is_paused``
    and ``next_*`` as the scheduler recorded them in ``store``: a DAG it has not seen yet shows how it
    will be recorded, ``paused_at_creation`` unless it says, and no next run), and ``{path: error}``
    of the files that failed to import."""
    found, errors = dagbag.collect()
    recorded = store.dag_rows() if store is not None else {}
    rows = []
    for d in sorted(found.values(), key=lambda d: d.dag_id):
        row = recorded.get(d.dag_id)
        paused = row["is_paused"] if row else (paused_at_creation if d.is_paused_upon_creation is None
                                               else d.is_paused_upon_creation)
        rows.append({"dag_id": d.dag_id, "fileloc": d.fileloc, "tasks": len(d.task_dict), "description": d.description,
                     "schedule": d.timetable.summary if d.timetable.can_be_scheduled else None,
                     "is_paused": bool(paused),
                     **{key: iso(row[key]) if row else None for key in (
                         "next_dagrun", "next_dagrun_data_interval_start", "next_dagrun_data_interval_end",
                         "next_dagrun_create_after")}})
    return rows, dict(errors)


def dag_details(dagbag: DagBag, dag_file_or_id: str) -> dict[str, Any]:
    """A DAG as ``dags show`` prints it: ``{"dag_id", "fileloc", "tasks": [{"task_id", "mapped",
    "trigger_rule", "upstream": [task_id], "retries"}]}``, tasks in topological order. Raises
    ``DagNotFound`` (or ``DagImportError`` when its file does not import)."""
    dag = dagbag.find(dag_file_or_id)
    tasks = [{"task_id": t.task_id, "mapped": t.is_mapped, "trigger_rule": t.trigger_rule.value,
              "upstream": sorted(t.upstream_task_ids), "retries": t.retries}
             for t in dag.topological_order()]
    return {"dag_id": dag.dag_id, "fileloc": dag.fileloc, "tasks": tasks}


# -- XComs ----------------------------------------------------------------------------------
def xcom_json(store: Store, run_id: str, task_id: str, map_index: int | None = None,
              key: str = "return_value") -> Any:
    """The value an instance pushed under ``key``, as JSON-ready data (a DataFrame as a list of
    rows); for a mapped task without ``map_index``, the list of its instances' values by map index.
    Raises ``RunNotFound``, ``TaskNotFound``, and ``XComNotFound`` when nothing was pushed."""
    require_task(store, run_id, task_id, map_index)
    if map_index is None and task_id in store.map_lengths(run_id):
        return [xcom_backend.for_json(v) for v in store.iter_xcom_values(run_id, task_id, key)]
    try:
        return xcom_backend.for_json(store.xcom_value(run_id, task_id, -1 if map_index is None else map_index, key))
    except KeyError:
        where = f"{task_id}[{map_index}]" if map_index is not None else task_id
        raise XComNotFound(f"{where} of run {run_id!r} has no XCom {key!r} (it did not succeed, or returned None)"
                           ) from None


# -- clearing -------------------------------------------------------------------------------
def clear_plan(store: Store, dagbag: DagBag, run_id: str, task_id: str, map_indices: Iterable[int] = (),
               only_failed: bool = False, downstream: bool = False) -> dict[str, Any]:
    """What ``tasks clear`` resets, before it does: ``{"run_id", "selections": [{"task_id",
    "map_indices": [int] or None for all, "only_failed", "retries"}], "resets": [{"task_id",
    "retries"}]}`` -- selections are instances sent back to ``none`` (finished ones only), resets
    are maps over an upstream's output expanded again (see :func:`plan_clear`). Raises
    ``RunNotFound``, ``TaskNotFound`` (unknown task or map index, or a task no longer in the DAG),
    ``DagNotFound``."""
    indices = list(map_indices)
    record = store.get_run(run_id)
    require_task(store, run_id, task_id)
    for index in indices:
        require_task(store, run_id, task_id, index)
    dag = dagbag.get_dag(record.fileloc, record.dag_id)
    if task_id not in dag.task_dict:
        raise TaskNotFound(f"task {task_id!r} is no longer in DAG {dag.dag_id!r}")
    selections, resets = plan_clear(dag, task_id, indices or None, only_failed, downstream)
    return {"run_id": run_id,
            "selections": [{"task_id": t, "map_indices": i, "only_failed": f, "retries": r}
                           for t, i, f, r in selections],
            "resets": [{"task_id": t, "retries": r} for t, r in resets]}


def plan_clear(dag: DAG, task_id: str, map_indices: list[int] | None, only_failed: bool, downstream: bool
               ) -> tuple[list[tuple[str, list[int] | None, bool, int]], list[tuple[str, int]]]:
    """What ``tasks clear`` sends back, as :meth:`Store.clear`'s ``(selections, resets)``: the
    task's chosen instances; with ``downstream``, every task after it -- the same indices of
    its mapped group's tasks, all instances of the others. A map over another task's output is
    reset, to be expanded again from what that task pushes next; every other task keeps its
    instances (and their try numbers)."""
    task = dag.task_dict[task_id]
    selections: list[tuple[str, list[int] | None, bool, int]] = [(task_id, map_indices, only_failed, task.retries)]
    resets: list[tuple[str, int]] = []

    def add(other: DAGNode) -> None:
        in_same_group = other.mapped_group is not None and other.mapped_group is task.mapped_group
        if map_indices is not None and in_same_group:
            selections.append((other.task_id, map_indices, False, other.retries))
        elif other.is_mapped and next(other.expand_input.iter_references(), None) is not None:
            resets.append((other.task_id, other.retries))
        else:
            selections.append((other.task_id, None, False, other.retries))

    if downstream:
        for down in dag.iter_downstream(task_id):
            add(down)
    cleared = {t for t, *_ in selections} | {t for t, _ in resets}
    for other in _setups_and_teardowns_of(dag, sorted(cleared)):
        if other.task_id not in cleared:
            cleared.add(other.task_id)
            add(other)
    return selections, resets


def _setups_and_teardowns_of(dag: DAG, task_ids: list[str]) -> list[DAGNode]:
    """The relevant setups of these work tasks and those setups' teardowns: Airflow clears them
    with the work ("If you clear a task, its setups and teardowns will be cleared")."""
    found: dict[str, DAGNode] = {}
    for task_id in task_ids:
        for setup in relevant_setups(dag, dag.task_dict[task_id]):
            for node in [setup, *teardowns_of(dag, setup)]:
                found.setdefault(node.task_id, node)
    return list(found.values())
