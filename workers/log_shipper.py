"""Live logs: a thread in each worker process appends to the store, about every second, what each
try running for longer than that has logged since; the try's end appends the rest. A short try
costs nothing more: its log is written once, with its end, as before."""
from __future__ import annotations

import logging
import os
import threading
import time

from orchestrator.store import LogChunk, Store
from workers.log_capture import LogCapture

log = logging.getLogger("chordflow.worker")

#: Seconds between two writes of the logs of running tries.
SHIP_EVERY = 1.0
#: Seconds a try runs before its log is first written while it runs.
SHIP_AFTER = 1.0


class LiveLog:
    """One running try's log: what of it was written to the store already."""

    __slots__ = ("capture", "run_id", "task_id", "map_index", "try_number", "hostname", "started", "shipped",
                 "busy", "closed")

    def __init__(self, capture: LogCapture, run_id: str, task_id: str, map_index: int, try_number: int,
                 hostname: str):
        self.capture = capture
        self.run_id = run_id
        self.task_id = task_id
        self.map_index = map_index
        self.try_number = try_number
        self.hostname = hostname
        self.started = time.monotonic()
        #: Pieces of the capture in the store already.
        self.shipped = 0
        #: A write of this log is under way (its end waits for it: nothing written twice or out of order).
        self.busy = False
        #: The try ended: its end writes the rest, the shipper no more.
        self.closed = False


class LogShipper:
    """Writes the logs of running tries to the store while they run.

    :param store: where the logs go (:meth:`Store.append_logs`).
    :param every: seconds between two writes (default :data:`SHIP_EVERY`).
    :param after: seconds a try runs before its log is first written (default :data:`SHIP_AFTER`).
    """

    def __init__(self, store: Store, every: float = SHIP_EVERY, after: float = SHIP_AFTER):
        self.store = store
        self.every = every
        self.after = after
        self._live: dict[int, LiveLog] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        os.register_at_fork(after_in_child=self._forget_thread)

    # A try's open and close take no lock (each step is atomic under the GIL): a short try pays
    # about a microsecond. A try's end and a write of its log exclude each other like Dekker's
    # flags: the end sets ``closed`` then looks at ``busy``, a write sets ``busy`` then looks at
    # ``closed``; at least one of them sees the other.
    def open(self, capture: LogCapture, run_id: str, task_id: str, map_index: int, try_number: int,
             hostname: str) -> LiveLog:
        """Start shipping the log of a try that begins now (call :meth:`close` when it ends)."""
        live = LiveLog(capture, run_id, task_id, map_index, try_number, hostname)
        self._live[id(live)] = live
        if self._thread is None:
            with self._changed:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="chordflow-log-shipper", daemon=True)
                    self._thread.start()
        return live

    def close(self, live: LiveLog) -> str:
        """Ship no more of this try's log; returns the part not in the store yet (after a write
        under way, if any), for the try's end to append."""
        live.closed = True
        if live.busy:
            with self._changed:
                self._changed.wait_for(lambda: not live.busy)
        del self._live[id(live)]
        return live.capture.read_from(live.shipped)[0]

    def ship(self) -> None:
        """Append what each try running for ``after`` seconds logged since its last write, in one
        transaction. A write refused (the try is no longer its host's) or failed is left to the
        try's end."""
        began_before = time.monotonic() - self.after
        due = [live for live in list(self._live.values()) if live.started <= began_before]
        for live in due:
            live.busy = True
        pieces: list[tuple[LiveLog, str, int]] = []
        written: list[bool] = []
        try:
            for live in due:
                if live.closed:  # its end writes it
                    continue
                text, end = live.capture.read_from(live.shipped)
                if text:
                    pieces.append((live, text, end))
            if pieces:
                written = self.store.append_logs([
                    LogChunk(live.run_id, live.task_id, live.map_index, live.try_number, text, live.hostname)
                    for live, text, _end in pieces
                ])
        finally:
            with self._changed:
                for (live, _text, end), ok in zip(pieces, written, strict=False):
                    if ok:
                        live.shipped = end
                for live in due:
                    live.busy = False
                self._changed.notify_all()

    def _forget_thread(self) -> None:
        """In a forked child (a pool process) the parent's thread does not exist: start one anew."""
        self._thread = None
        self._changed = threading.Condition()

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                self.ship()
            except Exception as exc:  # the next pass (or the try's end) writes it
                log.warning("live log not written: %s", exc)
