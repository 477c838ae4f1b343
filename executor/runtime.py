"""What a Chordflow process holds: settings, store, DAG bag, dispatcher -- created once, passed down."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import Celery

from orchestrator.dag_loader import DagBag
from orchestrator.errors import ChordflowError
from orchestrator.scheduling import AdvanceResult, advance_run, start_run
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
        self.dispatcher = CeleryDispatcher(app, lambda run_id, task_id: self.store.typical_duration(run_id, task_id))
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._no_worker_since: float | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = Store(self.settings.database_url, retry_for=self.settings.store_retry_for)
        return self._store

    def after_fork(self) -> None:
        if self._store is not None:
            self._store.dispose()

    def reconcile(self) -> dict[str, int]:
        """One reconciler pass: requeue and dispatch again the instances whose worker stopped
        heartbeating, then do the advance step of every running run (a lost chord callback
        leaves decisions pending; the advance step is idempotent)."""
        requeued = self.store.requeue_zombies(self.settings.zombie_after)
        for (run_id, task_id), indices in requeued.items():
            log.warning("run %s: %d instance(s) of %s lost their worker; sent again", run_id, len(indices), task_id)
            self._send_again(run_id, task_id, indices)
        resent = 0
        empty: dict[str | None, bool | None] = {}
        for (run_id, task_id), indices in self.store.stale_queued(self.settings.requeue_after).items():
            task = self._task(run_id, task_id)
            if task.queue not in empty:
                empty[task.queue] = self.dispatcher.queue_is_empty(task.queue)
            if empty[task.queue] is False:
                continue  # messages still wait: the instances are behind them, not lost
            won = self.store.touch_queued(run_id, task_id, indices, self.settings.requeue_after)
            if won:
                log.warning("run %s: %d queued instance(s) of %s had no message; sent again", run_id, len(won), task_id)
                self._send_again(run_id, task_id, won)
                resent += len(won)
        failed = self._fail_orphans()
        advanced = 0
        for run_id in self.store.running_run_ids():
            try:
                self.advance(run_id)
                advanced += 1
            except ChordflowError as exc:
                log.error("run %s: %s", run_id, exc)
        return {"requeued": sum(len(i) for i in requeued.values()) + resent, "orphaned": failed, "runs": advanced}

    def _fail_orphans(self) -> int:
        """When no worker has answered for ``orphan_timeout`` seconds, queued instances of
        running runs fail, saying why, rather than leave their runs ``running`` forever."""
        if self.dispatcher.workers_alive() is not False:
            self._no_worker_since = None
            return 0
        now = time.monotonic()
        if self._no_worker_since is None:
            self._no_worker_since = now
        if now - self._no_worker_since < self.settings.orphan_timeout:
            return 0
        waited = int(now - self._no_worker_since)
        return self.store.fail_queued(
            f"no worker answered for {waited} s (CHORDFLOW_ORPHAN_TIMEOUT={self.settings.orphan_timeout:g}): "
            "start `chordflow worker` on a host that reaches the broker, then `chordflow tasks clear`"
        )

    def _task(self, run_id: str, task_id: str):
        run = self.store.get_run(run_id)
        return self.dagbag.get_dag(run.fileloc, run.dag_id).task_dict[task_id]

    def _send_again(self, run_id: str, task_id: str, indices: list[int]) -> None:
        self.dispatcher.dispatch(run_id, self._task(run_id, task_id), indices)

    def start(self, dag, run_id: str, logical_date: datetime, conf: dict[str, Any]) -> AdvanceResult:
        """Create a run of ``dag`` with its first advance step (one transaction), then dispatch.
        Raises :class:`~orchestrator.errors.DuplicateRunError` when ``run_id`` exists already."""
        fileloc = self.dagbag.fileloc_for(Path(dag.fileloc))
        return self.store.retrying(start_run, self.store, dag, run_id, logical_date, conf, fileloc, self.dispatcher,
                                   self.settings.max_map_length)

    def advance(self, run_id: str) -> AdvanceResult:
        """The advance step of a run (chord callback, first step after submit, reconciler)."""
        run = self.store.get_run(run_id)
        dag = self.dagbag.get_dag(run.fileloc, run.dag_id)
        return self.store.retrying(advance_run, self.store, dag, run_id, self.dispatcher, self.settings.max_map_length)
