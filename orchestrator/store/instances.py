"""Task instances: reads, and the worker's compare-and-sets (claim, heartbeat, end of tries)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, tuple_, update

from orchestrator.schema import dag_run, task_instance, task_instance_history, task_log, task_map
from orchestrator.states import DagRunState, TaskInstanceState, try_end
from orchestrator.store.clearing import HISTORY_COLUMNS
from orchestrator.store.database import unit_of_work, utcnow
from orchestrator.store.records import ClaimedBatch, ClaimedInstance, RunRecord, TryEnd


class TaskInstanceStore:
    """The store's task instances (a part of :class:`~orchestrator.store.Store`)."""

    # -- reads --------------------------------------------------------------------------------
    @unit_of_work
    def state_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """See :meth:`RunReads.state_counts`."""
        with self.reads() as reads:
            return reads.state_counts(run_id)

    @unit_of_work
    def map_lengths(self, run_id: str) -> dict[str, int]:
        """See :meth:`RunReads.map_lengths`."""
        with self.reads() as reads:
            return reads.map_lengths(run_id)

    @unit_of_work
    def typical_duration(self, run_id: str, task_id: str, sample: int = 500) -> float | None:
        """Mean seconds a successful instance of ``task_id`` took in the latest ended run of the
        same DAG (``None``: no such run or instance) -- what automatic batching sizes batches by."""
        with self.begin() as conn:
            dag_id = select(dag_run.c.dag_id).where(dag_run.c.run_id == run_id).scalar_subquery()
            previous = conn.execute(
                select(dag_run.c.run_id)
                .where(dag_run.c.dag_id == dag_id, dag_run.c.run_id != run_id,
                       dag_run.c.state.in_([DagRunState.SUCCESS.value, DagRunState.FAILED.value]))
                .order_by(dag_run.c.created_at.desc())
                .limit(1)
            ).scalar()
            if previous is None:
                return None
            rows = conn.execute(
                select(task_instance.c.start_date, task_instance.c.end_date)
                .where(task_instance.c.run_id == previous, task_instance.c.task_id == task_id,
                       task_instance.c.state == TaskInstanceState.SUCCESS.value)
                .limit(sample)
            ).all()
        durations = [(end - start).total_seconds() for start, end in rows if start and end]
        return sum(durations) / len(durations) if durations else None

    @unit_of_work
    def list_instances(self, run_id: str, task_id: str | None = None, limit: int | None = None,
                       offset: int = 0) -> list[dict[str, Any]]:
        """See :meth:`RunReads.list_instances`."""
        with self.reads() as reads:
            return reads.list_instances(run_id, task_id, limit, offset)

    @unit_of_work
    def list_tries(self, run_id: str, task_id: str, map_index: int) -> list[dict[str, Any]]:
        """Every try of one instance, oldest first: those kept in ``task_instance_history`` (the
        tries a ``tasks clear`` sent back, and those that ended ``up_for_retry`` in a worker), and
        the current one (when it has started); a try known only by its number -- retried by the
        scheduler after its worker was lost -- shows as ``up_for_retry`` with no times. Each
        ``{"try_number", "state", "start_date", "end_date", "hostname", "error",
        "rendered_map_index", "rendered_fields"}`` (``rendered_fields``: the
        try's rendered template fields as JSON text, ``None`` when not recorded)."""
        names = HISTORY_COLUMNS[3:]
        which = [task_instance_history.c.run_id == run_id, task_instance_history.c.task_id == task_id,
                 task_instance_history.c.map_index == map_index]
        with self.begin() as conn:
            archived = conn.execute(select(*(task_instance_history.c[n] for n in names)).where(*which)
                                    .order_by(task_instance_history.c.try_number)).all()
            current = conn.execute(select(*(task_instance.c[n] for n in names)).where(
                task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                task_instance.c.map_index == map_index, task_instance.c.try_number > 0)).all()
            logged = dict(conn.execute(select(task_log.c.try_number, task_log.c.hostname).where(
                task_log.c.run_id == run_id, task_log.c.task_id == task_id, task_log.c.map_index == map_index)).all())
        known = {row.try_number: dict(row._mapping) for row in archived}
        for row in current:
            known.setdefault(row.try_number, dict(row._mapping))
        retried = {"state": TaskInstanceState.UP_FOR_RETRY.value, "start_date": None, "end_date": None, "error": None,
                   "rendered_map_index": None, "rendered_fields": None}
        return [known.get(n) or {**retried, "try_number": n, "hostname": logged.get(n)}
                for n in range(1, max(known, default=0) + 1)]

    @unit_of_work
    def get_instance(self, run_id: str, task_id: str, map_index: int) -> dict[str, Any] | None:
        """One instance's row as a dict (``None``: no such instance)."""
        query = select(task_instance).where(task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                                            task_instance.c.map_index == map_index)
        with self.begin() as conn:
            row = conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    @unit_of_work
    def count_instances(self, run_id: str, task_id: str | None = None) -> int:
        """See :meth:`RunReads.count_instances`."""
        with self.reads() as reads:
            return reads.count_instances(run_id, task_id)

    @unit_of_work
    def undecided_reason(self, run_id: str) -> str | None:
        """The reason an undecided instance of the run (state ``none``) was given for waiting
        (e.g. for its past, ``depends_on_past``), when one of them has one; else ``None``."""
        with self.begin() as conn:
            return conn.execute(select(task_instance.c.error).where(
                task_instance.c.run_id == run_id, task_instance.c.state == TaskInstanceState.NONE.value,
                task_instance.c.error.is_not(None)).limit(1)).scalar()

    @unit_of_work
    def grid_counts(self, records: Sequence[RunRecord]
                    ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
        """``({run_id: {task_id: {state: count}}}, {run_id: {task_id: map length}})`` of these runs
        in two queries: an ended run's counts as kept when it ended, the others' counted."""
        if not records:
            return {}, {}
        run_ids = [record.run_id for record in records]
        counts = {record.run_id: record.final_counts for record in records if record.final_counts is not None}
        counted = [run_id for run_id in run_ids if run_id not in counts]
        lengths: dict[str, dict[str, int]] = {}
        with self.begin() as conn:
            if counted:
                for run_id, task_id, state, count in conn.execute(
                        select(task_instance.c.run_id, task_instance.c.task_id, task_instance.c.state, func.count())
                        .where(task_instance.c.run_id.in_(counted))
                        .group_by(task_instance.c.run_id, task_instance.c.task_id, task_instance.c.state)):
                    counts.setdefault(run_id, {}).setdefault(task_id, {})[state] = count
            for run_id, task_id, length in conn.execute(
                    select(task_map.c.run_id, task_map.c.task_id, task_map.c.length)
                    .where(task_map.c.run_id.in_(run_ids))):
                lengths.setdefault(run_id, {})[task_id] = length
        return counts, lengths

    @unit_of_work
    def instance_exists(self, run_id: str, task_id: str, map_index: int | None = None) -> bool:
        """See :meth:`RunReads.instance_exists`."""
        with self.reads() as reads:
            return reads.instance_exists(run_id, task_id, map_index)

    @unit_of_work
    def instance_states(self, instances: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str, int], tuple]:
        """``{(run_id, task_id, map_index): (state, error)}`` of these instances (absent: no such row)."""
        keys = list(instances)
        if not keys:
            return {}
        columns = (task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index)
        query = select(*columns, task_instance.c.state, task_instance.c.error).where(tuple_(*columns).in_(keys))
        with self.begin() as conn:
            return {(r.run_id, r.task_id, r.map_index): (r.state, r.error) for r in conn.execute(query)}

    # -- the worker's compare-and-sets ---------------------------------------------------------
    @unit_of_work
    def claim_batch(
        self, run_id: str, task_id: str, map_indices: Sequence[int], hostname: str, zombie_after: float | None = None
    ) -> ClaimedBatch:
        """Move claimable instances to ``running`` and count a new try (transition ``claim``);
        others are left alone. Returns those claimed and, read in the same statement, the task's
        map lengths.

        With ``zombie_after``, a ``running`` instance whose heartbeat is older than that many
        seconds is claimable too (transition ``take_over``): its worker died and the message came
        back to another one. That try resumes under its own number: a lost worker is not counted
        against the retries. Raises :class:`ChordflowError` when the database stays unreachable.
        """
        now = utcnow()
        zombie_before = None if zombie_after is None else now - timedelta(seconds=zombie_after)
        rows, raw = self.dialect.claim(self, run_id, task_id, map_indices, now, hostname, zombie_before)
        instances = sorted((ClaimedInstance(r.map_index, r.try_number, r.max_tries,
                                            r.start_date if r.start_date not in (None, now) else None,
                                            bool(r.holds_slot))
                            for r in rows), key=lambda c: c.map_index)
        return ClaimedBatch(instances, None if raw is None else json.loads(raw))

    @unit_of_work
    def heartbeat(self, instances: Iterable[tuple[str, str, int, int]]) -> set[tuple[str, str, int, int]]:
        """Mark these ``(run_id, task_id, map_index, try_number)`` as alive where they are still
        ``running`` at that try; returns those (the others ended, or were ended from outside)."""
        keys = list(instances)
        if not keys:
            return set()
        columns = (task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index,
                   task_instance.c.try_number)
        statement = (
            update(task_instance)
            .where(tuple_(*columns).in_(keys), task_instance.c.state == TaskInstanceState.RUNNING.value)
            .values(heartbeat_at=utcnow())
            .returning(*columns)
        )
        with self.begin() as conn:
            return {tuple(row) for row in conn.execute(statement)}

    @unit_of_work
    def finish_many(self, run_id: str, task_id: str, endings: Sequence[TryEnd]) -> list[bool]:
        """End several tries in one transaction: each a compare-and-set from ``running`` at its
        ``try_number`` to its state (transitions :data:`~orchestrator.states.TRY_ENDS`); the XComs
        (JSON texts) and logs of those that were still current are upserted in bulk. Returns, per
        ending, whether it was recorded. Raises ``ValueError`` for a state a try cannot end in."""
        for ending in endings:
            try_end(ending.state)
        return self.dialect.finish(self, run_id, task_id, endings, utcnow())
