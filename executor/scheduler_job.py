"""What ``chordflow scheduler`` runs: every ``interval`` seconds, the DAG pass (create the runs that
schedules ask for, :mod:`orchestrator.dag_scheduler`), then the reconciler's pass (repair what lost
workers, messages and callbacks left, :mod:`executor.reconciler`)."""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

from executor.reconciler import Reconciler
from orchestrator.dag_scheduler import DagScheduler

#: Tests only: a file the scheduler writes inside the transaction creating a run, then stalls there.
STALL_VARIABLE = "CHORDFLOW_TEST_SCHEDULER_STALL"


def stall_for_tests(environ: Mapping[str, str]) -> Callable[[str], None] | None:
    """With ``CHORDFLOW_TEST_SCHEDULER_STALL=<file>`` in ``environ``: a hook that, inside the
    transaction creating a run, writes the run's id to that file and stalls (a test kills the
    scheduler there); ``None`` otherwise."""
    marker = environ.get(STALL_VARIABLE)
    if not marker:
        return None

    def stall(run_id: str) -> None:
        Path(marker).write_text(run_id)
        time.sleep(600)

    return stall


class SchedulerJob:
    """The scheduler's loop.

    :param dag_scheduler: the DAG pass.
    :param reconciler: the reconciler's pass (``None``: none, as on the embedded default, whose
        in-process worker is the only one and loses nothing another process could repair).
    """

    def __init__(self, dag_scheduler: DagScheduler, reconciler: Reconciler | None):
        self.dag_scheduler = dag_scheduler
        self.reconciler = reconciler
        self._errors_said: dict[str, str] = {}

    def run_pass(self, say: Callable[[str], None]) -> None:
        """One DAG pass, then one reconciler pass, telling ``say`` in one line each what they did.
        Raises what the store or the broker raises when unreachable."""
        report = self.dag_scheduler.schedule()
        for dag_id in report.new_dags:
            say(f"found DAG {dag_id}")
        for run_id in report.started:
            say(f"started queued run {run_id}")
        for run_id in report.created:
            say(f"created run {run_id}")
        for path, error in report.errors.items():
            if self._errors_said.get(path) != error:  # once per error, not once per pass
                say(f"import error in {path}: {error}")
        self._errors_said = dict(report.errors)
        if self.reconciler is None:
            return
        repaired = self.reconciler.reconcile()
        if repaired["requeued"]:
            say(f"sent {repaired['requeued']} instance(s) again (their worker or message was lost)")
        if repaired["orphaned"]:
            say(f"failed {repaired['orphaned']} queued instance(s): no worker is alive")

    def serve(self, interval: float, once: bool, say: Callable[[str], None]) -> None:
        """A pass every ``interval`` seconds (only one with ``once``). A pass that fails (store or
        broker down) is told and tried again next time; with ``once`` its error is raised."""
        while True:
            try:
                self.run_pass(say)
            except Exception as exc:  # the store or broker is down: say so, try again next pass
                if once:
                    raise
                say(f"scheduler pass failed, retrying in {interval:g} s: {type(exc).__name__}: {exc}")
            if once:
                return
            time.sleep(interval)
