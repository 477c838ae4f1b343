"""The run state machine: decide what runs next in a run, expand maps, and end the run.

:func:`advance_run` is the reduce/advance step (the chord callback). It holds the run's row lock,
evaluates the trigger rule of every undecided task instance against its upstream instances,
expands mapped tasks (one bulk insert), marks skipped / upstream_failed, and ends the run when
nothing is left to do. It then hands what must run to a :class:`Dispatcher` -- the executor's
Celery chords in production, a stub in tests. It is idempotent: calling it again changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from orchestrator.admission import check_pools
from orchestrator.baseoperator import DAGNode
from orchestrator.dag import DAG
from orchestrator.dates import as_utc_naive
from orchestrator.params import validate_conf
from orchestrator.run_step import Dispatch, RunStep
from orchestrator.states import DagRunState
from orchestrator.store import RunRecord, RunTransaction, Store
from orchestrator.timetables import utc

log = logging.getLogger("chordflow.scheduler")



class Dispatcher(Protocol):
    """Where the state machine hands what must run; the executor implements it with Celery."""

    def dispatch(self, run_id: str, task: DAGNode, map_indices: list[int]) -> None:
        """Run these instances (already ``queued``), then call the advance step of the run."""

    def send_advance(self, run_id: str) -> None:
        """Have the advance step of run ``run_id`` taken soon (a later run whose instances may
        wait on this one's: ``depends_on_past``)."""

    def run_ended(self, run_id: str) -> None:
        """Tell the processes waiting on run ``run_id`` (``run --wait``) that it ended; best
        effort, as they read its state on a timer too."""

    def queue_is_empty(self, queue: str | None) -> bool | None:
        """Whether no message waits in ``queue`` (``None``: the broker cannot tell)."""

    def workers_alive(self) -> bool | None:
        """Whether any worker answers (``None``: cannot tell)."""


@dataclass
class AdvanceResult:
    """What an advance step left: the run's state, the instances it sent to run, and whether it
    scheduled instances of slot-limited tasks (then admission should run: :mod:`orchestrator.admission`)."""

    state: str
    dispatches: list[Dispatch] = field(default_factory=list)
    scheduled: bool = False
    #: This step ended the run (a slot of its DAG's max_active_runs is free now).
    ended_now: bool = False


@dataclass(frozen=True)
class ActiveRunLimit:
    """How many of a DAG's runs may run at once (its ``max_active_runs``), and whether its ``dag`` row,
    when a run records it first, is paused (``CHORDFLOW_DAGS_ARE_PAUSED_AT_CREATION``)."""

    max_active_runs: int
    paused_at_creation: bool = True


def start_run(store: Store, dag: DAG, run_id: str, logical_date: datetime, conf: dict[str, Any], fileloc: str,
              dispatcher: Dispatcher, max_map_length: int, run_type: str = "manual",
              data_interval: tuple[datetime, datetime] | None = None,
              limit: ActiveRunLimit | None = None) -> AdvanceResult:
    """Create a run of ``dag`` and take its first advance step in the same transaction, so that
    its maps over literals exist from the moment the run does (as in Airflow). A run without
    ``data_interval`` gets the one its DAG's timetable infers for a manual run at ``logical_date``
    (Airflow 2's ``infer_manual_data_interval``). Raises :class:`~orchestrator.errors.BadInput` when
    ``conf`` breaks a param's schema or a task names a pool that does not exist (nothing is written),
    :class:`~orchestrator.errors.DuplicateRunError` when ``run_id`` exists already.

    With ``limit``, a run that would pass the DAG's ``max_active_runs`` (counting its queued and
    running runs) is created ``queued``, without a step (Airflow queues it the same way): see
    :func:`start_queued_runs`; the result's state is then ``queued``."""
    check_pools(dag, store.pool_sizes())
    if limit is None:
        decided = create_run(store, dag, run_id, logical_date, conf, fileloc, max_map_length, run_type, data_interval)
        return finish_creation(decided, dag, dispatcher)
    with store.begin() as conn:
        store.lock_dag_waiting(conn, dag.dag_id, fileloc, limit.paused_at_creation)
        queued = store.active_run_count(conn, dag.dag_id) >= limit.max_active_runs
        decided = create_run(store, dag, run_id, logical_date, conf, fileloc, max_map_length, run_type, data_interval,
                             conn, queued)
    store.refresh_statistics(decided.rows_inserted)
    return finish_creation(decided, dag, dispatcher)


def start_queued_runs(store: Store, dag: DAG, dispatcher: Dispatcher, max_map_length: int, max_active_runs: int,
                      only: str | None = None) -> list[str]:
    """Start the DAG's ``queued`` runs, oldest first, while fewer than ``max_active_runs`` of its runs
    are running (each start holds the DAG's row, so two starters never pass the limit together),
    taking each one's first step; only run ``only`` when given. Returns the ids of those started."""
    started = []
    for run_id in [only] if only else store.queued_run_ids(dag.dag_id):
        with store.begin() as conn:
            if store.lock_dag(conn, dag.dag_id, wait=True) is None:
                return started
            if store.running_run_count(conn, dag.dag_id) >= max_active_runs:
                return started
            record = store.start_queued(conn, run_id)
            if record is None:
                continue
            decided = _take_step(RunTransaction(conn, record), dag, store, max_map_length)
        store.refresh_statistics(decided.rows_inserted)
        log.info("run %s started (a slot of max_active_runs=%d was free)", run_id, max_active_runs)
        _after_step(decided, dag, dispatcher)
        started.append(run_id)
    return started


def create_run(store: Store, dag: DAG, run_id: str, logical_date: datetime, conf: dict[str, Any], fileloc: str,
               max_map_length: int, run_type: str = "manual", data_interval: tuple[datetime, datetime] | None = None,
               conn: Connection | None = None, queued: bool = False) -> _Decided:
    """:func:`start_run` up to its commit (inside ``conn``'s transaction when given): hand what it
    returns to :func:`finish_creation` once committed. ``queued``: the run waits for a slot, no step."""
    validate_conf(dag.params, conf)
    if data_interval is None:
        inferred = dag.timetable.infer_manual_data_interval(run_after=utc(logical_date))
        data_interval = (inferred.start, inferred.end)
    interval = (as_utc_naive(data_interval[0]), as_utc_naive(data_interval[1]))
    tasks = [(task.task_id, task.retries) for task in dag.tasks]
    state = DagRunState.QUEUED if queued else DagRunState.RUNNING
    with store.new_run(run_id, dag.dag_id, as_utc_naive(logical_date), conf, fileloc, tasks, run_type, interval,
                       conn, state) as tx:
        if queued:
            return _Decided(tx.run, None, [], queued=True)
        return _take_step(tx, dag, store, max_map_length)


def finish_creation(decided: _Decided, dag: DAG, dispatcher: Dispatcher) -> AdvanceResult:
    """After a created run's commit: dispatch what its first step decided."""
    return _after_step(decided, dag, dispatcher)


def advance_run(store: Store, dag: DAG, run_id: str, dispatcher: Dispatcher, max_map_length: int) -> AdvanceResult:
    """Decide everything that can be decided in the run now; dispatch what must run."""
    with store.locked_run(run_id) as tx:
        if tx.run.state in (DagRunState.SUCCESS.value, DagRunState.FAILED.value, DagRunState.QUEUED.value):
            return AdvanceResult(tx.run.state)  # ended, or waiting for a slot (start_queued_runs starts it)
        decided = _take_step(tx, dag, store, max_map_length)
    return _after_step(decided, dag, dispatcher)


@dataclass
class _Decided:
    run: RunRecord
    state: DagRunState | None
    dispatches: list[Dispatch]
    #: The DAG's next run (by logical date) to advance after this step's commit: it may wait on this one.
    wake: str | None = None
    scheduled: bool = False
    #: Created ``queued``: waiting for a slot under max_active_runs.
    queued: bool = False
    #: Task instance rows the step inserted (expansions): the planner's statistics are refreshed
    #: after the commit (an ANALYZE before it would not see them, and the claims of a first run
    #: would be planned for an empty table: twice slower on PostgreSQL).
    rows_inserted: int = 0


def _take_step(tx: RunTransaction, dag: DAG, store: Store, max_map_length: int) -> _Decided:
    """The advance step inside the run's transaction: every decision, and the run's end."""
    step = RunStep(tx, dag, store, max_map_length)
    step.decide_all()
    state = step.final_state()
    if state is not None:
        tx.finish_run(state, step.counts)
        log.info("run %s ended %s", tx.run.run_id, state.value)
    wake = tx.next_running_run_id() if depends_on_past(dag) else None
    return _Decided(tx.run, state, step.dispatches, wake, step.scheduled, rows_inserted=tx.rows_inserted)


def depends_on_past(dag: DAG) -> bool:
    """Whether a task of ``dag`` has ``depends_on_past`` (so a run of it may wait on the one before)."""
    return any(task.depends_on_past for task in dag.tasks)


def _after_step(decided: _Decided, dag: DAG, dispatcher: Dispatcher) -> AdvanceResult:
    """After the step's commit: the DAG's callback when the run ended, then what must run, then
    the advance step of the DAG's next run when it may wait on this one."""
    if decided.queued:
        return AdvanceResult(DagRunState.QUEUED.value)
    if decided.state is not None:
        _call_dag_back(dag, decided.run, decided.state)
        dispatcher.run_ended(decided.run.run_id)
    for item in decided.dispatches:
        dispatcher.dispatch(decided.run.run_id, dag.task_dict[item.task_id], item.map_indices)
    if decided.wake is not None:
        # The next run's depends_on_past instances may wait on what just ended here (the reconciler
        # advances every running run too, as a safety net).
        dispatcher.send_advance(decided.wake)
    state = decided.state.value if decided.state else DagRunState.RUNNING.value
    return AdvanceResult(state, decided.dispatches, scheduled=decided.scheduled, ended_now=decided.state is not None)


def _call_dag_back(dag: DAG, run, state: DagRunState) -> None:
    """The DAG's ``on_success_callback`` / ``on_failure_callback``, once, by the advance step that
    ended the run (after its commit), with the run's context and Airflow's ``reason``. A failing
    callback is logged; the run keeps its state."""
    name = "on_success_callback" if state is DagRunState.SUCCESS else "on_failure_callback"
    functions = dag.callbacks.get(name, ())
    if not functions:
        return
    from orchestrator.context import DagRunInfo, build_context
    from orchestrator.params import resolve_params

    info = DagRunInfo.from_record(run)
    context = build_context(dag, None, info, None, resolve_params(dag.params, run.conf))
    context["reason"] = "success" if state is DagRunState.SUCCESS else "task_failure"
    for function in functions:
        try:
            function(context)
        except Exception:
            log.exception("run %s: %s of DAG %r failed", run.run_id, name, dag.dag_id)
