"""Interrupting a try: execution_timeout (TaskTimeout) and a stop from another thread (TaskTerminated),
on the main thread (prefork pool processes: SIGALRM) and on other threads (the embedded default's
worker threads)."""
from __future__ import annotations

import signal
import threading
import time

import pytest

from workers.timeout import Interruptible, TaskTerminated, TaskTimeout


def test_the_main_thread_is_interrupted_even_inside_a_sleep():
    with pytest.raises(TaskTimeout, match="execution_timeout of 0.2 s"):
        with Interruptible(0.2, "t"):
            time.sleep(30)


def test_a_worker_thread_is_interrupted_between_python_instructions():
    outcome = []

    def body():
        try:
            with Interruptible(0.2, "t"):
                while True:
                    time.sleep(0.01)
        except TaskTimeout as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(timeout=20)
    assert outcome == ["task 't' exceeded its execution_timeout of 0.2 s"]


@pytest.mark.parametrize("on_thread", [False, True])
def test_a_block_that_ends_in_time_is_never_interrupted_afterwards(on_thread):
    errors = []

    def body():
        try:
            with Interruptible(0.2, "t"):
                pass
            for _ in range(40):  # well past the deadline
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001 - anything raised here is the bug
            errors.append(exc)

    if on_thread:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(timeout=20)
    else:
        body()
    assert errors == []


@pytest.mark.parametrize("seconds", [None, 0])
def test_no_timeout_means_no_deadline_is_armed(seconds):
    threads_before = threading.active_count()
    alarm_before, timer_before = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)[0]
    with Interruptible(seconds, "t"):
        # The SIGALRM handler and timer are as they were (pytest-timeout's own, if any): nothing armed.
        assert signal.getsignal(signal.SIGALRM) is alarm_before
        assert timer_before - 1 < signal.getitimer(signal.ITIMER_REAL)[0] <= timer_before
        assert threading.active_count() == threads_before  # and no timer thread
        time.sleep(0.05)


def test_another_thread_stops_the_main_thread_even_inside_a_sleep():
    with pytest.raises(TaskTerminated, match="cancelled"):
        with Interruptible(None, "t") as body:
            threading.Timer(0.2, body.interrupt, args=(TaskTerminated("cancelled"),)).start()
            time.sleep(30)


def test_another_thread_stops_a_worker_thread_between_python_instructions():
    outcome = []
    inside = threading.Event()

    def body():
        try:
            with Interruptible(None, "t") as block:
                outcome.append(block)
                inside.set()
                while True:
                    time.sleep(0.01)
        except TaskTerminated as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=body)
    thread.start()
    assert inside.wait(20)
    assert outcome[0].interrupt(TaskTerminated("cancelled"))
    thread.join(timeout=20)
    assert outcome[1:] == ["cancelled"]


@pytest.mark.parametrize("on_thread", [False, True])
def test_a_stop_after_the_block_ended_changes_nothing(on_thread):
    errors, ended = [], []

    def body():
        try:
            with Interruptible(None, "t") as block:
                pass
            ended.append(block.interrupt(TaskTerminated("too late")))
            for _ in range(20):
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001 - anything raised here is the bug
            errors.append(exc)

    if on_thread:
        thread = threading.Thread(target=body)
        thread.start()
        thread.join(timeout=20)
    else:
        body()
    assert (ended, errors) == ([False], [])


def test_a_stop_is_not_swallowed_by_task_code_catching_exception():
    with pytest.raises(TaskTerminated):
        with Interruptible(None, "t") as body:
            try:
                threading.Timer(0.1, body.interrupt, args=(TaskTerminated("cancelled"),)).start()
                time.sleep(30)
            except Exception:  # what task code often does
                pass
