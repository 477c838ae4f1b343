"""Every process a test starts dies with the test, however the test ends.

A test runs with ``CHORDFLOW_TEST_OWNER=<session>/<test>`` in the environment of the pytest
process, so every process it starts inherits it, and so does every process those start, in a
session or process group of their own or not (``check.py``'s workers, a daemonised PostgreSQL):
``/proc/<pid>/environ`` keeps the environment a process was started with. When the test ends --
passed, failed, timed out, interrupted -- :func:`kill_processes` ends the processes that carry
its marker and their descendants: SIGTERM, then SIGKILL after :data:`GRACE` seconds.

The session is ``<pid>.<start time>`` of the pytest process: at its end it kills what carries a
marker of its own (a second Ctrl-C can cut a test's cleanup short), and at its start what carries
the marker of a session that no longer runs (a pytest killed with SIGKILL).

A process lives at most as long as the test it was started in: a fixture wider than one test
must not start processes. Linux only (``/proc``).
"""
from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: The environment variable that names the session and test a process belongs to.
OWNER_VARIABLE = "CHORDFLOW_TEST_OWNER"
#: Seconds the processes of an ended test get to exit after SIGTERM, before SIGKILL.
GRACE = 5.0

_OWNER_PREFIX = OWNER_VARIABLE.encode() + b"="


def identity(pid: int) -> str | None:
    """``<pid>.<start time in clock ticks>``: names a process even after its pid is reused
    (None when there is no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return f"{pid}.{stat.rsplit(')', 1)[1].split()[19]}"


def session_marker() -> str:
    """The marker of this pytest session: :func:`identity` of this process."""
    return identity(os.getpid())


def session_of(marker: str) -> str:
    """The session part of a test's marker (``<session>/<test>``)."""
    return marker.split("/", 1)[0]


def session_alive(session: str) -> bool:
    """Whether the pytest process that ``session`` names still runs."""
    pid = session.split(".", 1)[0]
    return pid.isdigit() and identity(int(pid)) == session


def _owner(environ: bytes) -> str | None:
    for entry in environ.split(b"\0"):
        if entry.startswith(_OWNER_PREFIX):
            return entry[len(_OWNER_PREFIX):].decode(errors="replace")
    return None


def process_table() -> dict[int, tuple[int, str | None]]:
    """Every live process (zombies left out) as ``pid -> (parent pid, owner marker or None)``."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            environ = Path(entry.path, "environ").read_bytes()
        except OSError:  # it ended meanwhile, or it is not ours to read
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state not in ("Z", "X"):
            table[int(entry.name)] = (int(ppid), _owner(environ))
    return table


def owned_processes(match: Callable[[str], bool]) -> set[int]:
    """The live processes whose owner marker ``match``es, and all their descendants (whatever
    their own environment says), never this process or its ancestors."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _owner_marker) in table.items():
        children.setdefault(ppid, []).append(pid)
    found = {pid for pid, (_ppid, marker) in table.items() if marker is not None and match(marker)}
    pending = list(found)
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    spared, pid = set(), os.getpid()
    while pid in table and pid not in spared:
        spared.add(pid)
        pid = table[pid][0]
    return found - spared


def _send(pids: set[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def kill_processes(match: Callable[[str], bool], grace: float = GRACE) -> set[int]:
    """SIGTERM to :func:`owned_processes` of ``match``, SIGKILL to whatever of them (or started
    by them meanwhile) still runs ``grace`` seconds later, until none is left. Returns the pids
    that were signalled."""
    doomed = owned_processes(match)
    if not doomed:
        return doomed
    _send(doomed, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and doomed & process_table().keys():
        time.sleep(0.05)
    # All of them found before any is killed: a killed parent's children lose their link to it.
    for _ in range(100):
        survivors = (doomed & process_table().keys()) | owned_processes(match)
        if not survivors:
            break
        doomed |= survivors
        _send(survivors, signal.SIGKILL)
        time.sleep(0.05)
    return doomed


def refuse_unmarked_processes() -> None:
    """From now on, a process started (``subprocess``) during a test with an environment that
    lacks the test's marker raises RuntimeError: it would escape its test's cleanup."""

    def audit(event: str, args: tuple) -> None:
        if event != "subprocess.Popen" or args[3] is None:
            return
        marker = os.environ.get(OWNER_VARIABLE)
        env = args[3]
        if marker and env.get(OWNER_VARIABLE, env.get(OWNER_VARIABLE.encode())) not in (marker, marker.encode()):
            raise RuntimeError(f"{args[1]!r} would start without {OWNER_VARIABLE}={marker} in its environment, so "
                               "it would outlive its test: build its environment from os.environ or base_env()")

    sys.addaudithook(audit)
