"""Runs: creating, reading, locking, cancelling and deleting them."""
from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from orchestrator import xcom_backend
from orchestrator.errors import DuplicateRunError, RunNotFound, RunStateError
from orchestrator.schema import dag_run, task_instance, task_instance_history, task_log, task_map, xcom
from orchestrator.states import TRANSITIONS, DagRunState, TaskInstanceState
from orchestrator.store.database import unit_of_work, utcnow
from orchestrator.store.records import RunRecord
from orchestrator.store.transaction import RunTransaction
from orchestrator.store.xcoms import referenced_objects

#: Run states a run has not ended in: it may be cancelled, it may not be deleted.
UNENDED_RUN_STATES = frozenset({DagRunState.QUEUED.value, DagRunState.RUNNING.value})
#: Instances on their way in a worker, or waiting to be tried or poked again.
IN_FLIGHT = [state.value for state in (TaskInstanceState.QUEUED, TaskInstanceState.RUNNING,
                                       TaskInstanceState.UP_FOR_RETRY, TaskInstanceState.UP_FOR_RESCHEDULE)]


def ensure_ended(record: RunRecord) -> None:
    """Raise :class:`RunStateError` unless the run has ended (what deleting it needs)."""
    if record.state in UNENDED_RUN_STATES:
        raise RunStateError(f"run {record.run_id!r} is {record.state}: end it first with "
                            f"`chordflow runs cancel {record.run_id}`")


