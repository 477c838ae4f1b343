"""Submitting runs and waiting for them: the advance step that starts or resumes a run, the
embedded worker that runs its work in this process, and the wait on the store (never on a Celery
result), which notes SIGINT / SIGTERM and tells a user waiting on a broker that no worker is there.

What it says goes to stderr, one line each; an interrupted drive ends the process
(``SystemExit(128 + signal number)``), as a command would.
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from executor.services import Services
from orchestrator import read_models
from orchestrator.errors import ChordflowError, RunStateError
from orchestrator.states import DagRunState

if TYPE_CHECKING:
    from orchestrator.advance import AdvanceResult

#: How often a wait reads its run's state (seconds; one primary-key lookup): the embedded
#: default starts at this and grows to the broker's, which it keeps. This is how late ``run
#: --wait`` may return after the run ended.
POLL_EMBEDDED = 0.02
POLL_BROKER = 0.1
#: Seconds between two progress lines of a wait (``--progress``: the run's instances counted),
#: growing by half each time up to :data:`PROGRESS_MAX` -- a count at a million instances is a scan.
PROGRESS_FIRST = 0.2
PROGRESS_MAX = 2.0
#: Seconds between two looks of a wait on a broker at whether anything works on the run
#: (an instance running, else a worker answering a ping).
WORKER_CHECK_INTERVAL = 5.0
#: Seconds between two advance steps an embedded run whose DAG depends on the past takes while it
#: waits: the run it may wait on ends in another process, which cannot send this one's step.
READVANCE_EMBEDDED = 0.5
#: Seconds an interrupted embedded run's tries get to unwind before the process exits without them.
STOP_GRACE = 5.0
#: Seconds between two admissions to free slots by an embedded run's wait (what `chordflow
#: scheduler` does with a broker): a pool made bigger meanwhile by `chordflow pools set` is used.
ADMIT_EVERY_EMBEDDED = 1.0

_FINISHED_RUN = {DagRunState.SUCCESS.value, DagRunState.FAILED.value}


def _say(text: str, nl: bool = True) -> None:
    sys.stderr.write(text + ("\n" if nl else ""))
    sys.stderr.flush()


def new_run_id(logical_date: datetime) -> str:
    """A manual run's id: ``manual__<logical date>__<8 hex digits>``."""
    stamp = logical_date.replace(tzinfo=timezone.utc).isoformat()
    return f"manual__{stamp}__{secrets.token_hex(4)}"


class WaitWarning:
    """A line that a command waiting on a run says once: looked for every
    :data:`WORKER_CHECK_INTERVAL` seconds, said the first time there is one.

    :param svc: the command's services.
    :param run_id: the run waited for.
    """

    def __init__(self, svc: Services, run_id: str):
        self.svc = svc
        self.run_id = run_id
        self.next_check = time.monotonic() + WORKER_CHECK_INTERVAL
        self.said = False

    def warning(self) -> str | None:
        """The line, the first time :meth:`look` finds one (at most once per interval); else None."""
        if self.said or time.monotonic() < self.next_check:
            return None
        line = self.look()
        self.next_check = time.monotonic() + WORKER_CHECK_INTERVAL
        self.said = line is not None
        return line

    def look(self) -> str | None:
        """The line to say now, or None."""
        raise NotImplementedError


class WorkerWatch(WaitWarning):
    """Tells a user waiting on a broker that no worker is there to run anything: nothing of the
    run is running and no worker answers a ping."""

    def look(self) -> str | None:
        """One line naming the broker and what to do, when nothing works on the run; else None."""
        if read_models.run_state_counts(self.svc.store, self.run_id).get("running") or self._a_worker_answers():
            return None
        settings = self.svc.settings
        prefix = f" (key prefix {settings.broker_key_prefix!r})" if settings.broker_key_prefix else ""
        from orchestrator.store import masked_url

        return (f"no worker answers on the broker at {masked_url(settings.broker_url)}{prefix}: start one with "
                f"`chordflow worker` (same CHORDFLOW_* settings and DAG files); still waiting for run {self.run_id}")

    def _a_worker_answers(self) -> bool:
        try:
            return self.svc.runtime.dispatcher.workers_alive()
        except Exception:  # the broker itself did not answer the ping: not the workers' absence, ask again later
            return True


