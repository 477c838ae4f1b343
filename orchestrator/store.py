"""The store: runs, task instances, maps, XComs and logs in SQLAlchemy (PostgreSQL or SQLite).

Every state change is a compare-and-set, so a redelivered Celery message can neither duplicate a
result nor move a finished instance backwards. XCom writes are upserts keyed by
``(run_id, task_id, map_index, key)``.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import tenacity
from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    event,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from orchestrator import schema, xcom_backend
from orchestrator.errors import ChordflowError, DuplicateRunError, RunNotFound, RunStateError
from orchestrator.expand_input import map_total
from orchestrator.schema import dag_run, task_instance, task_instance_history, task_log, task_map, xcom
from orchestrator.states import (
    CLAIMABLE_STATES,
    FINISHED_STATES,
    UNFINISHED_STATES,
    DagRunState,
    TaskInstanceState,
)

#: Rows fetched per round trip when a reduce streams a mapped task's results.
XCOM_STREAM_PAGE = 2000
#: An advance step that created this many task instances refreshes the table's statistics
#: (fewer: when the statistics predate rows like them, see Store._refresh_statistics).
ANALYZE_AFTER_ROWS = 5000


T = TypeVar("T")
log = logging.getLogger("chordflow.store")


def is_disconnect(exc: BaseException) -> bool:
    """True for errors that mean "the database is not reachable now" (worth a retry)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception()
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    log.warning("database unreachable (%s); retrying in %.1f s", reason, state.next_action.sleep)


def unit_of_work(method: Callable[..., T]) -> Callable[..., T]:
    """A Store method that is one transaction: retried while the database is unreachable."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> T:
        if kwargs.get("conn") is not None:  # part of the caller's transaction: the caller retries
            return method(self, *args, **kwargs)
        return self.retrying(method, self, *args, **kwargs)

    return wrapper


def utcnow() -> datetime:
    """Now in UTC, naive (the store keeps naive UTC timestamps)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def masked_url(url: str) -> str:
    """The URL with its password replaced by ``***``: safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown without anything after the scheme
        return url.split("://", 1)[0] + "://***"


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    dag_id: str
    state: str
    logical_date: datetime
    conf: dict[str, Any]
    fileloc: str
    start_date: datetime | None
    end_date: datetime | None
    #: Why the run ended out of the ordinary (cancelled, interrupted); ``None`` otherwise.
    note: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> RunRecord:
        return cls(
            run_id=row.run_id,
            dag_id=row.dag_id,
            state=row.state,
            logical_date=row.logical_date,
            conf=json.loads(row.conf or "{}"),
            fileloc=row.fileloc,
            start_date=row.start_date,
            end_date=row.end_date,
            note=row.note,
        )


class _Claimed(NamedTuple):
    """A row of the PostgreSQL claim statement."""

    map_index: int
    try_number: int
    max_tries: int
    lengths: str | None


@dataclass(frozen=True)
class TryEnd:
    """How one try of an instance ended, to be recorded by :meth:`Store.finish_many`."""

    map_index: int
    try_number: int
    state: TaskInstanceState
    xcoms: dict[str, str]
    error: str | None = None
    log: str | None = None
    hostname: str | None = None
    #: When the try itself began and ended (a batch is claimed at once and its ends are written
    #: together, but its instances run one by one). ``None``: the claim's time, the write's time.
    start_date: datetime | None = None
    end_date: datetime | None = None
    #: The instance's name from its task's ``map_index_template`` (``None``: no template).
    rendered_map_index: str | None = None


@dataclass(frozen=True)
class ClaimedInstance:
    map_index: int
    try_number: int
    max_tries: int


@dataclass(frozen=True)
class ClaimedBatch:
    """What a worker claimed of a batch, and the task's map lengths (``None``: not mapped)."""

    instances: list[ClaimedInstance]
    lengths: list[int] | None


class LogChunk(NamedTuple):
    """Lines a try logged, to be appended to its log by :meth:`Store.append_logs`."""

    run_id: str
    task_id: str
    map_index: int
    try_number: int
    text: str
    hostname: str


