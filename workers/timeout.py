"""Interrupting a try: ``execution_timeout`` fails it with :class:`TaskTimeout` (Airflow's
``AirflowTaskTimeout``), and a stop from outside -- its instance was ended elsewhere, e.g. its run was
cancelled -- ends it with :class:`TaskTerminated` (Airflow's ``AirflowTaskTerminated``).

In a prefork pool process the task runs on the main thread: a signal interrupts it wherever it is,
a ``time.sleep`` or a blocking read included (SIGALRM from the timeout's timer, SIGUSR2 sent by
the thread that stops it). On a thread (the embedded default, ``--pool threads``) the exception is
raised in that thread at its next Python instruction: a task stuck inside one long C call ends
when the call returns.
"""
from __future__ import annotations

import ctypes
import signal
import threading

from orchestrator.errors import TaskTimeout

__all__ = ["Interruptible", "TaskTerminated", "TaskTimeout"]

#: The signal another thread sends to the main thread to stop its try (SIGALRM is the timeout's).
STOP_SIGNAL = signal.SIGUSR2


class TaskTerminated(BaseException):  # noqa: N818 - named like Airflow's AirflowTaskTerminated
    """The try was stopped from outside: its instance is no longer running here. A ``BaseException``,
    as in Airflow, so that task code catching ``Exception`` does not swallow it."""


#: Serialises stopping a try with the end of its block (one lock for all: both are rare or tiny).
_lock = threading.Lock()
#: The block running on the main thread now, which the stop signal interrupts.
_on_main_thread: Interruptible | None = None
_stop_handler_installed = False


class Interruptible:
    """``with Interruptible(seconds, task_id) as body:`` runs a try's body so that it is
    interrupted after ``seconds`` (``None``: never) with :class:`TaskTimeout`, or at once when
    another thread calls ``body.interrupt(exception)``. Nothing is raised once the block has ended.

    :param seconds: the task's ``execution_timeout`` in seconds, or ``None``.
    :param task_id: named in the timeout's message.
    :param registry: where the block is found under ``key`` while it runs, by whoever may stop it
        (default: nowhere).
    """

    def __init__(self, seconds: float | None, task_id: str, registry: dict | None = None, key: object = None):
        self.seconds = seconds if seconds and seconds > 0 else None
        self.task_id = task_id
        self.registry = registry
        self.key = key
        self.inside = False
        self.pending: BaseException | None = None

    def __enter__(self) -> Interruptible:
        global _on_main_thread
        self.thread_id = threading.get_ident()
        self.on_main_thread = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if self.on_main_thread:
            if not _stop_handler_installed:
                _install_stop_handler()
            _on_main_thread = self
        self.inside = True
        if self.registry is not None:
            self.registry[self.key] = self
        if self.seconds:
            self._start_timer()
        return self

    def interrupt(self, exception: BaseException) -> bool:
        """Raise ``exception`` in the thread running the block, from any thread, once; False when
        the block has ended (or was interrupted already)."""
        with _lock:
            if not self.inside or self.pending is not None:
                return False
            self.pending = exception
            if self.on_main_thread:
                signal.pthread_kill(self.thread_id, STOP_SIGNAL)
            else:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id),
                                                           ctypes.py_object(_carrier(exception)))
        return True

    def __exit__(self, *exc) -> None:
        global _on_main_thread
        if self.registry is not None:
            del self.registry[self.key]
        if self.seconds:
            self._stop_timer()
        with _lock:
            self.inside = False
            if self.on_main_thread:
                _on_main_thread = None
            elif self.pending is not None:
                # Withdraw an exception set but not delivered yet (the block ended just in time).
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread_id), None)

    # -- execution_timeout: SIGALRM on the main thread, a timer thread elsewhere ------------------
    def _start_timer(self) -> None:
        timeout = TaskTimeout(f"task {self.task_id!r} exceeded its execution_timeout of {self.seconds:g} s")
        if self.on_main_thread:
            def _expired(_signum, _frame):
                if self.inside:
                    self.inside = False  # raised once
                    raise timeout

            self._previous = signal.signal(signal.SIGALRM, _expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            self._timer = threading.Timer(self.seconds, self.interrupt, args=(timeout,))
            self._timer.daemon = True
            self._timer.start()

    def _stop_timer(self) -> None:
        if self.on_main_thread:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
        else:
            self._timer.cancel()


def _install_stop_handler() -> None:
    """The stop signal's handler, installed once per process and left in place: a stop that arrives
    after its block ended then finds nothing to interrupt (at its default, it would end the process)."""
    global _stop_handler_installed
    signal.signal(STOP_SIGNAL, _on_stop_signal)
    _stop_handler_installed = True


def _on_stop_signal(_signum, _frame) -> None:
    body = _on_main_thread
    if body is None or not body.inside or body.pending is None:
        return
    body.inside = False  # raised once
    raise body.pending


def _carrier(exception: BaseException) -> type[BaseException]:
    """A subclass of the exception's type that is raised with its message: an asynchronous exception
    is given as a class, which the thread instantiates without arguments."""
    message = str(exception)

    def __init__(self, *args):
        type(exception).__init__(self, message)

    return type(type(exception).__name__, (type(exception),), {"__init__": __init__})
