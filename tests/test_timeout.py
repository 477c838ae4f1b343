"""execution_timeout: a try that runs too long fails with TaskTimeout, on the main thread (prefork
pool processes: SIGALRM) and on other threads (the embedded default's worker threads)."""
from __future__ import annotations

import threading
import time

import pytest

from workers.timeout import TaskTimeout, execution_deadline


def test_the_main_thread_is_interrupted_even_inside_a_sleep():
    with pytest.raises(TaskTimeout, match="execution_timeout of 0.2 s"):
        with execution_deadline(0.2, "t"):
            time.sleep(30)


def test_a_worker_thread_is_interrupted_between_python_instructions():
    outcome = []

    def body():
        try:
            with execution_deadline(0.2, "t"):
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
            with execution_deadline(0.2, "t"):
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


def test_no_timeout_means_no_deadline():
    with execution_deadline(None, "t"):
        time.sleep(0.05)
