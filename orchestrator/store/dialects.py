"""The seam between SQLite and PostgreSQL: every statement of the store that differs between
them, behind one interface (:class:`Dialect`), one implementation per database.

SQLite is the embedded default (one process, statements cost microseconds); PostgreSQL is
production (round trips cost, so the worker's writes are single prepared statements).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import create_engine as new_engine
from sqlalchemy import event, insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from orchestrator.schema import task_instance, task_log, xcom
from orchestrator.store.prepared import (
    EARLY_POKE_TOLERANCE,
    FINISH_ONE_SQLITE,
    PREPARED_PG,
    claim_sqlite,
    pg_array,
    pg_text,
    pg_time,
    sqlite_time,
)

if TYPE_CHECKING:
    from orchestrator.store.database import Database
    from orchestrator.store.records import TryEnd

#: An advance step that created this many task instances refreshes the table's statistics
#: (fewer: when the statistics predate rows like them, see PostgreSQL.refresh_statistics).
ANALYZE_AFTER_ROWS = 5000
#: task_log's columns, in the order a log upsert's source gives them.
LOG_COLUMNS = ["run_id", "task_id", "map_index", "try_number", "content", "hostname"]


class ClaimRow(NamedTuple):
    """One instance a claim moved to ``running``: its map index, try, most tries, when its
    try started (the claim's time, or the first poke's for a rescheduled sensor), and whether it
    holds a slot (a slot-limited instance: its end frees the slot for another)."""

    map_index: int
    try_number: int
    max_tries: int
    start_date: datetime | None = None
    holds_slot: bool = False


class Dialect:
    """What the store does differently on each database; see :class:`SQLite` and :class:`PostgreSQL`."""

    #: SQLAlchemy's name of the dialect.
    name = ""

    def insert(self, table):
        """An INSERT of ``table`` that knows ``ON CONFLICT`` (the dialect's own construct)."""
        raise NotImplementedError

    def upsert(self, table, keys: list[str], values: list[str]):
        """An INSERT of ``table`` that updates ``values`` of the row with the same ``keys``."""
        statement = self.insert(table)
        return statement.on_conflict_do_update(
            index_elements=keys, set_={name: getattr(statement.excluded, name) for name in values}
        )

    def log_append(self, source=None):
        """Insert a try's log, or append to the part written while it ran (and to what an earlier
        holder of the same try wrote, when it was resumed after its worker died): ``source``, a
        SELECT of :data:`LOG_COLUMNS`, or values given at execution."""
        statement = self.insert(task_log)
        if source is not None:
            statement = statement.from_select(LOG_COLUMNS, source)
        return statement.on_conflict_do_update(
            index_elements=["run_id", "task_id", "map_index", "try_number"],
            set_={"content": task_log.c.content + statement.excluded.content, "hostname": statement.excluded.hostname},
        )

    def create_engine(self, url: str, pool_size: int, max_overflow: int, store: bool) -> Engine:
        """An engine for ``url``: the store's (``store``), or a task's connection."""
        raise NotImplementedError

    def lock_rows(self, query):
        """``query`` locking the rows it reads until the end of the transaction."""
        return query

    def skip_locked(self, query):
        """``query`` locking the rows it reads, leaving out rows another transaction holds."""
        return query

    def lock_schema(self, conn: Connection) -> None:
        """Serialise schema upgrades: a second process upgrading waits, then finds it done."""

    def lock_admission(self, conn: Connection) -> None:
        """Serialise admissions to slots until the end of ``conn``'s transaction, across processes
        and hosts (SQLite: its BEGIN IMMEDIATE holds the database's write lock already)."""

    def refresh_statistics(self, db: Database, rows_inserted: int) -> None:
        """Let the planner know of ``rows_inserted`` new task instances, when it matters."""

    def create_autocommit_engine(self, url: str) -> Engine:
        """The engine of :meth:`Database.autocommit`."""
        raise NotImplementedError(f"{self.name} has no autocommit pool")

    def insert_map_rows(self, conn: Connection, run_id: str, task_id: str, total: int, values: dict[str, Any]) -> None:
        """Insert map indices ``0..total-1`` of a task, each row with ``values``, in one statement."""
        conn.execute(insert(task_instance),
                     [{"run_id": run_id, "task_id": task_id, "map_index": i, **values} for i in range(total)])

    def claim(self, db: Database, run_id: str, task_id: str, map_indices: Sequence[int], now: datetime,
              hostname: str, zombie_before: datetime | None) -> tuple[list[ClaimRow], str | None]:
        """The claim's compare-and-set (transitions ``claim``, and ``take_over`` of instances
        whose heartbeat is older than ``zombie_before``): the rows claimed, and the task's map
        lengths as stored (``None``: nothing claimed, or not mapped)."""
        raise NotImplementedError

    def finish(self, db: Database, run_id: str, task_id: str, endings: Sequence[TryEnd], now: datetime) -> list[bool]:
        """Each ending's compare-and-set and, for those recorded, their XComs and logs; returns
        per ending whether it was recorded."""
        raise NotImplementedError


class SQLite(Dialect):
    """SQLite, in the process: plain statements, one per try."""

    name = "sqlite"

    def insert(self, table):
        """See :meth:`Dialect.insert`."""
        from sqlalchemy.dialects.sqlite import insert as dialect_insert

        return dialect_insert(table)

    def create_engine(self, url, pool_size, max_overflow, store):
        """See :meth:`Dialect.create_engine`: the file's folder is made, and a lock waits up to
        60 s; the store's file is in WAL mode and every transaction of the store takes the write
        lock up front (``BEGIN IMMEDIATE``: no deadlock upgrading a read to a write)."""
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = new_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            if store:
                dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            if store:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.close()

        if store:
            @event.listens_for(engine, "begin")
            def _on_begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def claim(self, db, run_id, task_id, map_indices, now, hostname, zombie_before):
        """See :meth:`Dialect.claim`: one statement through the driver's cursor (built and compiled
        by SQLAlchemy at every call, the claim was a sixth of an embedded task hop)."""
        maps = list(map_indices)
        poke_due_by = now + timedelta(seconds=EARLY_POKE_TOLERANCE)
        params = [sqlite_time(now), hostname, run_id, task_id, sqlite_time(poke_due_by)]
        if zombie_before is not None:
            params.append(sqlite_time(zombie_before))
        params += maps
        with db.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                # (the admission column, not ``admission IS NOT NULL``: SQLite 3.40 returns 1 for
                # that on every row, the partial index's expression being the same)
                rows = [ClaimRow(index, try_number, max_tries, _sqlite_datetime(start), admission is not None)
                        for index, try_number, max_tries, start, admission
                        in cursor.execute(claim_sqlite(len(maps), zombie_before is not None), params).fetchall()]
                raw = None
                if rows:
                    found = cursor.execute("SELECT lengths FROM task_map WHERE run_id = ? AND task_id = ?",
                                           (run_id, task_id)).fetchone()
                    raw = found[0] if found else None
            finally:
                cursor.close()
        return rows, raw

    def finish(self, db, run_id, task_id, endings, now):
        """See :meth:`Dialect.finish`."""
        with db.begin() as conn:
            # In the process, one plain statement per try costs microseconds, once the statement
            # need not be built and compiled each time (the driver's cursor, same transaction).
            cursor = conn.connection.cursor()
            recorded = []
            for e in endings:
                cursor.execute(FINISH_ONE_SQLITE, (
                    e.state.value, e.error, sqlite_time(e.end_date or now), sqlite_time(e.start_date),
                    e.rendered_map_index, sqlite_time(e.next_poke_at), e.rendered_fields, run_id, task_id,
                    e.map_index, e.try_number,
                ))
                recorded.append(cursor.rowcount == 1)
            cursor.close()
            kept = [e for e, ok in zip(endings, recorded, strict=True) if ok]
            xcom_rows = [{"run_id": run_id, "task_id": task_id, "map_index": e.map_index, "key": key, "value": text}
                         for e in kept for key, text in e.xcoms.items()]
            log_rows = [{"run_id": run_id, "task_id": task_id, "map_index": e.map_index, "try_number": e.try_number,
                         "content": e.log, "hostname": e.hostname} for e in kept if e.log is not None]
            if xcom_rows:
                conn.execute(self.upsert(xcom, ["run_id", "task_id", "map_index", "key"], ["value"]), xcom_rows)
            if log_rows:
                conn.execute(self.log_append(), log_rows)
        return recorded


class PostgreSQL(Dialect):
    """PostgreSQL, over the network: the worker's claim and end are prepared statements, one
    round trip each; expansion makes its rows on the server."""

    name = "postgresql"

    def insert(self, table):
        """See :meth:`Dialect.insert`."""
        from sqlalchemy.dialects.postgresql import insert as dialect_insert

        return dialect_insert(table)

    def create_engine(self, url, pool_size, max_overflow, store):
        """See :meth:`Dialect.create_engine`: ``pool_size`` and ``max_overflow`` connections, 10 s
        to connect, no pre-ping (a round trip per checkout): a connection found dead fails its unit
        of work with a disconnect error, which invalidates the pool, and the unit of work is retried."""
        return new_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                             connect_args={"connect_timeout": 10})

    def lock_rows(self, query):
        """See :meth:`Dialect.lock_rows` (SQLite's BEGIN IMMEDIATE locked the whole database already)."""
        return query.with_for_update()

    def skip_locked(self, query):
        """See :meth:`Dialect.skip_locked`."""
        return query.with_for_update(skip_locked=True)

    def lock_schema(self, conn):
        """See :meth:`Dialect.lock_schema`."""
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7311)")

    def lock_admission(self, conn):
        """See :meth:`Dialect.lock_admission`: a transaction-level advisory lock."""
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7312)")

    def refresh_statistics(self, db, rows_inserted):
        """Fresh statistics before workers claim new rows, when they are big or the table's
        statistics do not know about rows like them (never analyzed, or the table at least
        doubled): without, PostgreSQL takes the table for tiny and plans each claim and end of
        try as a scan of the whole map (measured: 1.8 million rows read for a 1000-way map).
        Every column is analyzed, from a sample of 3,000 rows (``default_statistics_target`` 10
        for this ANALYZE: enough for plans that look rows up by key), in front of every big map's
        dispatch; autovacuum's own ANALYZE refines them later. (Only the key columns' once: the
        ``admission IS NOT NULL`` of every admission pass, without statistics, was taken for 99.5 %
        of the rows and planned as a scan -- 0.7 s a pass at a million instances.)"""
        with db.autocommit() as conn:
            known = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'task_instance'::regclass").scalar()
            if rows_inserted >= ANALYZE_AFTER_ROWS or known is None or rows_inserted > known:
                conn.exec_driver_sql("SET default_statistics_target = 10")
                try:
                    conn.exec_driver_sql("ANALYZE task_instance")
                finally:
                    conn.exec_driver_sql("RESET default_statistics_target")

    def create_autocommit_engine(self, url):
        """See :meth:`Dialect.create_autocommit_engine`: asynchronous commits, statements prepared."""
        engine = new_engine(url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8,
                               connect_args={"connect_timeout": 10})

        @event.listens_for(engine, "connect")
        def _prepare(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
                # One plan per statement and connection: left to choose, PostgreSQL planned the
                # claim and the end anew at every call (their CTEs cost more to plan than to run).
                # The generic plans look rows up by the whole primary key once the table has
                # statistics, which an expansion makes sure of (see refresh_statistics).
                cursor.execute("SET plan_cache_mode TO force_generic_plan")
                for name, (types, statement, _call) in PREPARED_PG.items():
                    cursor.execute(f"PREPARE {name} ({types}) AS {statement}")

        return engine

    def insert_map_rows(self, conn, run_id, task_id, total, values):
        """See :meth:`Dialect.insert_map_rows`: the rows are made on the server, nothing to send."""
        conn.exec_driver_sql(
            "INSERT INTO task_instance (run_id, task_id, map_index, state, try_number, max_tries, queued_at, "
            "end_date) SELECT %(run_id)s, %(task_id)s, i, %(state)s, %(try_number)s, %(max_tries)s, %(queued_at)s, "
            "%(end_date)s FROM generate_series(0, %(last)s) AS i",
            {"run_id": run_id, "task_id": task_id, "last": total - 1, **values},
        )

    def claim(self, db, run_id, task_id, map_indices, now, hostname, zombie_before):
        """See :meth:`Dialect.claim`: one statement in one round trip (the update in a CTE)."""
        params = {"run_id": run_id, "task_id": task_id, "maps": list(map_indices), "now": now,
                  "hostname": hostname, "zombie_before": zombie_before,
                  "poke_due_by": now + timedelta(seconds=EARLY_POKE_TOLERANCE)}
        rows = self.execute_prepared(db, "chordflow_claim", params)
        return [ClaimRow(*row[:3], row[4], row[5]) for row in rows], (rows[0][3] if rows else None)

    def finish(self, db, run_id, task_id, endings, now):
        """See :meth:`Dialect.finish`: the compare-and-sets, XCom and log upserts as one statement
        (data-modifying CTEs; rows passed as arrays, or for a single try as scalars), so one round
        trip and one commit."""
        xcom_rows = [(e.map_index, key, text) for e in endings for key, text in e.xcoms.items()]
        params = {
            "run_id": run_id, "task_id": task_id, "now": now,
            "x_maps": pg_array([r[0] for r in xcom_rows]), "x_keys": pg_array([r[1] for r in xcom_rows], pg_text),
            "x_values": pg_array([r[2] for r in xcom_rows], pg_text),
        }
        if len(endings) == 1:
            (e,) = endings
            params.update(maps=e.map_index, tries=e.try_number, states=e.state.value, errors=e.error,
                          starts=e.start_date, ends=e.end_date, names=e.rendered_map_index,
                          next_pokes=e.next_poke_at, rendered=e.rendered_fields, l_maps=e.map_index,
                          l_tries=e.try_number, l_contents=e.log, l_hosts=e.hostname)
            return [bool(self.execute_prepared(db, "chordflow_finish_one", params))]
        log_rows = [(e.map_index, e.try_number, e.log, e.hostname) for e in endings if e.log is not None]
        params.update(
            maps=pg_array([e.map_index for e in endings]), tries=pg_array([e.try_number for e in endings]),
            states=pg_array([e.state.value for e in endings], pg_text),
            errors=pg_array([e.error for e in endings], pg_text),
            starts=pg_array([e.start_date for e in endings], pg_time),
            ends=pg_array([e.end_date for e in endings], pg_time),
            names=pg_array([e.rendered_map_index for e in endings], pg_text),
            next_pokes=pg_array([e.next_poke_at for e in endings], pg_time),
            rendered=pg_array([e.rendered_fields for e in endings], pg_text),
            l_maps=pg_array([r[0] for r in log_rows]), l_tries=pg_array([r[1] for r in log_rows]),
            l_contents=pg_array([r[2] for r in log_rows], pg_text), l_hosts=pg_array([r[3] for r in log_rows], pg_text),
        )
        ended = {row[0] for row in self.execute_prepared(db, "chordflow_finish", params)}
        return [e.map_index in ended for e in endings]

    def execute_prepared(self, db: Database, name: str, params: dict[str, Any]) -> list[tuple]:
        """Rows of prepared statement ``name`` (:data:`PREPARED_PG`), through the driver's cursor
        on an autocommit connection: without SQLAlchemy's statement machinery a worker's claim or
        end costs about 0.2 ms less (two of each per message when ``batch_size=1``). Raises
        SQLAlchemy's ``OperationalError``/``InterfaceError`` for a lost connection, which is
        dropped from the pool, so the unit of work is retried on a fresh one."""
        import psycopg2

        raw = db.autocommit_pool().raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(PREPARED_PG[name][2], params)
                return cursor.fetchall()
            finally:
                cursor.close()
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            raw.invalidate()
            wrapper = OperationalError if isinstance(exc, psycopg2.OperationalError) else InterfaceError
            raise wrapper(f"EXECUTE {name}", None, exc) from exc
        finally:
            raw.close()


def _sqlite_datetime(value: str | None) -> datetime | None:
    """A date as SQLAlchemy stores it in SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``), read back."""
    return None if value is None else datetime.fromisoformat(value)


#: The dialects by SQLAlchemy's name.
DIALECTS: dict[str, Dialect] = {dialect.name: dialect for dialect in (SQLite(), PostgreSQL())}


def dialect_for(url: str) -> Dialect:
    """The dialect of a store URL (``sqlite...`` or ``postgresql...``)."""
    return DIALECTS["sqlite" if url.startswith("sqlite") else "postgresql"]


def dialect_of(conn: Connection) -> Dialect:
    """The dialect of an open connection."""
    return DIALECTS[conn.dialect.name]