class PastWatch(WaitWarning):
    """Tells a user waiting on a run that it waits for the DAG's previous run (``depends_on_past``),
    when nothing of it is queued or running any more."""

    def look(self) -> str | None:
        """One line naming the reason and what to look at, when the run waits only for its past; else None."""
        reason = read_models.waiting_on_past(self.svc.store, self.run_id)
        if reason is None:
            return None
        return (f"run {self.run_id} waits for the DAG's previous run: {reason} "
                f"(`chordflow tasks list {self.run_id}`; `chordflow tasks clear` what failed there)")


class Interrupts:
    """``with Interrupts() as interrupts:`` notes SIGINT (Ctrl-C) and SIGTERM rather than raising
    them wherever they land (inside a store transaction, say): a command that drives a run acts on
    them at its next look at the store. A second signal ends the process at once. A signal ignored
    when the command began (``nohup``) stays so."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._noted = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) in (signal.default_int_handler, signal.SIG_DFL):
                self._previous[signum] = signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, _frame) -> None:
        if self.signum is not None:  # asked twice: do not wait for the clean end
            os._exit(128 + signum)
        self.signum = signum
        self._noted.set()

    def sleep(self, seconds: float) -> None:
        """Sleep, or less when a signal comes."""
        self._noted.wait(seconds)

    def __exit__(self, *exc) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def wait_for_run(svc: Services, run_id: str, show_progress: bool, interrupts: Interrupts,
                 readvance: Callable[[], object] | None = None) -> str | None:
    """Poll the store (never a Celery result) until the run ends; returns its state (``None``:
    interrupted first). On a broker, says once on stderr when nothing runs and no worker answers
    (:class:`WorkerWatch`). With ``readvance``, calls it every :data:`READVANCE_EMBEDDED` seconds."""
    # On Redis the step that ends the run announces it: the wait returns then, not at its next look.
    listener = None if svc.settings.embedded else svc.runtime.dispatcher.listen_for_run_ends()
    try:
        return _wait(svc, run_id, show_progress, interrupts, readvance,
                     listener.wait if listener is not None else interrupts.sleep)
    finally:
        if listener is not None:
            listener.close()


def _wait(svc: Services, run_id: str, show_progress: bool, interrupts: Interrupts,
          readvance: Callable[[], object] | None, pause: Callable[[float], object]) -> str | None:
    """:func:`wait_for_run`'s loop; ``pause(seconds)`` between two looks at the run."""
    store = svc.store
    next_readvance = time.monotonic() + READVANCE_EMBEDDED
    past = PastWatch(svc, run_id)
    interval = POLL_EMBEDDED if svc.settings.embedded else POLL_BROKER
    watch = None if svc.settings.embedded else WorkerWatch(svc, run_id)
    last_line = ""
    next_admission = time.monotonic() + ADMIT_EVERY_EMBEDDED
    queued_said = False
    next_progress, progress_every = time.monotonic(), PROGRESS_FIRST
    while True:
        record = store.get_run(run_id)
        state = record.state
        if state == DagRunState.QUEUED.value:
            # Waiting for a slot under the DAG's max_active_runs: this process starts the run when one is free
            # (on the embedded default only its own run, whose work can only run here).
            dag = svc.runtime.dagbag.get_dag(record.fileloc, record.dag_id)
            started = svc.runtime.start_queued(dag, only=run_id if svc.settings.embedded else None)
            if run_id not in started and not queued_said:
                _say(f"run {run_id} is queued: {svc.runtime.max_active_runs(dag)} run(s) of {record.dag_id} are "
                     "running (max_active_runs); it starts when one ends")
                queued_said = True
        if state in _FINISHED_RUN or interrupts.signum is not None:
            if last_line:
                _say("")
            return state if state in _FINISHED_RUN else None
        if readvance is not None and time.monotonic() >= next_readvance:
            readvance()
            next_readvance = time.monotonic() + READVANCE_EMBEDDED
        if svc.settings.embedded and time.monotonic() >= next_admission:
            svc.runtime.admit()
            next_admission = time.monotonic() + ADMIT_EVERY_EMBEDDED
        warning = (watch and watch.warning()) or past.warning()
        if warning:
            _say(("\n" if last_line else "") + warning)
            last_line = ""
        if show_progress and time.monotonic() >= next_progress:
            counts = read_models.run_state_counts(svc.store, run_id)
            line = "  ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
            if line != last_line:
                _say(f"\r{run_id}  {line}\033[K", nl=False)
                last_line = line
            next_progress = time.monotonic() + progress_every
            progress_every = min(progress_every * 1.5, PROGRESS_MAX)
        pause(interval)
        interval = min(interval * 1.5, POLL_BROKER)


