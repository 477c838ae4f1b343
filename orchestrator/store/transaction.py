"""One run inside one transaction: what the advance step reads of it and the changes it makes."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from orchestrator.expand_input import map_total
from orchestrator.schema import dag_run, task_instance, task_instance_history, task_map
from orchestrator.states import FINISHED_STATES, PAST_DEPENDS_MET_STATES, DagRunState, TaskInstanceState, decision
from orchestrator.store.database import reads_on, utcnow
from orchestrator.store.dialects import dialect_of
from orchestrator.store.records import RunRecord

if TYPE_CHECKING:
    from orchestrator.admission import SlotLimits


class RunQueries:
    """Reads of one run's instances and maps on an open connection (the store's and the
    advance step's alike).

    :param conn: a connection inside a transaction.
    :param run_id: the run read.
    """

    def __init__(self, conn: Connection, run_id: str):
        """Read run ``run_id`` on ``conn``."""
        self.conn = conn
        self.run_id = run_id
        self.reads = reads_on(conn)

    def state_counts(self) -> dict[str, dict[str, int]]:
        """``{task_id: {state: count}}`` over every instance of the run (:meth:`RunReads.counted_states`)."""
        return self.reads.counted_states(self.run_id)

    def kept_counts(self) -> dict[str, dict[str, int]] | None:
        """See :meth:`RunReads.kept_counts`."""
        return self.reads.kept_counts(self.run_id)

    def task_state_counts(self, task_id: str) -> dict[str, int]:
        """``{state: count}`` over the instances of one task, counted by the database."""
        rows = self.conn.execute(
            select(task_instance.c.state, func.count())
            .where(task_instance.c.run_id == self.run_id, task_instance.c.task_id == task_id)
            .group_by(task_instance.c.state)
        )
        return {state: count for state, count in rows}

    def states_by_index(self, task_id: str) -> dict[int, str]:
        """``{map_index: state}`` of one task's instances."""
        rows = self.conn.execute(
            select(task_instance.c.map_index, task_instance.c.state).where(
                task_instance.c.run_id == self.run_id, task_instance.c.task_id == task_id
            )
        )
        return {row.map_index: row.state for row in rows}

    def unsuccessful_count(self, task_ids: Sequence[str]) -> int:
        """How many instances of these tasks have not ended ``success`` or ``skipped`` (unfinished
        ones included): Airflow's ``PrevDagrunDep._count_unsuccessful_tis`` /
        ``_has_unsuccessful_dependants``."""
        if not task_ids:
            return 0
        return self.conn.execute(
            select(func.count()).where(
                task_instance.c.run_id == self.run_id, task_instance.c.task_id.in_(list(task_ids)),
                task_instance.c.state.not_in(sorted(s.value for s in PAST_DEPENDS_MET_STATES)),
            )
        ).scalar_one()

    def map_lengths(self) -> dict[str, int]:
        """``{task_id: number of instances}`` of every task of the run that was expanded."""
        return self.reads.map_lengths(self.run_id)

    def map_dims(self, task_id: str) -> list[int]:
        """The per-parameter lengths a task was expanded with (``[]``: not expanded)."""
        raw = self.conn.execute(
            select(task_map.c.lengths).where(task_map.c.run_id == self.run_id, task_map.c.task_id == task_id)
        ).scalar()
        return json.loads(raw) if raw else []


