"""Pools, and the admission of scheduled instances to free slots (see :mod:`orchestrator.admission`)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from orchestrator.admission import DEFAULT_POOL, UNLIMITED, Candidate, SlotLimits, choose_admitted
from orchestrator.errors import BadInput
from orchestrator.schema import dag_run, slot_pool, task_instance
from orchestrator.states import SLOT_HOLDING_STATES, TRANSITIONS, TaskInstanceState
from orchestrator.store.database import unit_of_work, utcnow

#: States of an instance that waits for or holds a slot: its ``admission`` stays set.
_ADMITTED_OR_WAITING = sorted({s.value for s in SLOT_HOLDING_STATES} | {TaskInstanceState.SCHEDULED.value})


def read_pool_sizes(conn: Connection) -> dict[str, int]:
    """``{pool: slots}`` of every pool (``-1``: unlimited), read on ``conn``; ``default_pool`` is
    always there (unlimited while it has no row)."""
    sizes = dict(conn.execute(select(slot_pool.c.pool, slot_pool.c.slots)).all())
    sizes.setdefault(DEFAULT_POOL, UNLIMITED)
    return sizes


class PoolStore:
    """The store's pools and admission (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def pool_sizes(self) -> dict[str, int]:
        """``{pool: slots}`` of every pool (see :func:`read_pool_sizes`)."""
        with self.begin() as conn:
            return read_pool_sizes(conn)

    @unit_of_work
    def ensure_default_pool(self, slots: int) -> None:
        """Create ``default_pool`` with ``slots`` when the store has none (as Airflow creates it with
        ``default_pool_task_slot_count``); an existing one keeps its size."""
        with self.begin() as conn:
            statement = self.dialect.insert(slot_pool).values(pool=DEFAULT_POOL, slots=slots,
                                                              description="Default pool")
            conn.execute(statement.on_conflict_do_nothing(index_elements=["pool"]))

    @unit_of_work
    def set_pool(self, name: str, slots: int, description: str | None = None) -> None:
        """Create pool ``name`` or change its size (and description, when given). Raises
        :class:`BadInput` for an empty name or slots below ``-1``."""
        if not name or not name.strip():
            raise BadInput("a pool needs a name")
        if slots < UNLIMITED:
            raise BadInput(f"pool {name!r}: slots must be -1 (unlimited) or more, got {slots}")
        values = {"pool": name, "slots": slots}
        if description is not None:
            values["description"] = description
        with self.begin() as conn:
            statement = self.dialect.insert(slot_pool).values(**values)
            conn.execute(statement.on_conflict_do_update(
                index_elements=["pool"], set_={k: getattr(statement.excluded, k) for k in values if k != "pool"}))

    @unit_of_work
    def delete_pool(self, name: str) -> None:
        """Delete pool ``name``. Raises :class:`BadInput` for ``default_pool`` (as Airflow) or a
        pool that does not exist. Instances scheduled in it wait until it is made again."""
        if name == DEFAULT_POOL:
            raise BadInput(f"{DEFAULT_POOL} cannot be deleted: change its size with "
                           f"`chordflow pools set {DEFAULT_POOL} SLOTS`")
        with self.begin() as conn:
            if not conn.execute(delete(slot_pool).where(slot_pool.c.pool == name)).rowcount:
                raise BadInput(f"no pool named {name!r} (see `chordflow pools list`)")

    @unit_of_work
    def list_pools(self) -> list[dict[str, Any]]:
        """Every pool, by name: ``{"pool", "slots", "description", "running", "queued",
        "scheduled", "open_slots"}`` -- the counts are of slot-limited instances (slots taken
        for running and queued; ``open_slots``: ``-1`` for an unlimited pool)."""
        with self.begin() as conn:
            rows = conn.execute(select(slot_pool).order_by(slot_pool.c.pool)).all()
            used = conn.execute(
                select(task_instance.c.pool, task_instance.c.state, func.sum(task_instance.c.pool_slots))
                .where(task_instance.c.admission.is_not(None))
                .group_by(task_instance.c.pool, task_instance.c.state)
            ).all()
        pools = {row.pool: {"pool": row.pool, "slots": row.slots, "description": row.description} for row in rows}
        pools.setdefault(DEFAULT_POOL, {"pool": DEFAULT_POOL, "slots": UNLIMITED, "description": "Default pool"})
        holding = {s.value for s in SLOT_HOLDING_STATES}
        for entry in pools.values():
            entry.update(running=0, queued=0, scheduled=0, taken=0)
        for pool, state, slots in used:
            entry = pools.get(pool)
            if entry is None:
                continue
            if state in (TaskInstanceState.RUNNING.value, TaskInstanceState.QUEUED.value,
                         TaskInstanceState.SCHEDULED.value):
                entry[state] += int(slots or 0)
            if state in holding:
                entry["taken"] += int(slots or 0)
        for entry in pools.values():
            taken = entry.pop("taken")
            entry["open_slots"] = UNLIMITED if entry["slots"] == UNLIMITED else max(entry["slots"] - taken, 0)
        return [pools[name] for name in sorted(pools)]

    @unit_of_work
    def admit_scheduled(self) -> dict[tuple[str, str], list[int]]:
        """Admit the ``scheduled`` instances that fit their limits now (transition ``admit``) and
        return them as ``{(run_id, task_id): map indices}``, to be dispatched after the commit.

        One transaction, serialised across processes and hosts (PostgreSQL: an advisory
        transaction lock; SQLite: the write lock every transaction takes), so two admissions never
        both give away the same slot. Instances that ended since are released (their
        ``admission`` cleared: the rows admission reads stay few)."""
        admit = TRANSITIONS["admit"]
        ti = task_instance
        with self.begin() as conn:
            self.dialect.lock_admission(conn)
            conn.execute(update(ti).where(ti.c.admission.is_not(None), ti.c.state.not_in(_ADMITTED_OR_WAITING))
                         .values(admission=None))
            # One aggregate row per (run, task, state): the instances of a task in a run share their limits.
            keys = (ti.c.run_id, ti.c.task_id, ti.c.state, ti.c.pool, ti.c.pool_slots, ti.c.priority_weight,
                    ti.c.admission, dag_run.c.logical_date)
            rows = conn.execute(select(*keys, func.count()).join(dag_run, dag_run.c.run_id == ti.c.run_id)
                                .where(ti.c.admission.is_not(None)).group_by(*keys)).all()
            if not any(row.state == TaskInstanceState.SCHEDULED.value for row in rows):
                return {}
            groups = [Candidate(r.run_id, r.task_id, r.state, r.logical_date,
                                SlotLimits.from_row(r.admission, r.pool, r.pool_slots, r.priority_weight), r[-1])
                      for r in rows]
            admitted: dict[tuple[str, str], list[int]] = {}
            now = utcnow()
            for group, n in choose_admitted(groups, read_pool_sizes(conn)):
                same = (ti.c.run_id == group.run_id, ti.c.task_id == group.task_id,
                        ti.c.state.in_(admit.source_values))
                first = select(ti.c.map_index).where(*same).order_by(ti.c.map_index).limit(n)
                moved = conn.execute(update(ti).where(*same, ti.c.map_index.in_(first))
                                     .values(state=admit.target.value, queued_at=now)
                                     .returning(ti.c.map_index)).scalars().all()
                if moved:
                    admitted.setdefault((group.run_id, group.task_id), []).extend(moved)
        return {key: sorted(indices) for key, indices in admitted.items()}