class Store:
    """Access to the store for one process; every method is its own unit of work.

    :param url: a SQLAlchemy URL (``postgresql+psycopg2://...`` or ``sqlite:///...``).
    :param retry_for: seconds a unit of work is retried while the database is unreachable (default 10).
    """

    def __init__(self, url: str, retry_for: float = 10.0):
        self.url = url = with_driver(url)
        self.retry_for = retry_for
        self.is_sqlite = url.startswith("sqlite")
        self.engine = self._create_engine(url)
        self._autocommit_engine: Engine | None = None

    def _create_engine(self, url: str) -> Engine:
        from sqlalchemy import create_engine

        if self.is_sqlite:
            path = make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_connection, _record):
                dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA busy_timeout=60000")
                cursor.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):
                # IMMEDIATE takes the write lock up front: no deadlock upgrading a read to a write.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        # No pre-ping (a round trip per checkout): a connection found dead fails its unit of work
        # with a disconnect error, which invalidates the pool, and the unit of work is retried.
        return create_engine(url, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 10})

    def dispose(self) -> None:
        """Drop pooled connections (after a fork, or before exit)."""
        self.engine.dispose(close=False)
        if self._autocommit_engine is not None:
            self._autocommit_engine.dispose(close=False)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def retrying(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` (one unit of work), again with backoff while the database is unreachable,
        for up to ``retry_for`` seconds; then one :class:`ChordflowError` naming host and port.

        The first call is made directly (a worker makes two per message): a connection found dead
        is dropped from the pool, and the retries start at once on a fresh one."""
        try:
            return fn(*args, **kwargs)
        except DBAPIError as exc:
            if not is_disconnect(exc):
                raise
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_disconnect),
            wait=tenacity.wait_exponential(multiplier=0.2, max=5),
            stop=tenacity.stop_after_delay(self.retry_for),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            return retrying(fn, *args, **kwargs)
        except DBAPIError as exc:
            if not is_disconnect(exc):
                raise
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise ChordflowError(f"cannot reach the database at {masked_url(self.url)}: {reason}") from None

    @contextlib.contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A PostgreSQL connection without a transaction, for the worker's single statements
        (atomic by themselves; no BEGIN and COMMIT round trips), with :data:`PREPARED_PG` ready.

        Its commits are asynchronous (``synchronous_commit = off``): a claim or an end of try
        lost in a crash of the database server -- not in a restart, which flushes the log -- leaves
        the instance ``running`` without heartbeats, and the reconciler runs it again. Everything
        else (runs, decisions, clears) commits durably through :meth:`begin`.
        """
        with self._autocommit_pool().connect() as conn:
            yield conn

    def _autocommit_pool(self) -> Engine:
        if self._autocommit_engine is None:
            self._autocommit_engine = self._create_autocommit_engine()
        return self._autocommit_engine

    def _execute_prepared(self, name: str, params: dict[str, Any]) -> list[tuple]:
        """Rows of :data:`PREPARED_PG` statement ``name``, through the driver's cursor on an
        :meth:`autocommit` connection: without SQLAlchemy's statement machinery a worker's claim
        or end costs about 0.2 ms less (two of each per message when ``batch_size=1``). A lost
        connection is dropped from the pool and raised as SQLAlchemy's error, so the unit of
        work is retried on a fresh one."""
        import psycopg2

        raw = self._autocommit_pool().raw_connection()
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

    def _create_autocommit_engine(self) -> Engine:
        from sqlalchemy import create_engine

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8,
                               connect_args={"connect_timeout": 10})

        @event.listens_for(engine, "connect")
        def _prepare(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
                # One plan per statement and connection: left to choose, PostgreSQL planned the
                # claim and the end anew at every call (their CTEs cost more to plan than to run).
                # The generic plans look rows up by the whole primary key once the table has
                # statistics, which an expansion makes sure of (see _refresh_statistics).
                cursor.execute("SET plan_cache_mode TO force_generic_plan")
                for name, (types, statement, _call) in PREPARED_PG.items():
                    cursor.execute(f"PREPARE {name} ({types}) AS {statement}")

        return engine

    @contextlib.contextmanager
    def using(self, conn: Connection | None) -> Iterator[Connection]:
        """``conn`` when the caller is inside a transaction already, else a new unit of work."""
        if conn is not None:
            yield conn
        else:
            with self.begin() as new:
                yield new

    # -- schema ---------------------------------------------------------------------------
    @unit_of_work
    def schema_revision(self) -> str | None:
        with self.begin() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> None:
        """Bring the schema to the current revision (alembic migrations). An empty database gets
        the current tables at once, stamped with the head revision (the tests check that the
        migrations and the models make the same schema): a first run starts faster."""
        with self.engine.begin() as conn:
            if not self.is_sqlite:  # two processes upgrading at once: the second waits, then finds it done
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7311)")
            if not inspect(conn).get_table_names():
                schema.metadata.create_all(conn)
                conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                     "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
                conn.exec_driver_sql(f"INSERT INTO alembic_version (version_num) VALUES ('{schema.SCHEMA_REVISION}')")
                return
            from alembic import command
            from alembic.config import Config

            config = Config()
            config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def ensure_schema(self) -> None:
        """Upgrade when the schema is missing or older than this code expects."""
        if self.schema_revision() != schema.SCHEMA_REVISION:
            self.retrying(self.upgrade)

    def reset(self) -> None:
        """Drop every table and create them again: all runs are lost, and the XCom objects
        their rows referred to are deleted."""
        with self.engine.begin() as conn:
            objects = _referenced_objects(conn, []) if inspect(conn).has_table("xcom") else []
            schema.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        self.upgrade()
        xcom_backend.delete_objects(objects)

    # -- runs -----------------------------------------------------------------------------
    def create_run(
        self,
        run_id: str,
        dag_id: str,
        logical_date: datetime,
        conf: dict[str, Any],
        fileloc: str,
        tasks: Sequence[tuple[str, int]],
    ) -> RunRecord:
        """Insert the run and one ``none`` row per task (``tasks``: ``(task_id, retries)`` pairs)."""
        with self.new_run(run_id, dag_id, logical_date, conf, fileloc, tasks):
            pass
        return self.get_run(run_id)

    @contextlib.contextmanager
    def new_run(
        self,
        run_id: str,
        dag_id: str,
        logical_date: datetime,
        conf: dict[str, Any],
        fileloc: str,
        tasks: Sequence[tuple[str, int]],
    ) -> Iterator[RunTransaction]:
        """Insert the run and one ``none`` row per task (``tasks``: ``(task_id, retries)`` pairs),
        and hold that transaction for the run's first step (committed when the block ends).
        Raises :class:`DuplicateRunError` when ``run_id`` exists already."""
        now = utcnow()
        with self.begin() as conn:
            try:
                conn.execute(
                    insert(dag_run).values(
                        run_id=run_id,
                        dag_id=dag_id,
                        state=DagRunState.RUNNING.value,
                        logical_date=logical_date,
                        conf=json.dumps(conf),
                        fileloc=fileloc,
                        start_date=now,
                        created_at=now,
                    )
                )
            except IntegrityError:
                raise DuplicateRunError(f"a run with id {run_id!r} exists already: choose another --run-id") from None
            conn.execute(
                insert(task_instance),
                [
                    {"run_id": run_id, "task_id": task_id, "map_index": -1, "state": TaskInstanceState.NONE.value,
                     "try_number": 0, "max_tries": retries}
                    for task_id, retries in tasks
                ],
            )
            tx = RunTransaction(conn, RunRecord(run_id, dag_id, DagRunState.RUNNING.value, logical_date, dict(conf),
                                                fileloc, now, None))
            yield tx
        if tx.rows_inserted and not self.is_sqlite:
            self._refresh_statistics(tx.rows_inserted)

    @unit_of_work
    def get_run(self, run_id: str) -> RunRecord:
        with self.begin() as conn:
            row = conn.execute(select(dag_run).where(dag_run.c.run_id == run_id)).first()
        if row is None:
            raise RunNotFound(f"no run with id {run_id!r} (see `chordflow runs list`)")
        return RunRecord.from_row(row)

    @unit_of_work
    def list_runs(self, dag_id: str | None = None, state: str | None = None, limit: int = 100) -> list[RunRecord]:
        query = select(dag_run).order_by(dag_run.c.created_at.desc()).limit(limit)
        if dag_id:
            query = query.where(dag_run.c.dag_id == dag_id)
        if state:
            query = query.where(dag_run.c.state == state)
        with self.begin() as conn:
            return [RunRecord.from_row(row) for row in conn.execute(query)]

    @unit_of_work
    def running_run_ids(self) -> list[str]:
        with self.begin() as conn:
            query = select(dag_run.c.run_id).where(dag_run.c.state == DagRunState.RUNNING.value)
            return list(conn.execute(query).scalars())

    @unit_of_work
    def cancel_run(self, run_id: str, note: str, error: str) -> dict[str, int]:
        """End a run that has not ended: every unfinished instance ``failed`` with ``error``, then
        the run ``failed`` with ``note``, in one transaction holding the run's row lock (an advance
        step of the run never interleaves). Each change is a compare-and-set: a worker's claim or
        end of try racing with it either happened before or finds nothing to change; a worker
        holding a ``running`` instance notices at its next heartbeat and stops the try.

        Returns ``{"running": n, "waiting": m}``: the instances failed that were running, and those
        that were not (none, scheduled, queued, up_for_retry). Raises :class:`RunNotFound`, and
        :class:`RunStateError` when the run has ended already.
        """
        now = utcnow()
        running = TaskInstanceState.RUNNING.value
        waiting = [s.value for s in UNFINISHED_STATES if s is not TaskInstanceState.RUNNING]
        with self.begin() as conn:
            record = self._lock_run(conn, run_id)
            if record.state not in _UNENDED_RUN_STATES:
                raise RunStateError(f"run {run_id!r} has ended already ({record.state}): nothing to cancel")
            fail = update(task_instance).values(state=TaskInstanceState.FAILED.value, end_date=now, error=error)
            of_run = task_instance.c.run_id == run_id
            # Waiting ones first: once they are failed no claim can make a new running one.
            counts = {"waiting": conn.execute(fail.where(of_run, task_instance.c.state.in_(waiting))).rowcount,
                      "running": conn.execute(fail.where(of_run, task_instance.c.state == running)).rowcount}
            conn.execute(
                update(dag_run)
                .where(dag_run.c.run_id == run_id)
                .values(state=DagRunState.FAILED.value, end_date=now, note=note)
            )
        return counts

    def _lock_run(self, conn: Connection, run_id: str) -> RunRecord:
        """The run's row, locked until the end of ``conn``'s transaction (SQLite: BEGIN IMMEDIATE
        locked the whole database already). Raises :class:`RunNotFound`."""
        query = select(dag_run).where(dag_run.c.run_id == run_id)
        if not self.is_sqlite:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise RunNotFound(f"no run with id {run_id!r} (see `chordflow runs list`)")
        return RunRecord.from_row(row)

    @unit_of_work
    def delete_run(self, run_id: str) -> dict[str, int]:
        """Delete an ended run's rows from every table, then (after the commit, best effort, logged)
        the XCom objects its XCom rows referred to. Returns ``{table: rows deleted}``. Raises
        :class:`RunNotFound`, and :class:`RunStateError` while the run has not ended."""
        with self.begin() as conn:
            ensure_ended(self._lock_run(conn, run_id))
            objects = _referenced_objects(conn, [xcom.c.run_id == run_id])
            deleted = {
                table.name: conn.execute(delete(table).where(table.c.run_id == run_id)).rowcount
                for table in (xcom, task_log, task_map, task_instance_history, task_instance, dag_run)
            }
        xcom_backend.delete_objects(objects)  # after the commit: a retried delete finds them again
        return deleted

    @contextlib.contextmanager
    def locked_run(self, run_id: str) -> Iterator[RunTransaction]:
        """One transaction holding the run's row lock: advance steps of a run never interleave."""
        with self.begin() as conn:
            query = select(dag_run).where(dag_run.c.run_id == run_id)
            if not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                raise RunNotFound(f"no run with id {run_id!r}")
            tx = RunTransaction(conn, RunRecord.from_row(row))
            yield tx
        if tx.rows_inserted and not self.is_sqlite:
            self._refresh_statistics(tx.rows_inserted)

    def _refresh_statistics(self, rows_inserted: int) -> None:
        """Fresh statistics before workers claim new rows, when they are big or the table's
        statistics do not know about rows like them (never analyzed, or the table at least
        doubled): without, PostgreSQL takes the table for tiny and plans each claim and end of
        try as a scan of the whole map (measured: 1.8 million rows read for a 1000-way map)."""
        with self.autocommit() as conn:
            known = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'task_instance'::regclass").scalar()
            if rows_inserted >= ANALYZE_AFTER_ROWS or known is None or rows_inserted > known:
                conn.exec_driver_sql("ANALYZE task_instance")

    # -- task instances: reads ---------------------------------------------------------------
    @unit_of_work
    def state_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """``{task_id: {state: count}}`` over every instance of the run."""
        with self.begin() as conn:
            return _state_counts(conn, run_id)

    @unit_of_work
    def map_lengths(self, run_id: str) -> dict[str, int]:
        with self.begin() as conn:
            rows = conn.execute(select(task_map.c.task_id, task_map.c.length).where(task_map.c.run_id == run_id))
            return {row.task_id: row.length for row in rows}

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
    def list_instances(
        self, run_id: str, task_id: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        query = (
            select(task_instance)
            .where(task_instance.c.run_id == run_id)
            .order_by(task_instance.c.task_id, task_instance.c.map_index)
            .offset(offset)
        )
        if task_id is not None:
            query = query.where(task_instance.c.task_id == task_id)
        if limit is not None:
            query = query.limit(limit)
        with self.begin() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    @unit_of_work
    def list_tries(self, run_id: str, task_id: str, map_index: int) -> list[dict[str, Any]]:
        """Every try of one instance, oldest first: those a ``tasks clear`` archived, the current
        one (when it has started), and between them the tries that ended ``up_for_retry`` (only
        their log keeps what happened). Each ``{"try_number", "state", "start_date", "end_date",
        "hostname", "error", "rendered_map_index"}``."""
        names = _HISTORY_COLUMNS[3:]
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
                   "rendered_map_index": None}
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
    def instance_exists(self, run_id: str, task_id: str, map_index: int | None = None) -> bool:
        query = select(func.count()).select_from(task_instance).where(
            task_instance.c.run_id == run_id, task_instance.c.task_id == task_id
        )
        if map_index is not None:
            query = query.where(task_instance.c.map_index == map_index)
        with self.begin() as conn:
            return bool(conn.execute(query).scalar())

    # -- task instances: the worker's compare-and-set ----------------------------------------
    def claim(
        self, run_id: str, task_id: str, map_indices: Sequence[int], hostname: str, zombie_after: float | None = None
    ) -> list[ClaimedInstance]:
        """The instances :meth:`claim_batch` claimed."""
        return self.claim_batch(run_id, task_id, map_indices, hostname, zombie_after).instances

    @unit_of_work
    def claim_batch(
        self, run_id: str, task_id: str, map_indices: Sequence[int], hostname: str, zombie_after: float | None = None
    ) -> ClaimedBatch:
        """Move claimable instances to ``running`` and count a new try; others are left alone.
        Returns those claimed and, read in the same statement, the task's map lengths.

        With ``zombie_after``, a ``running`` instance whose heartbeat is older than that many
        seconds is claimable too: its worker died and the message came back to another one. That
        try resumes under its own number: a lost worker is not counted against the retries.

        On PostgreSQL this is one statement in one round trip (the update in a CTE).
        """
        now = utcnow()
        zombie_before = None if zombie_after is None else now - timedelta(seconds=zombie_after)
        if not self.is_sqlite:
            params = {"run_id": run_id, "task_id": task_id, "maps": list(map_indices), "now": now,
                      "hostname": hostname, "zombie_before": zombie_before}
            rows = [_Claimed(*row) for row in self._execute_prepared("chordflow_claim", params)]
            raw = rows[0].lengths if rows else None
        else:
            claimable = task_instance.c.state.in_([s.value for s in CLAIMABLE_STATES])
            if zombie_before is not None:
                claimable = or_(claimable, _is_zombie(zombie_before))
            claimed = (
                update(task_instance)
                .where(
                    task_instance.c.run_id == run_id,
                    task_instance.c.task_id == task_id,
                    task_instance.c.map_index.in_(list(map_indices)),
                    claimable,
                )
                .values(
                    state=TaskInstanceState.RUNNING.value,
                    try_number=task_instance.c.try_number
                    + case((task_instance.c.state == TaskInstanceState.RUNNING.value, 0), else_=1),
                    start_date=now,
                    end_date=None,
                    heartbeat_at=now,
                    hostname=hostname,
                    error=None,
                )
                .returning(task_instance.c.map_index, task_instance.c.try_number, task_instance.c.max_tries)
            )
            lengths = select(task_map.c.lengths).where(task_map.c.run_id == run_id, task_map.c.task_id == task_id)
            with self.begin() as conn:
                rows = conn.execute(claimed).all()
                raw = conn.execute(lengths).scalar() if rows else None
        instances = sorted((ClaimedInstance(r.map_index, r.try_number, r.max_tries) for r in rows),
                           key=lambda c: c.map_index)
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
    def instance_states(self, instances: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str, int], tuple]:
        """``{(run_id, task_id, map_index): (state, error)}`` of these instances (absent: no such row)."""
        keys = list(instances)
        if not keys:
            return {}
        columns = (task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index)
        query = select(*columns, task_instance.c.state, task_instance.c.error).where(tuple_(*columns).in_(keys))
        with self.begin() as conn:
            return {(r.run_id, r.task_id, r.map_index): (r.state, r.error) for r in conn.execute(query)}

    @unit_of_work
    def requeue_zombies(self, zombie_after: float) -> dict[tuple[str, str], list[int]]:
        """Put ``running`` instances without a recent heartbeat back to ``queued`` (their try did
        not end: it is not counted against their retries). Returns ``{(run_id, task_id): indices}``."""
        now = utcnow()
        with self.begin() as conn:
            rows = conn.execute(
                update(task_instance)
                .where(_in_running_runs(), _is_zombie(now - timedelta(seconds=zombie_after)))
                .values(state=TaskInstanceState.QUEUED.value, queued_at=now,
                        try_number=task_instance.c.try_number - 1)
                .returning(task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index)
            ).all()
        return _indices_by_task(rows)

    @unit_of_work
    def stale_queued(self, requeue_after: float) -> dict[tuple[str, str], list[int]]:
        """``queued`` instances waiting longer than ``requeue_after`` seconds (their message may be
        lost), as ``{(run_id, task_id): indices}``. Nothing is changed: see :meth:`touch_queued`."""
        threshold = utcnow() - timedelta(seconds=requeue_after)
        with self.begin() as conn:
            rows = conn.execute(
                select(task_instance.c.run_id, task_instance.c.task_id, task_instance.c.map_index).where(
                    _in_running_runs(), task_instance.c.state == TaskInstanceState.QUEUED.value,
                    task_instance.c.queued_at < threshold,
                )
            ).all()
        return _indices_by_task(rows)

    @unit_of_work
    def touch_queued(self, run_id: str, task_id: str, map_indices: Sequence[int], requeue_after: float) -> list[int]:
        """Restart the wait of still-stale ``queued`` instances; returns those this caller won
        (two schedulers never send the same instance again both)."""
        threshold = utcnow() - timedelta(seconds=requeue_after)
        with self.begin() as conn:
            rows = conn.execute(
                update(task_instance)
                .where(
                    task_instance.c.run_id == run_id,
                    task_instance.c.task_id == task_id,
                    task_instance.c.map_index.in_(list(map_indices)),
                    task_instance.c.state == TaskInstanceState.QUEUED.value,
                    task_instance.c.queued_at < threshold,
                )
                .values(queued_at=utcnow())
                .returning(task_instance.c.map_index)
            ).all()
        return sorted(row.map_index for row in rows)

    @unit_of_work
    def fail_queued(self, error: str) -> int:
        """End every ``queued`` instance of every running run as ``failed`` with ``error``."""
        with self.begin() as conn:
            return conn.execute(
                update(task_instance)
                .where(_in_running_runs(), task_instance.c.state == TaskInstanceState.QUEUED.value)
                .values(state=TaskInstanceState.FAILED.value, end_date=utcnow(), error=error)
            ).rowcount

    def finish(
        self,
        run_id: str,
        task_id: str,
        map_index: int,
        try_number: int,
        state: TaskInstanceState,
        *,
        xcoms: dict[str, str] | None = None,
        error: str | None = None,
        log: str | None = None,
        hostname: str | None = None,
    ) -> bool:
        """End one try; see :meth:`finish_many`. False when the try was no longer current."""
        ending = TryEnd(map_index, try_number, state, xcoms or {}, error, log, hostname)
        return self.finish_many(run_id, task_id, [ending]) == [True]

    @unit_of_work
    def finish_many(self, run_id: str, task_id: str, endings: Sequence[TryEnd]) -> list[bool]:
        """End several tries in one transaction: each a compare-and-set from ``running`` at its
        ``try_number`` to its state; the XComs (JSON texts) and logs of those that were still
        current are upserted in bulk. Returns, per ending, whether it was recorded."""
        now = utcnow()
        if not self.is_sqlite:
            return self._finish_many_in_one_statement(run_id, task_id, endings, now)
        with self.begin() as conn:
            # SQLite is in the process: one plain statement per try costs microseconds, once the
            # statement need not be built and compiled each time (the driver's cursor, same transaction).
            cursor = conn.connection.cursor()
            recorded = []
            for e in endings:
                cursor.execute(_FINISH_ONE_SQLITE, (
                    e.state.value, e.error, _sqlite_time(e.end_date or now), _sqlite_time(e.start_date),
                    e.rendered_map_index, run_id, task_id, e.map_index, e.try_number,
                ))
                recorded.append(cursor.rowcount == 1)
            cursor.close()
            kept = [e for e, ok in zip(endings, recorded, strict=True) if ok]
            xcom_rows = [
                {"run_id": run_id, "task_id": task_id, "map_index": e.map_index, "key": key, "value": text}
                for e in kept
                for key, text in e.xcoms.items()
            ]
            log_rows = [
                {"run_id": run_id, "task_id": task_id, "map_index": e.map_index, "try_number": e.try_number,
                 "content": e.log, "hostname": e.hostname}
                for e in kept
                if e.log is not None
            ]
            if xcom_rows:
                conn.execute(self._upsert_statement(xcom, ["run_id", "task_id", "map_index", "key"], ["value"]),
                             xcom_rows)
            if log_rows:
                conn.execute(self._log_append_statement(), log_rows)
        return recorded

    def _finish_many_in_one_statement(self, run_id: str, task_id: str, endings: Sequence[TryEnd],
                                      now: datetime) -> list[bool]:
        """PostgreSQL: the compare-and-sets, XCom and log upserts of :meth:`finish_many` as one
        statement (data-modifying CTEs; rows passed as arrays), so one round trip and one commit."""
        xcom_rows = [(e.map_index, key, text) for e in endings for key, text in e.xcoms.items()]
        log_rows = [(e.map_index, e.try_number, e.log, e.hostname) for e in endings if e.log is not None]
        params = {
            "run_id": run_id, "task_id": task_id, "now": now,
            "maps": _pg_array([e.map_index for e in endings]), "tries": _pg_array([e.try_number for e in endings]),
            "states": _pg_array([e.state.value for e in endings], _pg_text),
            "errors": _pg_array([e.error for e in endings], _pg_text),
            "starts": _pg_array([e.start_date for e in endings], _pg_time),
            "ends": _pg_array([e.end_date for e in endings], _pg_time),
            "names": _pg_array([e.rendered_map_index for e in endings], _pg_text),
            "x_maps": _pg_array([r[0] for r in xcom_rows]), "x_keys": _pg_array([r[1] for r in xcom_rows], _pg_text),
            "x_values": _pg_array([r[2] for r in xcom_rows], _pg_text),
            "l_maps": _pg_array([r[0] for r in log_rows]), "l_tries": _pg_array([r[1] for r in log_rows]),
            "l_contents": _pg_array([r[2] for r in log_rows], _pg_text),
            "l_hosts": _pg_array([r[3] for r in log_rows], _pg_text),
        }
        ended = {row[0] for row in self._execute_prepared("chordflow_finish", params)}
        return [e.map_index in ended for e in endings]

    def _log_append_statement(self, source=None):
        """Insert a try's log, or append to the part written while it ran (and to what an earlier
        holder of the same try wrote, when it was resumed after its worker died): ``source``, a
        SELECT of the columns, or values given at execution."""
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        statement = dialect_insert(task_log)
        if source is not None:
            statement = statement.from_select(_LOG_COLUMNS, source)
        return statement.on_conflict_do_update(
            index_elements=["run_id", "task_id", "map_index", "try_number"],
            set_={"content": task_log.c.content + statement.excluded.content, "hostname": statement.excluded.hostname},
        )

    def _upsert_statement(self, table, keys: list[str], values: list[str]):
        if self.is_sqlite:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        statement = dialect_insert(table)
        return statement.on_conflict_do_update(
            index_elements=keys, set_={name: getattr(statement.excluded, name) for name in values}
        )

    # -- XCom -----------------------------------------------------------------------------
    @unit_of_work
    def xcom_value(
        self, run_id: str, task_id: str, map_index: int = -1, key: str = "return_value", conn: Connection | None = None
    ) -> Any:
        """The value one instance pushed; ``KeyError`` when there is none."""
        with self.using(conn) as conn:
            text = conn.execute(
                select(xcom.c.value).where(
                    xcom.c.run_id == run_id,
                    xcom.c.task_id == task_id,
                    xcom.c.map_index == map_index,
                    xcom.c.key == key,
                )
            ).scalar()
        if text is None:
            raise KeyError((task_id, map_index, key))
        return xcom_backend.resolve(json.loads(text))

    @unit_of_work
    def xcom_count(self, run_id: str, task_id: str, key: str = "return_value", conn: Connection | None = None) -> int:
        with self.using(conn) as conn:
            return conn.execute(
                select(func.count()).select_from(xcom).where(*_mapped_xcoms(run_id, task_id, key))
            ).scalar()

    @unit_of_work
    def xcom_map_indices(
        self, run_id: str, task_id: str, key: str = "return_value", conn: Connection | None = None
    ) -> list[int]:
        with self.using(conn) as conn:
            return list(
                conn.execute(
                    select(xcom.c.map_index).where(*_mapped_xcoms(run_id, task_id, key)).order_by(xcom.c.map_index)
                ).scalars()
            )

    def iter_xcom_values(
        self, run_id: str, task_id: str, key: str = "return_value", conn: Connection | None = None
    ) -> Iterator[Any]:
        """A mapped task's values in map_index order, fetched a page at a time (keyset pagination)."""
        after = -1
        while True:
            with self.using(conn) as page_conn:
                rows = page_conn.execute(
                    select(xcom.c.map_index, xcom.c.value)
                    .where(*_mapped_xcoms(run_id, task_id, key), xcom.c.map_index > after)
                    .order_by(xcom.c.map_index)
                    .limit(XCOM_STREAM_PAGE)
                ).all()
            for row in rows:
                yield xcom_backend.resolve(json.loads(row.value))
            if len(rows) < XCOM_STREAM_PAGE:
                return
            after = rows[-1].map_index

    # -- logs -----------------------------------------------------------------------------
    @unit_of_work
    def get_logs(self, run_id: str, task_id: str, map_index: int, try_number: int | None = None) -> list[dict]:
        query = (
            select(task_log)
            .where(task_log.c.run_id == run_id, task_log.c.task_id == task_id, task_log.c.map_index == map_index)
            .order_by(task_log.c.try_number)
        )
        if try_number is not None:
            query = query.where(task_log.c.try_number == try_number)
        with self.begin() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    @unit_of_work
    def log_since(self, run_id: str, task_id: str, map_index: int, try_number: int,
                  offset: int) -> tuple[str, str | None] | None:
        """``(text, hostname)``: a try's log after its first ``offset`` characters (what a reader
        following it has not printed yet); ``None`` while the try has no log."""
        query = select(func.substr(task_log.c.content, offset + 1), task_log.c.hostname).where(
            task_log.c.run_id == run_id, task_log.c.task_id == task_id, task_log.c.map_index == map_index,
            task_log.c.try_number == try_number,
        )
        with self.begin() as conn:
            row = conn.execute(query).first()
        return None if row is None else (row[0] or "", row[1])

    def append_logs(self, chunks: Sequence[LogChunk], while_running: bool = True) -> list[bool]:
        """Append each chunk to its try's log, in one transaction, where the try is still its
        host's: with ``while_running``, the instance is ``running`` at that try on that host (the
        live log of a running try); without, it was ended from outside at that try (the rest of the
        log of a try that was stopped). Returns, per chunk, whether it was written.

        One attempt, no retries (a live log is written again a second later): wrap in
        :meth:`retrying` for more."""
        held = task_instance.c.state == TaskInstanceState.RUNNING.value
        if not while_running:
            held = task_instance.c.state != TaskInstanceState.RUNNING.value
        written = []
        with self.begin() as conn:
            for chunk in chunks:
                holder = exists().where(
                    task_instance.c.run_id == chunk.run_id, task_instance.c.task_id == chunk.task_id,
                    task_instance.c.map_index == chunk.map_index, task_instance.c.try_number == chunk.try_number,
                    task_instance.c.hostname == chunk.hostname, held,
                )
                source = select(*(literal(getattr(chunk, name)) for name in _LOG_FIELDS)).where(holder)
                written.append(conn.execute(self._log_append_statement(source)).rowcount == 1)
        return written

    # -- clearing -------------------------------------------------------------------------
    @unit_of_work
    def clear(
        self,
        run_id: str,
        selections: Iterable[tuple[str, list[int] | None, bool, int]],
        resets: Iterable[tuple[str, int]],
    ) -> int:
        """Make instances run again and the run ``running``; returns how many were cleared.

        ``selections``: ``(task_id, map_indices or None for all, only_failed, retries)``: finished
        instances go back to ``none`` with ``retries`` more tries (as Airflow's clear), their XComs
        dropped. ``resets``: ``(task_id, retries)`` of mapped tasks to expand again from one ``-1``
        row. Either way the tries that ran are kept in ``task_instance_history`` (with their logs,
        under their own numbers), and the next try of each instance is numbered after them.
        """
        cleared = 0
        objects: list[str] = []
        failed_states = [TaskInstanceState.FAILED.value, TaskInstanceState.UPSTREAM_FAILED.value]
        with self.begin() as conn:
            for task_id, indices, only_failed, retries in selections:
                where = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id]
                if indices is not None:
                    where.append(task_instance.c.map_index.in_(indices))
                if only_failed:
                    where.append(task_instance.c.state.in_(failed_states))
                where.append(task_instance.c.state.in_([s.value for s in FINISHED_STATES]))
                chosen = list(conn.execute(select(task_instance.c.map_index).where(*where)).scalars())
                if not chosen:
                    continue
                cleared += len(chosen)
                _archive_tries(conn, where)
                conn.execute(
                    update(task_instance)
                    .where(*where)
                    .values(
                        state=TaskInstanceState.NONE.value,
                        end_date=None,
                        error=None,
                        max_tries=task_instance.c.try_number + retries,
                    )
                )
                if -1 in chosen:  # a map that ended before expanding (empty, or its source failed): expand again
                    conn.execute(delete(task_map).where(task_map.c.run_id == run_id, task_map.c.task_id == task_id))
                their_xcoms = [xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.map_index.in_(chosen)]
                objects += _referenced_objects(conn, their_xcoms)
                conn.execute(delete(xcom).where(*their_xcoms))
            for task_id, retries in resets:
                theirs = [task_instance.c.run_id == run_id, task_instance.c.task_id == task_id]
                _archive_tries(conn, theirs)
                rows = conn.execute(
                    delete(task_instance).where(*theirs).returning(task_instance.c.map_index,
                                                                   task_instance.c.try_number)
                ).all()
                cleared += len(rows)
                unexpanded_tries = max((row.try_number for row in rows if row.map_index == -1), default=0)
                objects += _referenced_objects(conn, [xcom.c.run_id == run_id, xcom.c.task_id == task_id])
                conn.execute(delete(xcom).where(xcom.c.run_id == run_id, xcom.c.task_id == task_id))
                conn.execute(delete(task_map).where(task_map.c.run_id == run_id, task_map.c.task_id == task_id))
                conn.execute(
                    insert(task_instance).values(
                        run_id=run_id, task_id=task_id, map_index=-1, state=TaskInstanceState.NONE.value,
                        try_number=unexpanded_tries, max_tries=unexpanded_tries + retries,
                    )
                )
            if cleared:
                conn.execute(
                    update(dag_run)
                    .where(dag_run.c.run_id == run_id)
                    .values(state=DagRunState.RUNNING.value, end_date=None, note=None)  # its old end no longer holds
                )
        xcom_backend.delete_objects(objects)  # after the commit: a retried clear finds them again
        return cleared


#: What task_instance_history keeps of a try.
_HISTORY_COLUMNS = ("run_id", "task_id", "map_index", "try_number", "state", "start_date", "end_date", "hostname",
                    "error", "rendered_map_index")


def _archive_tries(conn: Connection, where: list) -> None:
    """Copy the tries that ran, among the instances ``where`` selects, into task_instance_history
    (a try archived already keeps its first record: it ended then)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    tried = select(*(task_instance.c[name] for name in _HISTORY_COLUMNS)).where(*where, task_instance.c.try_number > 0)
    conn.execute(dialect_insert(task_instance_history).from_select(_HISTORY_COLUMNS, tried).on_conflict_do_nothing())


def _referenced_objects(conn: Connection, where: list) -> list[str]:
    """The XCom texts, among the rows ``where`` selects, that refer to an object in the store."""
    return list(conn.execute(
        select(xcom.c.value).where(*where, xcom.c.value.startswith(xcom_backend.REFERENCE_PREFIX, autoescape=True))
    ).scalars())


def _indices_by_task(rows) -> dict[tuple[str, str], list[int]]:
    """Rows of ``(run_id, task_id, map_index)`` as ``{(run_id, task_id): sorted indices}``."""
    found: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        found.setdefault((row.run_id, row.task_id), []).append(row.map_index)
    return {key: sorted(indices) for key, indices in found.items()}


#: The worker's two statements on PostgreSQL, prepared once on each connection of the store's
#: autocommit pool (no planning per call): name -> (parameter types, statement, call). Both find
#: their rows by the whole primary key (``map_index = ANY(array)``), one lookup per index whatever
#: the size of the map and whatever the statistics say: joined to the unnested array instead, the
#: end of tries was planned from statistics taken at expansion (every row ``queued``, so
#: ``state = 'running'`` looked like one row) as a scan of the whole map per write.
_RUNNING = TaskInstanceState.RUNNING.value
_CLAIMABLE = ", ".join(f"'{state.value}'" for state in CLAIMABLE_STATES)
PREPARED_PG = {
    # claim_batch: the compare-and-set of the claim, and the task's map lengths.
    "chordflow_claim": ("text, text, integer[], timestamp, text, timestamp", f"""
WITH claimed AS (
    UPDATE task_instance AS ti
    SET state = '{_RUNNING}', try_number = ti.try_number + CASE WHEN ti.state = '{_RUNNING}' THEN 0 ELSE 1 END,
        start_date = $4, end_date = NULL, heartbeat_at = $4, hostname = $5, error = NULL
    WHERE ti.run_id = $1 AND ti.task_id = $2 AND ti.map_index = ANY($3)
      AND (ti.state IN ({_CLAIMABLE}) OR (ti.state = '{_RUNNING}' AND ti.heartbeat_at < $6))
    RETURNING ti.map_index, ti.try_number, ti.max_tries
)
SELECT c.map_index, c.try_number, c.max_tries,
       (SELECT lengths FROM task_map WHERE run_id = $1 AND task_id = $2) AS lengths
FROM claimed AS c
""", "EXECUTE chordflow_claim(%(run_id)s, %(task_id)s, %(maps)s, %(now)s, %(hostname)s, %(zombie_before)s)"),
    # finish_many: each try's compare-and-set, then the XComs and logs of the tries that were
    # still current (joined on what the update returned); a log is appended to what the try wrote
    # while it ran.
    "chordflow_finish": ("text, text, timestamp, integer[], integer[], text[], text[], integer[], text[], text[], "
                         "integer[], integer[], text[], text[], timestamp[], timestamp[], text[]", f"""
WITH ended AS (
    UPDATE task_instance AS ti
    SET state = ($6)[array_position($4, ti.map_index)], error = ($7)[array_position($4, ti.map_index)],
        end_date = coalesce(($16)[array_position($4, ti.map_index)], $3),
        start_date = coalesce(($15)[array_position($4, ti.map_index)], ti.start_date),
        rendered_map_index = ($17)[array_position($4, ti.map_index)]
    WHERE ti.run_id = $1 AND ti.task_id = $2 AND ti.map_index = ANY($4)
      AND ti.try_number = ($5)[array_position($4, ti.map_index)] AND ti.state = '{_RUNNING}'
    RETURNING ti.map_index
), xcoms AS (
    INSERT INTO xcom (run_id, task_id, map_index, key, value)
    SELECT $1, $2, x.map_index, x.key, x.value FROM unnest($8, $9, $10) AS x(map_index, key, value)
    WHERE x.map_index IN (SELECT map_index FROM ended)
    ON CONFLICT (run_id, task_id, map_index, key) DO UPDATE SET value = excluded.value
), logs AS (
    INSERT INTO task_log (run_id, task_id, map_index, try_number, content, hostname)
    SELECT $1, $2, l.map_index, l.try_number, l.content, l.hostname
    FROM unnest($11, $12, $13, $14) AS l(map_index, try_number, content, hostname)
    WHERE l.map_index IN (SELECT map_index FROM ended)
    ON CONFLICT (run_id, task_id, map_index, try_number)
    DO UPDATE SET content = task_log.content || excluded.content, hostname = excluded.hostname
)
SELECT map_index FROM ended
""", "EXECUTE chordflow_finish(%(run_id)s, %(task_id)s, %(now)s, %(maps)s, %(tries)s, %(states)s, %(errors)s, "
     "%(x_maps)s, %(x_keys)s, %(x_values)s, %(l_maps)s, %(l_tries)s, %(l_contents)s, %(l_hosts)s, %(starts)s, "
     "%(ends)s, %(names)s)"),
}


#: finish_many on SQLite: the compare-and-set of one try (run through the driver's cursor).
_FINISH_ONE_SQLITE = f"""
UPDATE task_instance SET state = ?, error = ?, end_date = ?, start_date = coalesce(?, start_date),
    rendered_map_index = ?
WHERE run_id = ? AND task_id = ? AND map_index = ? AND try_number = ? AND state = '{TaskInstanceState.RUNNING.value}'
"""


def _pg_text(value: str | None) -> str:
    return "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pg_time(value: datetime | None) -> str:
    return "NULL" if value is None else value.isoformat()


def _pg_array(values: Sequence[Any], item=str) -> str:
    """A PostgreSQL array literal of ``values`` (``item``: how one is written; ints by default),
    given as one text parameter: psycopg2 adapts a Python list item by item, which cost more
    than the statement itself for a batch of 200 ends."""
    return "{" + ",".join(map(item, values)) + "}"


def ensure_ended(record: RunRecord) -> None:
    """Raise :class:`RunStateError` unless the run has ended (what deleting it needs)."""
    if record.state in _UNENDED_RUN_STATES:
        raise RunStateError(f"run {record.run_id!r} is {record.state}: end it first with "
                            f"`chordflow runs cancel {record.run_id}`")


def with_driver(url: str) -> str:
    """``postgresql://...`` with the driver Chordflow ships (psycopg2): SQLAlchemy 2.1 would pick
    psycopg 3 for a URL that names none."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def _sqlite_time(moment: datetime | None) -> str | None:
    """A timestamp as SQLAlchemy stores it in SQLite."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S.%f")


#: task_log's columns as :meth:`Store.append_logs` fills them from a :class:`LogChunk`'s fields.
_LOG_COLUMNS = ["run_id", "task_id", "map_index", "try_number", "content", "hostname"]
_LOG_FIELDS = ["run_id", "task_id", "map_index", "try_number", "text", "hostname"]
#: Run states a run has not ended in: it may be cancelled, it may not be deleted.
_UNENDED_RUN_STATES = frozenset({DagRunState.QUEUED.value, DagRunState.RUNNING.value})


def _in_running_runs():
    """Instances of running runs only: the reconciler's scans read those runs' rows through the
    primary key, never the whole history."""
    return task_instance.c.run_id.in_(select(dag_run.c.run_id).where(dag_run.c.state == DagRunState.RUNNING.value))


def _is_zombie(heartbeat_before: datetime):
    """Running instances whose last heartbeat is older than ``heartbeat_before``."""
    return and_(
        task_instance.c.state == TaskInstanceState.RUNNING.value,
        task_instance.c.heartbeat_at < heartbeat_before,
    )


def _mapped_xcoms(run_id: str, task_id: str, key: str) -> list:
    return [xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.key == key, xcom.c.map_index >= 0]


def _state_counts(conn: Connection, run_id: str) -> dict[str, dict[str, int]]:
    rows = conn.execute(
        select(task_instance.c.task_id, task_instance.c.state, func.count())
        .where(task_instance.c.run_id == run_id)
        .group_by(task_instance.c.task_id, task_instance.c.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for task_id, state, count in rows:
        counts.setdefault(task_id, {})[state] = count
    return counts


def record_map(conn: Connection, run_id: str, task_id: str, lengths: list[int]) -> None:
    """The lengths a task was expanded with (one per mapped parameter; ``[]``: never expanded)."""
    conn.execute(
        insert(task_map).values(run_id=run_id, task_id=task_id, length=map_total(lengths), lengths=json.dumps(lengths))
    )


def insert_instances(conn: Connection, run_id: str, task_id: str, lengths: list[int], state: TaskInstanceState,
                     retries: int) -> int:
    """Insert the ``total(lengths)`` instances of a map in one bulk statement, and its lengths;
    returns how many. An index that ran before a ``tasks clear`` sent its map back to be expanded
    again goes on from its last try (:data:`task_instance_history`), as in Airflow."""
    total = map_total(lengths)
    now = utcnow()
    queued_at = now if state is TaskInstanceState.QUEUED else None
    end_date = now if state in FINISHED_STATES else None
    if conn.dialect.name == "postgresql":  # the rows are made on the server: nothing to send
        conn.exec_driver_sql(
            "INSERT INTO task_instance (run_id, task_id, map_index, state, try_number, max_tries, queued_at, "
            "end_date) SELECT %(run_id)s, %(task_id)s, i, %(state)s, 0, %(max_tries)s, %(queued_at)s, %(end_date)s "
            "FROM generate_series(0, %(last)s) AS i",
            {"run_id": run_id, "task_id": task_id, "state": state.value, "max_tries": retries,
             "queued_at": queued_at, "end_date": end_date, "last": total - 1},
        )
    else:
        conn.execute(
            insert(task_instance),
            [
                {"run_id": run_id, "task_id": task_id, "map_index": i, "state": state.value,
                 "try_number": 0, "max_tries": retries, "queued_at": queued_at, "end_date": end_date}
                for i in range(total)
            ],
        )
    tried = (
        select(task_instance_history.c.map_index, func.max(task_instance_history.c.try_number))
        .where(task_instance_history.c.run_id == run_id, task_instance_history.c.task_id == task_id,
               task_instance_history.c.map_index >= 0)
        .group_by(task_instance_history.c.map_index)
    )
    earlier = [{"m": index, "n": tries} for index, tries in conn.execute(tried)]
    if earlier:
        conn.execute(
            update(task_instance)
            .where(task_instance.c.run_id == run_id, task_instance.c.task_id == task_id,
                   task_instance.c.map_index == bindparam("m"))
            .values(try_number=bindparam("n"), max_tries=bindparam("n") + retries),
            earlier,
        )
    record_map(conn, run_id, task_id, lengths)
    return total


class RunTransaction:
    """The scheduler's view of one run inside :meth:`Store.locked_run` (one transaction)."""

    def __init__(self, conn: Connection, run: RunRecord):
        self.conn = conn
        self.run = run
        self.rows_inserted = 0

    def state_counts(self) -> dict[str, dict[str, int]]:
        return _state_counts(self.conn, self.run.run_id)

    def task_state_counts(self, task_id: str) -> dict[str, int]:
        """``{state: count}`` over the instances of one task, counted by the database."""
        rows = self.conn.execute(
            select(task_instance.c.state, func.count())
            .where(task_instance.c.run_id == self.run.run_id, task_instance.c.task_id == task_id)
            .group_by(task_instance.c.state)
        )
        return {state: count for state, count in rows}

    def states_by_index(self, task_id: str) -> dict[int, str]:
        rows = self.conn.execute(
            select(task_instance.c.map_index, task_instance.c.state).where(
                task_instance.c.run_id == self.run.run_id, task_instance.c.task_id == task_id
            )
        )
        return {row.map_index: row.state for row in rows}

    def map_lengths(self) -> dict[str, int]:
        rows = self.conn.execute(
            select(task_map.c.task_id, task_map.c.length).where(task_map.c.run_id == self.run.run_id)
        )
        return {row.task_id: row.length for row in rows}

    def set_states(self, task_id: str, map_indices: Sequence[int] | None, state: TaskInstanceState,
                   error: str | None = None) -> list[int]:
        """Move undecided (``none``) instances to ``state``; returns the indices that moved."""
        where = [
            task_instance.c.run_id == self.run.run_id,
            task_instance.c.task_id == task_id,
            task_instance.c.state == TaskInstanceState.NONE.value,
        ]
        if map_indices is not None:
            where.append(task_instance.c.map_index.in_(list(map_indices)))
        now = utcnow()
        values: dict[str, Any] = {"state": state.value}
        if state is TaskInstanceState.QUEUED:
            values["queued_at"] = now
        elif state in FINISHED_STATES:
            values.update(end_date=now, error=error)
        statement = update(task_instance).where(*where).values(**values).returning(task_instance.c.map_index)
        rows = self.conn.execute(statement)
        return sorted(r.map_index for r in rows)

    def expand(self, task_id: str, lengths: list[int], state: TaskInstanceState, max_tries: int) -> None:
        """Replace the unexpanded ``-1`` row by ``total(lengths)`` rows in one bulk insert."""
        self.conn.execute(
            delete(task_instance).where(
                task_instance.c.run_id == self.run.run_id, task_instance.c.task_id == task_id,
                task_instance.c.map_index == -1,
            )
        )
        self.rows_inserted += insert_instances(self.conn, self.run.run_id, task_id, lengths, state, max_tries)

    def map_dims(self, task_id: str) -> list[int]:
        """The per-parameter lengths a task was expanded with."""
        raw = self.conn.execute(
            select(task_map.c.lengths).where(task_map.c.run_id == self.run.run_id, task_map.c.task_id == task_id)
        ).scalar()
        return json.loads(raw) if raw else []

    def record_map(self, task_id: str, lengths: list[int]) -> None:
        record_map(self.conn, self.run.run_id, task_id, lengths)

    def finish_run(self, state: DagRunState) -> None:
        self.conn.execute(
            update(dag_run).where(dag_run.c.run_id == self.run.run_id).values(state=state.value, end_date=utcnow())
        )
