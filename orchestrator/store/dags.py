"""The DAGs the scheduler found (Airflow's DagModel): recording them, pausing, locking one to create its runs."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from orchestrator.errors import DagNotFound
from orchestrator.schema import dag, dag_run
from orchestrator.store.database import unit_of_work, utcnow
from orchestrator.store.records import RunRecord
from orchestrator.store.runs import UNENDED_RUN_STATES

#: The run types the scheduler's "last automated run" is taken from (Airflow: scheduled and backfill).
AUTOMATED = ("scheduled", "backfill")


class DagStore:
    """The store's ``dag`` rows (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def record_dags(self, found: Iterable[dict[str, Any]], paused_at_creation: bool) -> list[str]:
        """Insert or update one row per DAG of ``found`` (``{"dag_id", "fileloc", "schedule",
        "max_active_runs", "is_paused_upon_creation"}``), keeping ``is_paused`` of those known; a new
        one is paused per its ``is_paused_upon_creation``, else ``paused_at_creation``. A row another
        scheduler holds while it creates runs is left for the next pass (never waited for). Returns
        the ids of the new ones."""
        now = utcnow()
        found = list(found)
        with self.begin() as conn:
            known = set(conn.execute(select(dag.c.dag_id)).scalars())
            free = set(conn.execute(self.dialect.skip_locked(
                select(dag.c.dag_id).where(dag.c.dag_id.in_([item["dag_id"] for item in found])))).scalars())
            new = []
            for item in found:
                values = {"fileloc": item["fileloc"], "schedule": item["schedule"],
                          "max_active_runs": item["max_active_runs"], "last_parsed_time": now}
                if item["dag_id"] in known:
                    if item["dag_id"] in free:
                        conn.execute(update(dag).where(dag.c.dag_id == item["dag_id"]).values(**values))
                    continue
                paused = item.get("is_paused_upon_creation")
                statement = self.dialect.insert(dag).values(
                    dag_id=item["dag_id"], is_paused=paused_at_creation if paused is None else bool(paused), **values)
                # Another scheduler may insert it first: its row stands.
                if conn.execute(statement.on_conflict_do_nothing(index_elements=["dag_id"])).rowcount:
                    new.append(item["dag_id"])
        return new

    @unit_of_work
    def set_paused(self, dag_id: str, paused: bool) -> None:
        """Pause or unpause a recorded DAG. Raises :class:`DagNotFound` when the scheduler has not
        recorded it (nor ``dags list`` since it appeared)."""
        with self.begin() as conn:
            if not conn.execute(update(dag).where(dag.c.dag_id == dag_id).values(is_paused=paused)).rowcount:
                raise DagNotFound(f"no DAG {dag_id!r} recorded (see `chordflow dags list`)")

    @unit_of_work
    def dag_rows(self) -> dict[str, dict[str, Any]]:
        """Every recorded DAG's row as a dict, by id."""
        with self.begin() as conn:
            return {row.dag_id: dict(row._mapping) for row in conn.execute(select(dag))}

    def lock_dag(self, conn: Connection, dag_id: str, wait: bool = False) -> dict[str, Any] | None:
        """The DAG's row locked until the end of ``conn``'s transaction; ``None`` when another
        scheduler holds it (PostgreSQL's ``FOR UPDATE SKIP LOCKED``, as Airflow's scheduler does;
        SQLite's BEGIN IMMEDIATE holds the whole database; with ``wait``, waits for it instead) or
        there is no such row."""
        query = select(dag).where(dag.c.dag_id == dag_id)
        row = conn.execute(self.dialect.lock_rows(query) if wait else self.dialect.skip_locked(query)).first()
        return None if row is None else dict(row._mapping)

    def lock_dag_waiting(self, conn: Connection, dag_id: str, fileloc: str, paused_at_creation: bool) -> None:
        """Hold the DAG's row until the end of ``conn``'s transaction, waiting for another holder
        (the row is made first when the scheduler has not recorded the DAG yet): how run starts
        count a DAG's running runs one at a time."""
        conn.execute(self.dialect.insert(dag).values(dag_id=dag_id, fileloc=fileloc, is_paused=paused_at_creation)
                     .on_conflict_do_nothing(index_elements=["dag_id"]))
        conn.execute(self.dialect.lock_rows(select(dag.c.dag_id).where(dag.c.dag_id == dag_id)))

    def running_run_count(self, conn: Connection, dag_id: str) -> int:
        """How many of the DAG's runs are running."""
        return conn.execute(select(func.count()).select_from(dag_run).where(
            dag_run.c.dag_id == dag_id, dag_run.c.state == "running")).scalar_one()

    def last_automated_interval(self, conn: Connection, dag_id: str) -> tuple[datetime, datetime] | None:
        """``(data_interval_start, data_interval_end)`` of the DAG's latest scheduled or backfill run."""
        row = conn.execute(
            select(dag_run.c.data_interval_start, dag_run.c.data_interval_end, dag_run.c.logical_date)
            .where(dag_run.c.dag_id == dag_id, dag_run.c.run_type.in_(AUTOMATED))
            .order_by(dag_run.c.logical_date.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return (row.data_interval_start or row.logical_date, row.data_interval_end or row.logical_date)

    def active_run_count(self, conn: Connection, dag_id: str) -> int:
        """How many of the DAG's runs are queued or running."""
        return conn.execute(select(func.count()).select_from(dag_run).where(
            dag_run.c.dag_id == dag_id, dag_run.c.state.in_(UNENDED_RUN_STATES))).scalar_one()

    @unit_of_work
    def active_runs(self, dag_id: str) -> int:
        """How many of the DAG's runs are queued or running."""
        with self.begin() as conn:
            return self.active_run_count(conn, dag_id)

    @unit_of_work
    def runs_at(self, dag_id: str, logical_dates: Iterable[datetime]) -> dict[datetime, RunRecord]:
        """The DAG's runs at these logical dates (naive UTC), by logical date (the latest created
        when several manual ones share one)."""
        dates = list(logical_dates)
        with self.begin() as conn:
            rows = conn.execute(select(dag_run).where(dag_run.c.dag_id == dag_id, dag_run.c.logical_date.in_(dates))
                                .order_by(dag_run.c.created_at))
            return {row.logical_date: RunRecord.from_row(row) for row in rows}

    def set_next_dagrun(self, conn: Connection, dag_id: str, values: dict[str, datetime | None]) -> None:
        """Record when the DAG's next run is due (``next_dagrun*`` columns)."""
        conn.execute(update(dag).where(dag.c.dag_id == dag_id).values(**values))
