"""Heartbeats: a thread in each worker process marks the instances it holds as alive."""
from __future__ import annotations

import logging
import threading

from orchestrator.store import Store

log = logging.getLogger("chordflow.worker")


class Heartbeat:
    """Refreshes ``heartbeat_at`` of the instances this process holds, every ``interval`` seconds.

    :param store: where the heartbeats are written.
    :param interval: seconds between two beats.
    """

    def __init__(self, store: Store, interval: float):
        self.store = store
        self.interval = interval
        self._held: set[tuple[str, str, int, int]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def hold(self, instances) -> None:
        """Start beating for these ``(run_id, task_id, map_index, try_number)``."""
        with self._lock:
            self._held.update(instances)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._beat, name="chordflow-heartbeat", daemon=True)
                self._thread.start()

    def release_all(self, instances) -> None:
        """Stop beating for these: they ended, or this process gave them up."""
        with self._lock:
            self._held.difference_update(instances)

    def stop(self) -> None:
        self._stop.set()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                held = list(self._held)
            try:
                self.store.heartbeat(held)
            except Exception as exc:  # a missed beat is retried at the next one
                log.warning("heartbeat not written: %s", exc)
