"""The reconciler that ``chordflow scheduler`` runs: no run waits forever.

Each pass sends again the instances whose worker stopped heartbeating, the queued ones whose
message was lost (their queue on the broker is empty) and the rescheduled sensors whose next poke
is long overdue (likewise), fails the queued instances of running runs
when no worker has answered for ``orphan_timeout`` seconds, admits ``scheduled`` instances to free
slots (``scheduled`` ones are waiting, not lost), and re-runs the advance step of every
running run (a lost chord callback leaves decisions pending; the step is idempotent). Several
reconcilers may run at once: each change is a compare-and-set.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from orchestrator.errors import ChordflowError

if TYPE_CHECKING:
    from executor.runtime import Runtime

log = logging.getLogger("chordflow.executor")

#: The share of the time the repairs may take when they are slow: a repair that took ``t`` seconds
#: (over :data:`SLOW_REPAIR`; 0.7 s at a million running instances) comes again ``t / REPAIR_DUTY``
#: seconds later at the soonest, capped at half of ``zombie_after`` / ``requeue_after``. Each repair
#: scans the running runs' instances (no index on ``state``, so that claims and ends stay HOT
#: updates), and one every pass made a long map's cost per instance grow with its length.
REPAIR_DUTY = 0.05
#: Seconds a repair may take before the next one is put off (below it, every pass repairs).
SLOW_REPAIR = 0.25


class Reconciler:
    """Repairs what lost workers, lost messages and lost callbacks leave behind.

    :param runtime: the process's store, DAG bag, dispatcher and settings (``zombie_after``,
        ``requeue_after``, ``orphan_timeout``).
    :param clock: seconds, monotonic (tests pass their own).
    """

    def __init__(self, runtime: Runtime, clock: Callable[[], float] = time.monotonic):
        self.runtime = runtime
        self.clock = clock
        self._no_worker_since: float | None = None
        self._next_repair = 0.0

    def reconcile(self) -> dict[str, int]:
        """One pass. Returns ``{"requeued": instances sent again, "orphaned": queued instances
        failed for want of a worker, "runs": running runs advanced}``; raises what the store or the
        broker raises when unreachable. After a slow repair (see :data:`REPAIR_DUTY`) the passes
        until the next one only admit to free slots and look for workers."""
        started = self.clock()
        repair = started >= self._next_repair  # (put off after a slow one)
        requeued = self._send_lost_work() if repair else 0
        failed = self._fail_orphans()
        self.runtime.admit()  # (a safety net: workers and advance steps admit as slots free up)
        advanced = self._advance_running() if repair else 0
        if repair:
            self._pace_repairs(started, self.clock() - started)
        return {"requeued": requeued, "orphaned": failed, "runs": advanced}

    def _send_lost_work(self) -> int:
        """Send again the instances whose worker stopped heartbeating, the queued ones whose
        message was lost and the overdue rescheduled sensors; returns how many."""
        store, settings = self.runtime.store, self.runtime.settings
        requeued = store.requeue_zombies(settings.zombie_after)
        for (run_id, task_id), indices in requeued.items():
            log.warning("run %s: %d instance(s) of %s lost their worker; sent again", run_id, len(indices), task_id)
            self._send_again(run_id, task_id, indices)
        resent = sum(len(indices) for indices in requeued.values())
        empty: dict[str | None, bool | None] = {}
        for run_id, task_id in store.stale_queued_tasks(settings.requeue_after):
            if not self._queue_is_empty(run_id, task_id, empty):
                continue  # messages still wait: the instances are behind them, not lost
            won = store.touch_queued(run_id, task_id, settings.requeue_after)
            if won:
                log.warning("run %s: %d queued instance(s) of %s had no message; sent again", run_id, len(won), task_id)
                self._send_again(run_id, task_id, won)
                resent += len(won)
        return resent + self._send_lost_pokes(empty)

    def _advance_running(self) -> int:
        """Re-run the advance step of every running run; returns how many were advanced."""
        advanced = 0
        for run_id in self.runtime.store.running_run_ids():
            try:
                self.runtime.advance(run_id, end_if_unloadable=False)
                advanced += 1
            except ChordflowError as exc:
                log.error("run %s: %s", run_id, exc)
        return advanced

    def _pace_repairs(self, started: float, took: float) -> None:
        """Put the next repair off when this one (begun at ``started``) took over :data:`SLOW_REPAIR`."""
        if took <= SLOW_REPAIR:
            return
        settings = self.runtime.settings
        wait = min(took / REPAIR_DUTY, min(settings.zombie_after, settings.requeue_after) / 2)
        self._next_repair = started + wait
        log.info("the repair pass took %.1f s: the next one in %.0f s at the soonest", took, wait)

    def _send_lost_pokes(self, empty: dict[str | None, bool | None]) -> int:
        """Send again the rescheduled sensors whose next poke is ``requeue_after`` seconds overdue
        while their queue is empty (the message was lost); returns how many. A duplicate does no
        harm: the claim of a sensor's next poke is a compare-and-set, only once it is due."""
        runtime = self.runtime
        sent = 0
        for run_id, task_id in runtime.store.stale_rescheduled_tasks(runtime.settings.requeue_after):
            if not self._queue_is_empty(run_id, task_id, empty):
                continue
            indices = runtime.store.stale_rescheduled(run_id, task_id, runtime.settings.requeue_after)
            if not indices:
                continue
            log.warning("run %s: %d rescheduled sensor(s) of %s had no message; sent again", run_id, len(indices),
                        task_id)
            self._send_again(run_id, task_id, indices)
            sent += len(indices)
        return sent

    def _fail_orphans(self) -> int:
        """When no worker has answered for ``orphan_timeout`` seconds, queued instances of
        running runs fail, saying why, rather than leave their runs ``running`` forever."""
        settings = self.runtime.settings
        if self.runtime.dispatcher.workers_alive() is not False:
            self._no_worker_since = None
            return 0
        now = time.monotonic()
        if self._no_worker_since is None:
            self._no_worker_since = now
        if now - self._no_worker_since < settings.orphan_timeout:
            return 0
        waited = int(now - self._no_worker_since)
        return self.runtime.store.fail_queued(
            f"no worker answered for {waited} s (CHORDFLOW_ORPHAN_TIMEOUT={settings.orphan_timeout:g}): "
            "start `chordflow worker` on a host that reaches the broker, then `chordflow tasks clear`"
        )

    def _queue_is_empty(self, run_id: str, task_id: str, empty: dict[str | None, bool | None]) -> bool:
        """Whether the queue of ``task_id`` is known to be empty (asked once per queue and pass,
        kept in ``empty``); ``None`` from the broker (cannot tell) counts as empty, as before."""
        queue = self._task(run_id, task_id).queue
        if queue not in empty:
            empty[queue] = self.runtime.dispatcher.queue_is_empty(queue)
        return empty[queue] is not False

    def _task(self, run_id: str, task_id: str):
        run = self.runtime.store.get_run(run_id)
        return self.runtime.dagbag.get_dag(run.fileloc, run.dag_id).task_dict[task_id]

    def _send_again(self, run_id: str, task_id: str, indices: list[int]) -> None:
        self.runtime.dispatcher.dispatch(run_id, self._task(run_id, task_id), indices)
