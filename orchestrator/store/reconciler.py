"""The reconciler's queries: instances whose worker went silent, or whose message was lost."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update

from orchestrator.schema import dag_run, task_instance
from orchestrator.states import TRANSITIONS, DagRunState, TaskInstanceState
from orchestrator.store.database import unit_of_work, utcnow


def _in_running_runs():
    """Instances of running runs only: the reconciler's scans read those runs' rows through the
    primary key, never the whole history."""
    return task_instance.c.run_id.in_(select(dag_run.c.run_id).where(dag_run.c.state == DagRunState.RUNNING.value))


def _waiting_longer(state: TaskInstanceState, requeue_after: float) -> list:
    """Conditions: an instance in ``state`` whose ``queued_at`` (queued since, or next poke due)
    is more than ``requeue_after`` seconds ago."""
    threshold = utcnow() - timedelta(seconds=requeue_after)
    return [task_instance.c.state == state.value, task_instance.c.queued_at < threshold]


def _indices_by_task(rows) -> dict[tuple[str, str], list[int]]:
    """Rows of ``(run_id, task_id, map_index)`` as ``{(run_id, task_id): sorted indices}``."""
    found: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        found.setdefault((row.run_id, row.task_id), []).append(row.map_index)
    return {key: sorted(indices) for key, indices in found.items()}


class ReconcilerStore:
    """The store's repairs for the reconciler (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def requeue_zombies(self, zombie_after: float) -> dict[tuple[str, str], list[int]]:
        """Put ``running`` instances without a recent heartbeat back to ``queued`` (transition
        ``requeue_zombie``; their try did not end: it is not counted against their retries).
        Returns ``{(run_id, task_id): indices}``."""
        now = utcnow()
        transition = TRANSITIONS["requeue_zombie"]
        with self.begin() as conn:
            rows = conn.execute(
                update(task_instance)
                .where(_in_running_runs(), task_instance.c.state.in_(transition.source_values),
                       task_instance.c.heartbeat_at < now - timedelta(seconds=zombie_after))
                .values(state=transition.target.value, queued_at=now, try_number=task_instance.c.try_number - 1)
                .returning(task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index)
            ).all()
        return _indices_by_task(rows)

    @unit_of_work
    def stale_queued_tasks(self, requeue_after: float) -> list[tuple[str, str]]:
        """The ``(run_id, task_id)`` of running runs with ``queued`` instances waiting longer than
        ``requeue_after`` seconds (their message may be lost). Only the pairs: while their queue
        still holds messages nothing is lost, and a map of a million waiting instances must not
        come to the scheduler row by row (236 MB of its memory did at 1M on a slow machine)."""
        return self._waiting_tasks(TaskInstanceState.QUEUED, requeue_after)

    @unit_of_work
    def stale_rescheduled_tasks(self, requeue_after: float) -> list[tuple[str, str]]:
        """The ``(run_id, task_id)`` of running runs with ``up_for_reschedule`` sensors whose next
        poke is more than ``requeue_after`` seconds overdue (its message may be lost)."""
        return self._waiting_tasks(TaskInstanceState.UP_FOR_RESCHEDULE, requeue_after)

    @unit_of_work
    def stale_rescheduled(self, run_id: str, task_id: str, requeue_after: float) -> list[int]:
        """The map indices of ``task_id``'s ``up_for_reschedule`` sensors whose next poke is more
        than ``requeue_after`` seconds overdue. Nothing is changed: sent again, the first message
        on time pokes and the others find it not due."""
        with self.begin() as conn:
            rows = conn.execute(select(task_instance.c.map_index).where(
                task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                *_waiting_longer(TaskInstanceState.UP_FOR_RESCHEDULE, requeue_after),
            )).all()
        return sorted(row.map_index for row in rows)

    def _waiting_tasks(self, state: TaskInstanceState, requeue_after: float) -> list[tuple[str, str]]:
        """``(run_id, task_id)`` of running runs with instances in ``state`` whose ``queued_at``
        (queued since, or next poke due) is more than ``requeue_after`` seconds ago."""
        with self.begin() as conn:
            rows = conn.execute(
                select(task_instance.c.run_id, task_instance.c.task_id).where(
                    _in_running_runs(), *_waiting_longer(state, requeue_after),
                ).distinct()
            ).all()
        return sorted((row.run_id, row.task_id) for row in rows)

    @unit_of_work
    def touch_queued(self, run_id: str, task_id: str, requeue_after: float,
                     map_indices: Sequence[int] | None = None) -> list[int]:
        """Restart the wait of ``task_id``'s ``queued`` instances still waiting longer than
        ``requeue_after`` seconds (of ``map_indices`` only, when given); returns the map indices
        this caller won (two schedulers never send the same instance again both)."""
        conditions = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                      *_waiting_longer(TaskInstanceState.QUEUED, requeue_after)]
        if map_indices is not None:
            conditions.append(task_instance.c.map_index.in_(list(map_indices)))
        with self.begin() as conn:
            rows = conn.execute(
                update(task_instance).where(*conditions).values(queued_at=utcnow()).returning(task_instance.c.map_index)
            ).all()
        return sorted(row.map_index for row in rows)

    @unit_of_work
    def fail_queued(self, error: str) -> int:
        """End every ``queued`` instance of every running run as ``failed`` with ``error``
        (transition ``fail_orphaned``); returns how many."""
        transition = TRANSITIONS["fail_orphaned"]
        with self.begin() as conn:
            return conn.execute(
                update(task_instance)
                .where(_in_running_runs(), task_instance.c.state.in_(transition.source_values))
                .values(state=transition.target.value, end_date=utcnow(), error=error)
            ).rowcount
