"""The embedded default: a Celery worker on threads inside the current process (memory transport)."""
from __future__ import annotations

import socket
import threading

from celery import Celery

#: Threads of the in-process worker.
DEFAULT_CONCURRENCY = 4


class EmbeddedWorker:
    """A real Celery worker consuming the in-process memory broker.

    :param app: the Celery app, task bodies registered (its broker must be ``memory://``).
    :param concurrency: worker threads (default 4).
    """

    def __init__(self, app: Celery, concurrency: int = DEFAULT_CONCURRENCY):
        self.app = app
        self.concurrency = concurrency
        self.hostname = f"embedded@{socket.gethostname()}"
        self._controller = None
        self._thread: threading.Thread | None = None

    def start(self) -> EmbeddedWorker:
        # The current app is per thread in Celery: the worker thread must find this one, not a
        # default app with no result backend (chords would never complete).
        self.app.set_default()
        self.app.finalize(auto=True)
        self._controller = self.app.WorkController(
            app=self.app,
            pool_cls="threads",
            concurrency=self.concurrency,
            hostname=self.hostname,
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel="WARNING",
            queues=None,
        )
        self._thread = threading.Thread(target=self._controller.start, name="chordflow-embedded-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 0.1) -> None:
        """Ask the worker to stop; wait at most ``wait`` seconds (its consumer may sit in a 2 s
        poll). Called once the run ended, so nothing is left for it to do: the process may exit."""
        if self._controller is not None:
            threading.Thread(target=self._controller.stop, kwargs={"in_sighandler": False}, daemon=True).start()
        if self._thread is not None:
            self._thread.join(timeout=wait)

    def __enter__(self) -> EmbeddedWorker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
