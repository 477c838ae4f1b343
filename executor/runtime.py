"""What a Chordflow process holds: settings, store, DAG bag, dispatcher -- created once, passed down."""
from __future__ import annotations

import logging
import threading

from celery import Celery

from orchestrator.dag_loader import DagBag
from orchestrator.scheduling import AdvanceResult, advance_run
from orchestrator.settings import Settings
from orchestrator.store import Store

log = logging.getLogger("chordflow.executor")


class Runtime:
    """The process's Chordflow services (the store is opened on first use, again after a fork).

    :param settings: the configuration.
    :param app: the Celery app chords are sent through.
    """

    def __init__(self, settings: Settings, app: Celery):
        from executor.dispatch import CeleryDispatcher

        self.settings = settings
        self.app = app
        self.dagbag = DagBag(settings.dags_folder)
        self.dispatcher = CeleryDispatcher(app)
        self._store: Store | None = None
        self._lock = threading.Lock()

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = Store(self.settings.database_url)
        return self._store

    def after_fork(self) -> None:
        if self._store is not None:
            self._store.dispose()

    def advance(self, run_id: str) -> AdvanceResult:
        """The advance step of a run (chord callback, first step after submit, reconciler)."""
        run = self.store.get_run(run_id)
        dag = self.dagbag.get_dag(run.fileloc, run.dag_id)
        return advance_run(self.store, dag, run_id, self.dispatcher, self.settings.max_map_length)
