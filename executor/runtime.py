"""What a Chordflow process holds: settings, store, DAG bag, dispatcher -- created once, passed down."""
from __future__ import annotations

import logging
import socket
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import Celery

from executor.services import open_store
from orchestrator import variables
from orchestrator.advance import ActiveRunLimit, AdvanceResult, advance_run, start_queued_runs, start_run
from orchestrator.dag_loader import DagBag
from orchestrator.dag_scheduler import DagScheduler
from orchestrator.errors import DagDefinitionError, DagImportError, DagNotFound, RunStateError
from orchestrator.identifiers import validate_run_id
from orchestrator.settings import Settings
from orchestrator.states import DagRunState
from orchestrator.store import Store

log = logging.getLogger("chordflow.executor")


class Runtime:
    """The process's Chordflow services (the store is opened on first use, again after a fork).

    :param settings: the configuration.
    :param app: the Celery app chords are sent through.
    :param store: the store this process opened already (``None``: opened on first use).
    :param dagbag: the DAG bag this process loads DAG files with already (``None``: a new one).
    """

    def __init__(self, settings: Settings, app: Celery, store: Store | None = None, dagbag: DagBag | None = None):
        from executor.dispatch import CeleryDispatcher

        self.settings = settings
        self.app = app
        self.dagbag = dagbag or DagBag(settings.dags_folder)
        self.dispatcher = CeleryDispatcher(app, lambda run_id, task_id: self.store.typical_duration(run_id, task_id),
                                           wake_later_runs=not settings.embedded)
        self._store: Store | None = store
        self._lock = threading.Lock()
        # Variable.get in task code and {{ var.value.x }} read this process's store.
        variables.use_store(settings.variables, lambda: self.store)

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    def after_fork(self) -> None:
        if self._store is not None:
            self._store.dispose()

    def start(self, dag, run_id: str, logical_date: datetime, conf: dict[str, Any], run_type: str = "manual",
              data_interval: tuple[datetime, datetime] | None = None) -> AdvanceResult:
        """Create a run of ``dag`` with its first advance step (one transaction), then dispatch.
        Raises :class:`~orchestrator.errors.DuplicateRunError` when ``run_id`` exists already.
        A run that would pass the DAG's ``max_active_runs`` is created ``queued`` (the result says so):
        :meth:`start_queued` starts it once a slot is free. Raises
        :class:`~orchestrator.errors.BadInput` for a run id Airflow would refuse."""
        validate_run_id(run_id)
        fileloc = self.dagbag.fileloc_for(Path(dag.fileloc))
        limit = ActiveRunLimit(self.max_active_runs(dag), self.settings.dags_are_paused_at_creation)
        result = self.store.retrying(start_run, self.store, dag, run_id, logical_date, conf, fileloc, self.dispatcher,
                                     self.settings.max_map_length, run_type, data_interval, limit)
        if result.scheduled:
            self.admit()
        return result

    def max_active_runs(self, dag) -> int:
        """The DAG's ``max_active_runs``, else ``CHORDFLOW_MAX_ACTIVE_RUNS_PER_DAG``."""
        return dag.max_active_runs or self.settings.max_active_runs_per_dag

    def start_queued(self, dag, only: str | None = None) -> list[str]:
        """Start the DAG's queued runs (only run ``only`` when given) while a slot of its
        ``max_active_runs`` is free; returns the ids of those started (their instances under
        limits are admitted to slots at once)."""
        started = self.store.retrying(start_queued_runs, self.store, dag, self.dispatcher,
                                      self.settings.max_map_length, self.max_active_runs(dag), only)
        if started:
            self.admit()
        return started

    def dag_scheduler(self, **options: Any) -> DagScheduler:
        """The scheduler's DAG pass over this process's store, DAGs folder and dispatcher
        (``options``: :class:`~orchestrator.dag_scheduler.DagScheduler`'s ``clock``, ``inside_creation``)."""
        settings = self.settings
        return DagScheduler(self.store, self.dagbag, self.dispatcher, settings.max_map_length,
                            settings.max_active_runs_per_dag, settings.dags_are_paused_at_creation, **options)

    def advance(self, run_id: str, end_if_unloadable: bool = True) -> AdvanceResult:
        """The advance step of a run (chord callback, first step after submit, reconciler). When the
        step ends the run, on a broker, the DAG's queued runs start in its freed slot (on the
        embedded default the process waiting for a queued run starts it: its work runs there).

        When the run's DAG file cannot be loaded here (it no longer imports, declares the DAG, or
        passes its checks) nothing can be decided: with ``end_if_unloadable`` the run ends
        ``failed`` saying why, once no instance is on its way or waiting to be tried again (what
        was still to run fails; as in Airflow, where a task whose file does not import fails),
        else -- and without it (the scheduler's repairs: its host may lack what the workers have)
        -- the loading error is raised."""
        run = self.store.get_run(run_id)
        try:
            dag = self.dagbag.get_dag(run.fileloc, run.dag_id)
        except (DagImportError, DagNotFound, DagDefinitionError) as exc:
            if end_if_unloadable and self._end_unloadable(run_id, exc):
                return AdvanceResult(DagRunState.FAILED.value, ended_now=True)
            raise
        result = self.store.retrying(advance_run, self.store, dag, run_id, self.dispatcher,
                                     self.settings.max_map_length)
        if result.scheduled:
            self.admit()
        if result.ended_now and not self.settings.embedded:
            self.start_queued(dag)
        return result

    def _end_unloadable(self, run_id: str, exc: Exception) -> bool:
        """End the run ``failed`` because its DAG file cannot be loaded, unless work is in flight;
        whether it ended."""
        reason = f"the DAG file could not be loaded on {socket.gethostname()}: {exc}"
        try:
            counts = self.store.cancel_run(run_id, reason, reason, only_if_idle=True)
        except RunStateError:  # it had ended
            return False
        if counts is None:
            return False
        log.error("run %s failed: %s", run_id, reason)
        self.dispatcher.run_ended(run_id)
        return True

    def admit(self) -> int:
        """Admit ``scheduled`` instances of any run to the slots free now (see
        :mod:`orchestrator.admission`) and dispatch them, each group as a chord whose callback is
        its run's advance step; returns how many were admitted. A run whose DAG no longer loads
        keeps its admitted instances ``queued`` (logged; the reconciler sends them again)."""
        admitted = self.store.admit_scheduled()
        for (run_id, task_id), indices in admitted.items():
            try:
                run = self.store.get_run(run_id)
                task = self.dagbag.get_dag(run.fileloc, run.dag_id).task_dict[task_id]
            except Exception as exc:  # another run's DAG file: its trouble must not stop this one's
                log.error("run %s: cannot dispatch %d admitted instance(s) of %s: %s", run_id, len(indices), task_id,
                          exc)
                continue
            self.dispatcher.dispatch(run_id, task, indices, slot_limited=True)
        return sum(len(indices) for indices in admitted.values())