class RunTransaction(RunQueries):
    """The scheduler's view of one run inside :meth:`Store.locked_run` (one transaction).

    :param conn: the transaction's connection (holding the run's row lock).
    :param run: the run's record as read under that lock.
    """

    def __init__(self, conn: Connection, run: RunRecord):
        """Act on ``run`` in ``conn``'s transaction."""
        super().__init__(conn, run.run_id)
        self.run = run
        #: Task instances this transaction inserted (the store refreshes statistics after big ones).
        self.rows_inserted = 0

    def set_states(self, task_id: str, map_indices: Sequence[int] | None, state: TaskInstanceState,
                   error: str | None = None, limits: SlotLimits | None = None) -> list[int]:
        """Move undecided (``none``) instances to ``state`` (transition :func:`~orchestrator.states.decision`);
        returns the indices that moved. ``limits``: what a ``scheduled`` instance waits for a slot
        under (see :mod:`orchestrator.admission`). Raises ``ValueError`` for a state not decided that way."""
        transition = decision(state)
        where = [
            task_instance.c.run_id == self.run_id,
            task_instance.c.task_id == task_id,
            task_instance.c.state.in_(transition.source_values),
        ]
        if map_indices is not None:
            where.append(task_instance.c.map_index.in_(list(map_indices)))
        now = utcnow()
        values: dict[str, Any] = {"state": transition.target.value}
        if state is TaskInstanceState.QUEUED:
            values.update(queued_at=now, error=None)  # (what it waited for: see note_waiting)
        elif state in FINISHED_STATES:
            values.update(end_date=now, error=error)
        if limits is not None:
            values.update(pool=limits.pool, pool_slots=limits.pool_slots, priority_weight=limits.priority_weight,
                          admission=limits.to_json())
        statement = update(task_instance).where(*where).values(**values).returning(task_instance.c.map_index)
        rows = self.conn.execute(statement)
        return sorted(r.map_index for r in rows)

    def expand(self, task_id: str, lengths: list[int], state: TaskInstanceState, max_tries: int) -> None:
        """Replace the unexpanded ``-1`` row by ``total(lengths)`` rows in ``state``, in one bulk
        insert, and record the lengths. An index that ran before a ``tasks clear`` sent its map
        back to be expanded again goes on from its last try (``task_instance_history``), as in Airflow."""
        run_id = self.run_id
        self.conn.execute(
            delete(task_instance).where(
                task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                task_instance.c.map_index == -1,
            )
        )
        total = map_total(lengths)
        now = utcnow()
        dialect_of(self.conn).insert_map_rows(self.conn, run_id, task_id, total, {
            "state": state.value, "try_number": 0, "max_tries": max_tries,
            "queued_at": now if state is TaskInstanceState.QUEUED else None,
            "end_date": now if state in FINISHED_STATES else None,
        })
        tried = (
            select(task_instance_history.c.map_index, func.max(task_instance_history.c.try_number))
            .where(task_instance_history.c.run_id == run_id, task_instance_history.c.task_id == task_id,
                   task_instance_history.c.map_index >= 0)
            .group_by(task_instance_history.c.map_index)
        )
        earlier = [{"m": index, "n": tries} for index, tries in self.conn.execute(tried)]
        if earlier:
            self.conn.execute(
                update(task_instance)
                .where(task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                       task_instance.c.map_index == bindparam("m"))
                .values(try_number=bindparam("n"), max_tries=bindparam("n") + max_tries),
                earlier,
            )
        self.record_map(task_id, lengths)
        self.rows_inserted += total

    def record_map(self, task_id: str, lengths: list[int]) -> None:
        """The lengths a task was expanded with (one per mapped parameter; ``[0]``: empty)."""
        self.conn.execute(
            insert(task_map).values(run_id=self.run_id, task_id=task_id, length=map_total(lengths),
                                    lengths=json.dumps(lengths))
        )

    # -- the DAG's other runs, by logical date (index ix_dag_run_dag_id_logical_date) ------------
    def previous_run_id(self) -> str | None:
        """The run of the same DAG with the latest logical date before this run's, whatever its
        state or how it was started (Airflow's ``DagRun.get_previous_dagrun``); ``None``: none."""
        return self.conn.execute(
            select(dag_run.c.run_id)
            .where(dag_run.c.dag_id == self.run.dag_id, dag_run.c.logical_date < self.run.logical_date)
            .order_by(dag_run.c.logical_date.desc())
            .limit(1)
        ).scalar()

    def next_running_run_id(self) -> str | None:
        """The run of the same DAG with the earliest logical date after this run's, when it is
        ``running`` (the one whose ``depends_on_past`` instances may wait on this run); else ``None``."""
        row = self.conn.execute(
            select(dag_run.c.run_id, dag_run.c.state)
            .where(dag_run.c.dag_id == self.run.dag_id, dag_run.c.logical_date > self.run.logical_date)
            .order_by(dag_run.c.logical_date)
            .limit(1)
        ).first()
        return row.run_id if row is not None and row.state == DagRunState.RUNNING.value else None

    def ran_before(self, task_id: str) -> bool:
        """Whether any run of the DAG before this one (by logical date) has an instance of
        ``task_id`` (Airflow's ``PrevDagrunDep._has_any_prior_tis``)."""
        earlier = select(dag_run.c.run_id).where(dag_run.c.dag_id == self.run.dag_id,
                                                 dag_run.c.logical_date < self.run.logical_date)
        return self.conn.execute(
            select(task_instance.c.run_id)
            .where(task_instance.c.run_id.in_(earlier), task_instance.c.task_id == task_id)
            .limit(1)
        ).first() is not None

    def note_waiting(self, task_id: str, reasons: dict[str, list[int]]) -> None:
        """Write why these undecided instances wait (``{reason: map indices}``) into their
        ``error`` column, where ``tasks list`` shows it; an instance whose reason is already
        written is not written again. Queueing an instance clears it."""
        for reason, indices in reasons.items():
            self.conn.execute(
                update(task_instance)
                .where(task_instance.c.run_id == self.run_id, task_instance.c.task_id == task_id,
                       task_instance.c.map_index.in_(indices),
                       task_instance.c.state == TaskInstanceState.NONE.value,
                       task_instance.c.error.is_distinct_from(reason))
                .values(error=reason)
            )

    def pool_sizes(self) -> dict[str, int]:
        """``{pool: slots}`` as :meth:`Store.pool_sizes` reads them, in this transaction."""
        from orchestrator.store.pools import read_pool_sizes

        return read_pool_sizes(self.conn)

    def finish_run(self, state: DagRunState, counts: dict[str, dict[str, int]]) -> None:
        """End the run in ``state`` now; ``counts`` (``{task_id: {state: count}}`` of every
        instance, all finished) are kept with it for reads (``dag_run.final_counts``)."""
        self.conn.execute(
            update(dag_run).where(dag_run.c.run_id == self.run_id)
            .values(state=state.value, end_date=utcnow(), final_counts=json.dumps(counts, sort_keys=True))
        )