def check_broker(svc: Services, timeout: float = 10.0) -> None:
    """Refuse to start a run that could not be dispatched: the broker must answer first. Raises
    :class:`~orchestrator.errors.ChordflowError` naming the broker (its password masked)."""
    from orchestrator.store import masked_url

    try:
        with svc.app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        raise ChordflowError(
            f"cannot reach the broker at {masked_url(svc.settings.broker_url)}: {exc}"
        ) from None


def drive(svc: Services, run_id: str, wait: bool, show_progress: bool = False,
          first_step: Callable[[], AdvanceResult] | None = None) -> tuple[str, bool]:
    """Do the run's advance step (``first_step()`` when given: the step that creates the run); on
    the embedded default, run its work in this process and wait (with a broker, wait only when
    asked), with a line of state counts on stderr when ``show_progress``. Returns the run's state
    and whether it was waited for. SIGINT or SIGTERM meanwhile: see :func:`stop_driving` (the
    process exits)."""
    worker = None
    if svc.settings.embedded:
        from executor.embedded import EmbeddedWorker

        worker = EmbeddedWorker(svc.app).start()
        wait = True
    try:
        with Interrupts() as interrupts:
            state = (first_step or (lambda: svc.runtime.advance(run_id)))().state
            if wait and state not in _FINISHED_RUN and interrupts.signum is None:
                readvance = (lambda: svc.runtime.advance(run_id)) if worker and _depends_on_past(svc, run_id) else None
                state = wait_for_run(svc, run_id, show_progress, interrupts, readvance)
            if interrupts.signum is not None and (state not in _FINISHED_RUN or not wait):
                stop_driving(svc, run_id, interrupts.signum)
    finally:
        if worker is not None:
            worker.stop()
    return state, wait


def _depends_on_past(svc: Services, run_id: str) -> bool:
    """Whether the run's DAG has a task with ``depends_on_past``."""
    from orchestrator.advance import depends_on_past

    run = svc.store.get_run(run_id)
    return depends_on_past(svc.runtime.dagbag.get_dag(run.fileloc, run.dag_id))


def stop_driving(svc: Services, run_id: str, signum: int) -> NoReturn:
    """The command that drives a run was interrupted: one line, exit 128 + the signal's number.

    With a broker the run goes on in the workers; only the waiting stops. On the embedded default
    the run's work was in this process: it ends now as a cancelled run does (unfinished instances
    ``failed`` saying so, the run ``failed`` with a note), this process's tries are stopped, and
    ``tasks clear`` runs it again later."""
    name = signal.Signals(signum).name
    code = 128 + signum
    if not svc.settings.embedded:
        _say(f"{name}: stopped waiting; run {run_id} goes on in the workers "
             f"(`chordflow runs cancel {run_id}` ends it)")
        sys.exit(code)
    how = f"interrupted by {name}"
    try:
        counts = svc.store.cancel_run(run_id, f"{how}: the `chordflow` command that ran it in its process was stopped",
                                      f"the run was {how} (its `chordflow` process was stopped)")
    except RunStateError:  # it ended just before
        _say(f"{name}: run {run_id} had ended {svc.store.get_run(run_id).state}")
        sys.exit(code)
    svc.heartbeat.beat()  # stops this process's tries of the run now
    _say(f"run {run_id} {how}: {counts['waiting'] + counts['running']} unfinished task instance(s) failed; "
         f"`chordflow tasks clear {run_id} --task-id TASK --downstream` runs them again")
    if not svc.heartbeat.wait_released(STOP_GRACE):
        # A try stuck in one long C call does not see the stop on its thread: exit without it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def clear_instances(svc: Services, plan: dict[str, Any]) -> int:
    """Make the instances of a :func:`~orchestrator.read_models.clear_plan` run again (the run goes
    back to ``running``); returns how many were cleared. Drive the run afterwards to run them."""
    selections = [(s["task_id"], s["map_indices"], s["only_failed"], s["retries"]) for s in plan["selections"]]
    resets = [(r["task_id"], r["retries"]) for r in plan["resets"]]
    return svc.store.clear(plan["run_id"], selections, resets)
