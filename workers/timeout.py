"""``execution_timeout``: a try that runs longer fails with :class:`TaskTimeout` (Airflow's
``AirflowTaskTimeout``), and its retries apply as for any failure.

In a prefork pool process the task runs on the main thread: SIGALRM interrupts it wherever it
is, a ``time.sleep`` or a blocking read included. On a thread (the embedded default, ``--pool
threads``) the exception is raised in that thread at its next Python instruction: a task stuck
inside one long C call ends when the call returns.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
from collections.abc import Iterator


class TaskTimeout(Exception):
    """The try ran longer than its task's ``execution_timeout``."""


@contextlib.contextmanager
def execution_deadline(seconds: float | None, task_id: str) -> Iterator[None]:
    """Raise :class:`TaskTimeout` in the calling thread once ``seconds`` have passed inside."""
    if not seconds or seconds <= 0:
        yield
        return
    message = f"task {task_id!r} exceeded its execution_timeout of {seconds:g} s"
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def _expired(_signum, _frame):
            raise TaskTimeout(message)

        previous = signal.signal(signal.SIGALRM, _expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    with _ThreadDeadline(seconds, message):
        yield


class _ThreadDeadline:
    """Raises TaskTimeout in one thread after a delay, unless left first (a pending, undelivered
    exception is withdrawn when the block ends in time)."""

    def __init__(self, seconds: float, message: str):
        self.seconds = seconds
        self.message = message
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.inside = True
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def __enter__(self) -> None:
        exception = type("TaskTimeout", (TaskTimeout,), {"__init__": _init_with(self.message)})
        self.exception = exception
        self.timer.start()

    def _expire(self) -> None:
        with self.lock:
            if self.inside:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id),
                                                           ctypes.py_object(self.exception))

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        with self.lock:
            self.inside = False
            # Withdraw an exception set but not delivered yet (the block ended just in time).
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), None)


def _init_with(message: str):
    def __init__(self, *args):
        TaskTimeout.__init__(self, message)
    return __init__