class RunStore:
    """The store's runs (a part of :class:`~orchestrator.store.Store`)."""

    @contextlib.contextmanager
    def new_run(
        self,
        run_id: str,
        dag_id: str,
        logical_date: datetime,
        conf: dict[str, Any],
        fileloc: str,
        tasks: Sequence[tuple[str, int]],
        run_type: str = "manual",
        data_interval: tuple[datetime, datetime] | None = None,
        conn: Connection | None = None,
        state: DagRunState = DagRunState.RUNNING,
    ) -> Iterator[RunTransaction]:
        """Insert the run and one ``none`` row per task (``tasks``: ``(task_id, retries)`` pairs),
        and hold that transaction for the run's first step (committed when the block ends; inside
        ``conn``'s transaction when given). ``run_type``: manual, scheduled or backfill;
        ``data_interval``: ``(start, end)`` naive UTC; ``state``: ``queued`` for a run waiting for a
        slot under its DAG's ``max_active_runs`` (no start date yet). Raises :class:`DuplicateRunError` when
        ``run_id`` exists already, or a scheduled/backfill run of the DAG at ``logical_date`` does."""
        now = utcnow()
        own_transaction = conn is None
        with self.using(conn) as conn:
            start, end = data_interval or (None, None)
            try:
                conn.execute(
                    insert(dag_run).values(
                        run_id=run_id,
                        dag_id=dag_id,
                        state=state.value,
                        logical_date=logical_date,
                        conf=json.dumps(conf),
                        fileloc=fileloc,
                        start_date=now if state is DagRunState.RUNNING else None,
                        created_at=now,
                        run_type=run_type,
                        data_interval_start=start,
                        data_interval_end=end,
                    )
                )
            except IntegrityError:
                if run_type == "manual":
                    raise DuplicateRunError(f"a run with id {run_id!r} exists already: choose another --run-id"
                                            ) from None
                raise DuplicateRunError(f"a run with id {run_id!r}, or a scheduled or backfill run of {dag_id} at "
                                        f"{logical_date.isoformat()}, exists already") from None
            conn.execute(
                insert(task_instance),
                [
                    {"run_id": run_id, "task_id": task_id, "map_index": -1, "state": TaskInstanceState.NONE.value,
                     "try_number": 0, "max_tries": retries}
                    for task_id, retries in tasks
                ],
            )
            tx = RunTransaction(conn, RunRecord(run_id, dag_id, state.value, logical_date, dict(conf), fileloc,
                                                now if state is DagRunState.RUNNING else None, None, None, run_type,
                                                start, end))
            yield tx
        if tx.rows_inserted and own_transaction:  # (inside a caller's transaction: the caller, after its commit)
            self.dialect.refresh_statistics(self, tx.rows_inserted)

    def refresh_statistics(self, rows_inserted: int) -> None:
        """Let the planner know of ``rows_inserted`` task instances a committed transaction added
        (nothing for none; see :meth:`Dialect.refresh_statistics`)."""
        if rows_inserted:
            self.dialect.refresh_statistics(self, rows_inserted)

    @unit_of_work
    def get_run(self, run_id: str) -> RunRecord:
        """The run's record. Raises :class:`RunNotFound` when there is no such run."""
        with self.reads() as reads:
            return reads.get_run(run_id)

    @unit_of_work
    def previous_success(self, record: RunRecord) -> RunRecord | None:
        """The latest ``success`` run of ``record``'s DAG before its logical date (Airflow's
        ``prev_*_success``), or ``None``."""
        with self.begin() as conn:
            row = conn.execute(select(dag_run).where(
                dag_run.c.dag_id == record.dag_id, dag_run.c.state == DagRunState.SUCCESS.value,
                dag_run.c.logical_date < record.logical_date).order_by(dag_run.c.logical_date.desc()).limit(1)).first()
        return None if row is None else RunRecord.from_row(row)

    @unit_of_work
    def list_runs(self, dag_id: str | None = None, state: str | None = None, limit: int = 100,
                  offset: int = 0) -> list[RunRecord]:
        """See :meth:`RunReads.list_runs`."""
        with self.reads() as reads:
            return reads.list_runs(dag_id, state, limit, offset)

    def start_queued(self, conn: Connection, run_id: str) -> RunRecord | None:
        """Move a ``queued`` run to ``running`` (its start date now), holding its row lock until the
        end of ``conn``'s transaction; ``None`` when it is not queued (any more)."""
        record = self.lock_run(conn, run_id)
        if record.state != DagRunState.QUEUED.value:
            return None
        now = utcnow()
        conn.execute(update(dag_run).where(dag_run.c.run_id == run_id)
                     .values(state=DagRunState.RUNNING.value, start_date=now))
        return dataclasses.replace(record, state=DagRunState.RUNNING.value, start_date=now)

    @unit_of_work
    def queued_run_ids(self, dag_id: str) -> list[str]:
        """The DAG's ``queued`` runs, oldest first."""
        with self.begin() as conn:
            return list(conn.execute(select(dag_run.c.run_id).where(
                dag_run.c.dag_id == dag_id, dag_run.c.state == DagRunState.QUEUED.value)
                .order_by(dag_run.c.created_at, dag_run.c.run_id)).scalars())

    @unit_of_work
    def running_run_ids(self) -> list[str]:
        """The ids of every ``running`` run."""
        with self.begin() as conn:
            query = select(dag_run.c.run_id).where(dag_run.c.state == DagRunState.RUNNING.value)
            return list(conn.execute(query).scalars())

    @unit_of_work
    def next_run_waiting(self, run_id: str, task_ids: Sequence[str]) -> str | None:
        """The DAG's next run after ``run_id`` by logical date, when it is ``running`` and has an
        undecided instance of one of ``task_ids`` (one that may wait on ``run_id``:
        ``depends_on_past``); else ``None``. Raises :class:`RunNotFound`."""
        with self.begin() as conn:
            row = conn.execute(select(dag_run).where(dag_run.c.run_id == run_id)).first()
            if row is None:
                raise RunNotFound(f"no run with id {run_id!r} (see `chordflow runs list`)")
            later = RunTransaction(conn, RunRecord.from_row(row)).next_running_run_id()
            if later is None or not task_ids:
                return None
            waiting = conn.execute(
                select(task_instance.c.map_index)
                .where(task_instance.c.run_id == later, task_instance.c.task_id.in_(list(task_ids)),
                       task_instance.c.state == TaskInstanceState.NONE.value)
                .limit(1)
            ).first()
        return later if waiting is not None else None

    @unit_of_work
    def cancel_run(self, run_id: str, note: str, error: str, only_if_idle: bool = False) -> dict[str, int] | None:
        """End a run that has not ended: every unfinished instance ``failed`` with ``error``, then
        the run ``failed`` with ``note``, in one transaction holding the run's row lock (an advance
        step of the run never interleaves). Each change is a compare-and-set: a worker's claim or
        end of try racing with it either happened before or finds nothing to change; a worker
        holding a ``running`` instance notices at its next heartbeat and stops the try.

        Returns ``{"running": n, "waiting": m}``: the instances failed that were running, and those
        that were not (none, scheduled, queued, up_for_retry). With ``only_if_idle``, ``None`` and
        nothing changed when an instance is queued, running or waiting to be tried or poked again.
        Raises :class:`RunNotFound`, and :class:`RunStateError` when the run has ended already.
        """
        now = utcnow()
        of_run = task_instance.c.run_id == run_id
        with self.begin() as conn:
            record = self.lock_run(conn, run_id)
            if record.state not in UNENDED_RUN_STATES:
                raise RunStateError(f"run {run_id!r} has ended already ({record.state}): nothing to cancel")
            if only_if_idle and conn.execute(select(task_instance.c.map_index).where(
                    of_run, task_instance.c.state.in_(IN_FLIGHT)).limit(1)).first() is not None:
                return None
            counts = {}
            # Waiting ones first: once they are failed no claim can make a new running one.
            for key, name in (("waiting", "cancel_waiting"), ("running", "cancel_running")):
                transition = TRANSITIONS[name]
                counts[key] = conn.execute(
                    update(task_instance)
                    .where(of_run, task_instance.c.state.in_(transition.source_values))
                    .values(state=transition.target.value, end_date=now, error=error)
                ).rowcount
            conn.execute(
                update(dag_run)
                .where(dag_run.c.run_id == run_id)
                .values(state=DagRunState.FAILED.value, end_date=now, note=note)
            )
        return {"running": counts["running"], "waiting": counts["waiting"]}

    def lock_run(self, conn: Connection, run_id: str) -> RunRecord:
        """The run's row, locked until the end of ``conn``'s transaction (SQLite: BEGIN IMMEDIATE
        locked the whole database already). Raises :class:`RunNotFound`."""
        row = conn.execute(self.dialect.lock_rows(select(dag_run).where(dag_run.c.run_id == run_id))).first()
        if row is None:
            raise RunNotFound(f"no run with id {run_id!r} (see `chordflow runs list`)")
        return RunRecord.from_row(row)

    @unit_of_work
    def delete_run(self, run_id: str) -> dict[str, int]:
        """Delete an ended run's rows from every table, then (after the commit, best effort, logged)
        the XCom objects its XCom rows referred to. Returns ``{table: rows deleted}``. Raises
        :class:`RunNotFound`, and :class:`RunStateError` while the run has not ended."""
        with self.begin() as conn:
            ensure_ended(self.lock_run(conn, run_id))
            objects = referenced_objects(conn, [xcom.c.run_id == run_id])
            deleted = {
                table.name: conn.execute(delete(table).where(table.c.run_id == run_id)).rowcount
                for table in (xcom, task_log, task_map, task_instance_history, task_instance, dag_run)
            }
        xcom_backend.delete_objects(objects)  # after the commit: a retried delete finds them again
        return deleted

    @contextlib.contextmanager
    def locked_run(self, run_id: str) -> Iterator[RunTransaction]:
        """One transaction holding the run's row lock: advance steps of a run never interleave.
        Raises :class:`RunNotFound` when there is no such run."""
        with self.begin() as conn:
            tx = RunTransaction(conn, self.lock_run(conn, run_id))
            yield tx
        if tx.rows_inserted:
            self.dialect.refresh_statistics(self, tx.rows_inserted)
