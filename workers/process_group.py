"""``chordflow worker --pool solo -c N``: N worker processes, each a Celery worker with the solo
pool, under one supervising process.

Celery's prefork pool hands every message from the worker's main process to a pool process
through a pipe and reads the result back: about 0.5 ms of the main process's CPU and 0.7-1 ms of
wall per message, which is most of a ``batch_size=1`` instance's cost here (README,
"Performance"). A solo worker runs the task in the process that consumed its message. N of them
consume side by side, each with its own broker connection and prefetch; this process only starts
them, starts a new one in place of one that dies (as the prefork pool does), and passes shutdown
signals on.

What the prefork pool does that this does not: a message that a dying process had received is
not given back to the queue at once. Its instance is repaired as when a worker host dies: the
instance's heartbeat falls silent (or it stays ``queued`` with no message) and ``chordflow
scheduler`` sends it again (README, "Faults").
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable

log = logging.getLogger("chordflow.worker")

#: A process that ends within this many seconds of its start has failed to start.
QUICK_EXIT = 10.0
#: After this many failed starts in a row of one process, the whole group stops (exit code 1).
MAX_QUICK_EXITS = 3


def child_nodename(nodename: str, index: int) -> str:
    """The Celery node name of process ``index`` (from 1): ``name@host`` -> ``name-index@host``
    (every Celery node needs a name of its own: remote control and ``inspect`` address nodes)."""
    name, sep, host = nodename.partition("@")
    return f"{name}-{index}{sep}{host}"


class ProcessGroup:
    """Runs ``run(index)`` in ``count`` forked processes until a shutdown signal.

    :param count: processes, at least 1.
    :param run: the body of process ``index`` (1..count): returns its exit code. It is called in the
        forked child with default signal handlers; nothing it opens is shared with this process.
    :param say: writes one line for the operator (a process that died, a shutdown).

    SIGTERM and SIGINT stop every process warmly (each ends the instances it runs: Celery's warm
    shutdown); a second SIGINT, or SIGQUIT, stops them at once (Celery's cold shutdown).
    """

    #: Seconds before the first restart of a process that failed to start; doubled each time, at most 8.
    backoff = 1.0

    def __init__(self, count: int, run: Callable[[int], int], say: Callable[[str], None]):
        if count < 1:
            raise ValueError(f"a process group needs at least one process, not {count}")
        self.count = count
        self.run = run
        self.say = say
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at, monotonic s)
        self.quick_exits: dict[int, int] = {}
        self.stopping: int | None = None  # the signal passed on to the processes, once stopping

    def serve(self) -> int:
        """Start the processes and supervise them; returns the exit code: 0 after a shutdown
        signal, 1 when a process kept failing to start (:data:`MAX_QUICK_EXITS`)."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)}
        failed = False
        try:
            for index in range(1, self.count + 1):
                self._start(index)
            while self.children:
                pid, status = os.wait()
                if pid not in self.children:
                    continue
                index, started = self.children.pop(pid)
                if self.stopping is not None:
                    continue
                if self._lost(index, started, status):
                    failed = True
                    self._stop_all(signal.SIGTERM)
                else:
                    self._start(index)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 1 if failed else 0

    def _lost(self, index: int, started: float, status: int) -> bool:
        """A process ended without being asked to: say so; whether the group must give up."""
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit code {os.waitstatus_to_exitcode(status)}")
        quick = time.monotonic() - started < QUICK_EXIT
        self.quick_exits[index] = self.quick_exits.get(index, 0) + 1 if quick else 0
        if self.quick_exits[index] >= MAX_QUICK_EXITS:
            self.say(f"worker process {index} ended ({how}) {MAX_QUICK_EXITS} times within {QUICK_EXIT:g} s "
                     "of its start: stopping the worker")
            return True
        self.say(f"worker process {index} ended ({how}): starting another in its place")
        if quick:
            time.sleep(min(self.backoff * 2 ** (self.quick_exits[index] - 1), 8.0))
        return False

    def _start(self, index: int) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child never returns into the supervisor's code
            code = 1
            try:
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
                    signal.signal(sig, signal.SIG_DFL)
                _stop_with_parent(parent)
                code = self.run(index)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.children[pid] = (index, time.monotonic())

    def _on_signal(self, signum: int, _frame) -> None:
        if signum == signal.SIGQUIT or (signum == signal.SIGINT and self.stopping is not None):
            self._stop_all(signal.SIGQUIT)
        elif self.stopping is None:
            self.say(f"{signal.Signals(signum).name}: stopping {len(self.children)} worker process(es) warmly")
            self._stop_all(signal.SIGTERM)

    def _stop_all(self, sig: int) -> None:
        self.stopping = sig
        for pid in list(self.children):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _stop_with_parent(parent: int) -> None:
    """Have this process sent SIGTERM (a warm shutdown) when the supervising process ``parent``
    dies, as prefork's pool processes end with their worker (Linux's PR_SET_PDEATHSIG; elsewhere
    nothing)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
