"""Heartbeats: a thread in each worker process marks the instances it holds as alive, and stops the
tries of those that are no longer running here (their run was cancelled or interrupted, or the
scheduler took them back), as Airflow's task job does when a state was set from outside."""
from __future__ import annotations

import logging
import threading

from orchestrator.store import Store
from workers.timeout import Interruptible, TaskTerminated

log = logging.getLogger("chordflow.worker")

#: One held try: ``(run_id, task_id, map_index, try_number)``.
Held = tuple[str, str, int, int]


class Heartbeat:
    """Refreshes ``heartbeat_at`` of the instances this process holds, every ``interval`` seconds;
    an instance found no longer ``running`` at its try is *lost*: its try is stopped if it runs
    (:meth:`stoppable`), and it is not started if it waits in its batch (:meth:`is_lost`).

    :param store: where the heartbeats are written.
    :param interval: seconds between two beats.
    """

    def __init__(self, store: Store, interval: float):
        self.store = store
        self.interval = interval
        self._held: set[Held] = set()
        self._lost: set[Held] = set()
        #: The bodies of the held tries running now (each registers itself: atomic under the GIL).
        self._running: dict[Held, Interruptible] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def hold(self, instances) -> None:
        """Start beating for these ``(run_id, task_id, map_index, try_number)``."""
        with self._changed:
            self._held.update(instances)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._beat, name="chordflow-heartbeat", daemon=True)
                self._thread.start()

    def release_all(self, instances) -> None:
        """Stop beating for these: they ended, or this process gave them up."""
        with self._changed:
            self._held.difference_update(instances)
            if self._lost:
                self._lost.difference_update(instances)
            self._changed.notify_all()

    def stoppable(self, instance: Held, seconds: float | None, task_id: str) -> Interruptible:
        """``with heartbeat.stoppable(instance, execution_timeout, task_id):`` runs the try's body as
        :class:`Interruptible` does; losing the instance meanwhile interrupts it with :class:`TaskTerminated`."""
        return Interruptible(seconds, task_id, self._running, instance)

    def is_lost(self, instance: Held) -> bool:
        """Whether a beat found this held instance no longer running at its try here."""
        return instance in self._lost

    def wait_released(self, timeout: float) -> bool:
        """Wait until this process holds no instance (its batches ended); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._held, timeout)

    def beat(self) -> set[Held]:
        """One beat now: refresh the held instances; stop the tries of those lost. Returns the lost ones."""
        with self._changed:
            held = list(self._held)
        if not held:
            return set()
        gone = set(held) - self.store.heartbeat(held)
        if not gone:
            return set()
        now = self.store.instance_states([(r, t, m) for r, t, m, _n in gone])
        with self._changed:
            gone &= self._held  # (released meanwhile: ended here)
            self._lost |= gone
            # (a body that registers after this is stopped by the next beat)
            for instance in gone:
                body = self._running.get(instance)
                if body is not None:
                    body.interrupt(TaskTerminated(_why_lost(now.get(instance[:3]))))
        return gone

    def stop(self) -> None:
        self._stop.set()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except Exception as exc:  # a missed beat is retried at the next one
                log.warning("heartbeat not written: %s", exc)


def _why_lost(now: tuple[str, str | None] | None) -> str:
    """Why a try is stopped, from its instance's row now: ``(state, error)``, ``None`` if gone."""
    if now is None:
        return "the instance no longer exists"
    state, error = now
    return f"the instance was set to {state} from outside" + (f" ({error})" if error else "")
