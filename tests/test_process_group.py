"""``chordflow worker --pool solo -c N``: N solo worker processes under one supervising process
(workers/process_group.py), checked on real forked processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from workers.process_group import ProcessGroup, child_nodename

ROOT = Path(__file__).resolve().parents[1]

#: A group of two processes, each writing its pid to ``<folder>/<index>.<pid>`` and sleeping.
SLEEPERS = """
import os, sys, time
from pathlib import Path
from workers.process_group import ProcessGroup

folder = Path(sys.argv[1])

def body(index):
    (folder / f"{index}.{os.getpid()}").touch()
    time.sleep(600)
    return 0

sys.exit(ProcessGroup(2, body, lambda line: print(line, flush=True)).serve())
"""


def test_child_nodenames_differ_and_keep_the_host():
    assert child_nodename("alpha@host1", 1) == "alpha-1@host1"
    assert child_nodename("alpha@host1", 2) == "alpha-2@host1"
    assert child_nodename("bare", 3) == "bare-3"


def pids(folder: Path) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for path in folder.iterdir():
        index, pid = path.name.split(".")
        found.setdefault(int(index), set()).add(int(pid))
    return found


def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_process_is_replaced_and_sigterm_stops_them_all(tmp_path):
    folder = tmp_path / "pids"
    folder.mkdir()
    group = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SLEEPERS), str(folder)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_until(lambda: len(pids(folder)) == 2)
        (victim,) = pids(folder)[2]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: len(pids(folder)[2]) == 2)  # process 2 again, a new pid
        (first,) = pids(folder)[1]
        assert alive(first), "the other process was disturbed"
        os.kill(group.pid, signal.SIGTERM)
        output, _ = group.communicate(timeout=15)
        assert group.returncode == 0, output
        assert "worker process 2 ended (signal 9): starting another in its place" in output
        assert "SIGTERM: stopping 2 worker process(es) warmly" in output
        # (zombies are reaped by the group: every pid it started is gone)
        for started in set().union(*pids(folder).values()):
            assert not alive(started), f"process {started} outlived its group"
    finally:
        if group.poll() is None:
            os.killpg(group.pid, signal.SIGKILL)
            group.wait()


def test_a_process_that_keeps_failing_to_start_stops_the_group_with_exit_code_1():
    lines: list[str] = []
    group = ProcessGroup(1, lambda index: 3, lines.append)
    group.backoff = 0.0
    assert group.serve() == 1
    assert lines[:2] == ["worker process 1 ended (exit code 3): starting another in its place"] * 2
    assert lines[2] == "worker process 1 ended (exit code 3) 3 times within 10 s of its start: stopping the worker"
    assert not group.children


def test_the_processes_end_when_their_supervisor_is_killed(tmp_path):
    """As prefork's pool processes end with their worker: SIGKILL to the supervising process alone
    (not its process group) and each process is sent SIGTERM."""
    folder = tmp_path / "pids"
    folder.mkdir()
    group = subprocess.Popen([sys.executable, "-c", textwrap.dedent(SLEEPERS), str(folder)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: len(pids(folder)) == 2)
        os.kill(group.pid, signal.SIGKILL)
        group.wait()
        started = set().union(*pids(folder).values())
        wait_until(lambda: not any(alive(pid) for pid in started), timeout=10)
    finally:
        try:
            os.killpg(group.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
