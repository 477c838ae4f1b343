"""The Celery task bodies. A header task never raises a task failure into Celery: it records the
outcome in the store and returns a small status, so the chord always completes."""
from __future__ import annotations

import logging

from celery import Celery

from executor.dispatch import ADVANCE, RUN_INSTANCES
from orchestrator.errors import RunNotFound
from orchestrator.xcom_backend import XComBackend
from workers.heartbeat import Heartbeat
from workers.instance_runner import InstanceRunner, RunCache
from workers.log_shipper import LogShipper

log = logging.getLogger("chordflow.worker")


def register_tasks(app: Celery) -> Heartbeat:
    """Add Chordflow's two task bodies to ``app`` (whose ``chordflow`` attribute is its Runtime).
    Returns the heartbeat of the instances they hold in this process (it stops their tries when
    their runs are cancelled)."""
    runtime = app.chordflow
    heartbeat = Heartbeat(runtime.store, runtime.settings.heartbeat_interval)
    log_shipper = LogShipper(runtime.store)
    runs = RunCache(runtime.store)
    settings = runtime.settings
    xcoms = XComBackend(settings.xcom_objects_url, settings.xcom_inline_limit)

    @app.task(name=RUN_INSTANCES, bind=True, max_retries=None, acks_late=True)
    def run_instances(self, run_id: str, task_id: str, map_indices: list[int]) -> str:
        """Run these map indices of ``task_id``; indices with tries left, and sensors in reschedule
        mode not done yet, are sent again by Celery's own ``retry`` (same task id, with a
        countdown: no worker process waits meanwhile), which keeps the chord open until their
        last try ends. The indices that ended are not sent again."""
        runner = InstanceRunner(runtime.store, runtime.dagbag, settings.max_map_length, xcoms, heartbeat,
                                settings.zombie_after, runs, log_shipper)
        outcome = runner.run_batch(run_id, task_id, map_indices, self.request.hostname or "unknown")
        if outcome.finished and outcome.waiting_on_it:
            wake_next_run(run_id, task_id, outcome.waiting_on_it)
        if outcome.frees_slots:  # their slots may go to waiting instances, of any run
            try:
                runtime.admit()
            except Exception:  # never into the chord: the scheduler's next pass admits them
                log.exception("admission after %s of run %s failed", task_id, run_id)
        if outcome.sent_again:
            raise self.retry(args=(run_id, task_id, outcome.sent_again), countdown=outcome.sent_again_after)
        return outcome.describe()

    def wake_next_run(run_id: str, task_id: str, waiting: list[str]) -> None:
        """Instances of ``task_id`` ended and ``waiting`` tasks of the DAG's next run may wait on
        them (``depends_on_past``), so its advance step is sent now rather than at the end of this
        chord -- index ``i`` of the next run goes on once index ``i`` here ended. Best effort: the
        chord's own advance step wakes the next run too."""
        if not runtime.dispatcher.wake_later_runs:
            return
        try:
            later = runtime.store.next_run_waiting(run_id, waiting)
        except Exception:  # (the chord's advance step wakes it anyway)
            log.warning("run %s: could not look for a later run waiting on %s", run_id, task_id, exc_info=True)
            return
        if later is not None:
            runtime.dispatcher.send_advance(later)

    @app.task(name=ADVANCE, ignore_result=True, acks_late=True)
    def advance(run_id: str) -> None:
        """The chord callback: decide and dispatch what runs next in the run."""
        try:
            runtime.advance(run_id)
        except RunNotFound:  # deleted (`runs delete`) after it was cancelled: nothing is left to decide
            log.info("run %s no longer exists: nothing to advance", run_id)

    return heartbeat
