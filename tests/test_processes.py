"""Every process a test starts dies with the test (tests/processes.py), grandchildren in a session
of their own included, as check.py starts its workers: each test here runs a pytest session of
its own, with this project's conftest and pytest settings, on a generated test file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.processes import (
    OWNER_VARIABLE,
    kill_processes,
    owned_processes,
    process_table,
    session_alive,
    session_of,
)

#: A child that starts a sleeper in a session of its own (as check.py starts its workers), writes
#: its owner marker and the sleeper's pid to the file named by its argument, then sleeps itself.
CHILD = """
import os, subprocess, sys, time
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(sys.argv[1] + ".tmp", "w") as report:
    report.write(os.environ.get("CHORDFLOW_TEST_OWNER", "") + " " + str(sleeper.pid))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
"""

INNER_TESTS = '''
import subprocess, sys, time
from pathlib import Path

import pytest

REPORTS = Path({reports!r})
CHILD = {child!r}


def start_child(test):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(REPORTS / test)])
    while not (REPORTS / test).exists():
        time.sleep(0.02)
    return child


@pytest.mark.timeout(5)
def test_times_out():
    subprocess.run([sys.executable, "-c", CHILD, str(REPORTS / "test_times_out")], timeout=600)


def test_fails():
    start_child("test_fails")
    assert False


def test_waits():
    start_child("test_waits")
    time.sleep(600)


def test_passes():
    pass
'''


@pytest.fixture(autouse=True)
def no_leftovers() -> Iterator[None]:
    """Should an inner session fail to clean up, what it left dies with this test all the same
    (an inner session's processes carry its marker, not this test's)."""
    yield
    kill_processes(lambda marker: not session_alive(session_of(marker)))


def inner_session(tmp_path: Path, *tests: str) -> subprocess.Popen:
    """``python -m pytest`` on ``tests`` of INNER_TESTS, in that order, with the project's settings
    and conftest; each test's child reports to ``tmp_path / <test>``."""
    source = tmp_path / "test_inner.py"
    source.write_text(textwrap.dedent(INNER_TESTS).format(reports=str(tmp_path), child=CHILD))
    return subprocess.Popen([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "-p", "tests.conftest",
                             "-p", "no:cacheprovider", "-q", *(f"{source}::{test}" for test in tests)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def reported(tmp_path: Path, test: str, proc: subprocess.Popen, timeout: float = 60) -> tuple[str, int]:
    """The owner marker and sleeper pid that ``test``'s child wrote, once it wrote them."""
    report = tmp_path / test
    deadline = time.monotonic() + timeout
    while not report.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the inner session ended first: {proc.communicate()[0]}")
        assert time.monotonic() < deadline, f"no report in {timeout} s"
        time.sleep(0.05)
    marker, pid = report.read_text().split()
    return marker, int(pid)


def finished(proc: subprocess.Popen, timeout: float = 120) -> str:
    output, _ = proc.communicate(timeout=timeout)
    return output


def assert_gone(marker: str, sleeper: int) -> None:
    assert marker.count("/") == 1, marker  # the inner session's own test marker: <session>/<test>
    assert sleeper not in process_table()
    assert owned_processes(lambda owner: owner == marker) == set()


def test_a_grandchild_in_a_session_of_its_own_dies_when_its_test_times_out(tmp_path):
    proc = inner_session(tmp_path, "test_times_out", "test_waits")
    marker, sleeper = reported(tmp_path, "test_times_out", proc)
    reported(tmp_path, "test_waits", proc)  # the next test runs: the timed-out one is over
    assert_gone(marker, sleeper)
    proc.send_signal(signal.SIGINT)
    output = finished(proc)
    assert "Timeout (>5.0s)" in output, output


def test_a_grandchild_in_a_session_of_its_own_dies_when_its_test_fails(tmp_path):
    proc = inner_session(tmp_path, "test_fails", "test_waits")
    marker, sleeper = reported(tmp_path, "test_fails", proc)
    reported(tmp_path, "test_waits", proc)
    assert_gone(marker, sleeper)
    proc.send_signal(signal.SIGINT)
    assert "assert False" in finished(proc)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_grandchild_in_a_session_of_its_own_dies_when_the_session_is_interrupted(tmp_path, signum):
    proc = inner_session(tmp_path, "test_waits")
    marker, sleeper = reported(tmp_path, "test_waits", proc)
    assert sleeper in process_table()
    proc.send_signal(signum)
    output = finished(proc)
    assert "KeyboardInterrupt" in output, output
    assert_gone(marker, sleeper)


def test_processes_of_a_killed_session_die_when_the_next_session_starts(tmp_path):
    proc = inner_session(tmp_path, "test_waits")
    marker, sleeper = reported(tmp_path, "test_waits", proc)
    proc.kill()
    finished(proc)
    assert sleeper in process_table()  # nothing was left to clean up after SIGKILL
    assert "1 passed" in finished(inner_session(tmp_path, "test_passes"))
    assert_gone(marker, sleeper)


def test_a_process_started_without_the_tests_owner_marker_is_refused():
    with pytest.raises(RuntimeError, match=OWNER_VARIABLE):
        subprocess.Popen(["true"], env={"PATH": os.environ["PATH"]})
