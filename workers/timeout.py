"""Interrupting a try: ``execution_timeout`` fails it with :class:`TaskTimeout` (Airflow's
``AirflowTaskTimeout``), and a stop from outside -- its instance was ended elsewhere, e.g. its run was
cancelled -- ends it with :class:`TaskTerminated` (Airflow's ``AirflowTaskTerminated``).

In a prefork pool process the task runs on the main thread: SIGALRM interrupts it wherever it
is, a ``time.sleep`` or a blocking read included. On a thread (the embedded default, ``--pool
threads``) the exception is raised in that thread at its next Python instruction: a task stuck
inside one long C call ends when the call returns.
"""
from __future__ import annotations

import ctypes
import signal
import threading


class TaskTimeout(Exception):
    """The try ran longer than its task's ``execution_timeout``."""


class TaskTerminated(BaseException):  # noqa: N818 - named like Airflow's AirflowTaskTerminated
    """The try was stopped from outside: its instance is no longer running here. A ``BaseException``,
    as in Airflow, so that task code catching ``Exception`` does not swallow it."""


#: Serialises interrupting a try with the end of its block (one lock for all: both are rare or tiny).
_lock = threading.Lock()
#: The block running on the main thread now, which SIGALRM interrupts (signals reach that thread only).
_on_main_thread: Interruptible | None = None
#: The SIGALRM handler ours replaced, called for an alarm that is not ours (e.g. pytest-timeout's).
_chained = signal.SIG_DFL


class Interruptible:
    """``with Interruptible(seconds, task_id) as body:`` runs a try's body so that it is
    interrupted after ``seconds`` (``None``: never) with :class:`TaskTimeout`, or at once when
    another thread calls ``body.interrupt(exception)``. Nothing is raised once the block has ended.

    :param seconds: the task's ``execution_timeout`` in seconds, or ``None``.
    :param task_id: named in the timeout's message.
    """

    def __init__(self, seconds: float | None, task_id: str):
        self.seconds = seconds if seconds and seconds > 0 else None
        self.message = f"task {task_id!r} exceeded its execution_timeout of {seconds:g} s" if self.seconds else ""
        self.inside = False
        self.pending: BaseException | None = None
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Interruptible:
        global _on_main_thread
        self.thread_id = threading.get_ident()
        self.on_main_thread = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        self.inside = True
        if self.on_main_thread:
            _install_alarm_handler()
            _on_main_thread = self
            if self.seconds:
                signal.setitimer(signal.ITIMER_REAL, self.seconds)
        elif self.seconds:
            self._timer = threading.Timer(self.seconds, self.interrupt, args=(TaskTimeout(self.message),))
            self._timer.daemon = True
            self._timer.start()
        return self

    def interrupt(self, exception: BaseException) -> bool:
        """Raise ``exception`` in the thread running the block, from any thread, once; False when
        the block has ended (or was interrupted already)."""
        with _lock:
            if not self.inside or self.pending is not None:
                return False
            self.pending = exception
            if self.on_main_thread:
                signal.pthread_kill(self.thread_id, signal.SIGALRM)
            else:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id),
                                                           ctypes.py_object(_carrier(exception)))
        return True

    def __exit__(self, *exc) -> None:
        global _on_main_thread
        if self.on_main_thread and self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elif self._timer is not None:
            self._timer.cancel()
        with _lock:
            self.inside = False
            if self.on_main_thread:
                _on_main_thread = None
            elif self.pending is not None:
                # Withdraw an exception set but not delivered yet (the block ended just in time).
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), None)


def _install_alarm_handler() -> None:
    """Our SIGALRM handler, left in place after the block: a stop that arrives once its block ended
    then finds nothing to interrupt (restored to the default, that signal would end the process)."""
    global _chained
    current = signal.getsignal(signal.SIGALRM)
    if current is not _on_alarm:
        _chained = current
        signal.signal(signal.SIGALRM, _on_alarm)


def _on_alarm(signum, frame) -> None:
    body = _on_main_thread
    if body is None or not body.inside:
        if callable(_chained):
            _chained(signum, frame)
        return
    exception = body.pending
    if exception is None:  # not another thread's interrupt(): the execution_timeout's timer
        if body.seconds is None:
            return
        exception = body.pending = TaskTimeout(body.message)
    body.inside = False  # raised once
    raise exception


def _carrier(exception: BaseException) -> type[BaseException]:
    """A subclass of the exception's type that is raised with its message: an asynchronous exception
    is given as a class, which the thread instantiates without arguments."""
    message = str(exception)

    def __init__(self, *args):
        type(exception).__init__(self, message)

    return type(type(exception).__name__, (type(exception),), {"__init__": __init__})
