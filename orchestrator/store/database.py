"""The database: engines (each made by its dialect), units of work and their
retries while the database is unreachable."""
from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, TypeVar

import tenacity
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from orchestrator.errors import ChordflowError
from orchestrator.schema import use_dialect
from orchestrator.store.dialects import Dialect, dialect_for
from orchestrator.store.reads import RunReads

T = TypeVar("T")
log = logging.getLogger("chordflow.store")


def utcnow() -> datetime:
    """Now in UTC, naive (the store keeps naive UTC timestamps)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def masked_url(url: str) -> str:
    """The URL with its password replaced by ``***``: safe for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown without anything after the scheme
        return url.split("://", 1)[0] + "://***"


def with_driver(url: str) -> str:
    """``postgresql://...`` with the driver Chordflow ships (psycopg2): SQLAlchemy 2.1 would pick
    psycopg 3 for a URL that names none."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def reads_on(conn: Connection) -> RunReads:
    """:class:`RunReads` on an open connection (its statements through ``exec_driver_sql``: no
    compilation, SQLAlchemy's errors and retries)."""
    def execute(sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        result = conn.exec_driver_sql(sql, params)
        return list(result.keys()), result.fetchall()

    return RunReads(execute, conn.dialect.name)


def create_database_engine(url: str, pool_size: int, max_overflow: int, store: bool = False) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL), the store's (``store``) or a task's
    connection; see :meth:`Dialect.create_engine`."""
    return dialect_for(url).create_engine(url, pool_size, max_overflow, store)


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
    def wrapper(self: Database, *args: Any, **kwargs: Any) -> T:
        if kwargs.get("conn") is not None:  # part of the caller's transaction: the caller retries
            return method(self, *args, **kwargs)
        return self.retrying(method, self, *args, **kwargs)

    return wrapper


class Database:
    """The store's engines and units of work for one process.

    :param url: a SQLAlchemy URL (``postgresql+psycopg2://...`` or ``sqlite:///...``).
    :param retry_for: seconds a unit of work is retried while the database is unreachable (default 10).
    """

    def __init__(self, url: str, retry_for: float = 10.0):
        """Make the engine (connections are opened at first use)."""
        self.url = url = with_driver(url)
        self.retry_for = retry_for
        self.is_sqlite = url.startswith("sqlite")
        #: The seam between SQLite and PostgreSQL: every statement that differs between them.
        self.dialect: Dialect = dialect_for(url)
        use_dialect(self.dialect.name)
        self.engine = create_database_engine(url, pool_size=5, max_overflow=10, store=True)
        self._autocommit_engine: Engine | None = None

    def dispose(self) -> None:
        """Drop pooled connections (after a fork, or before exit)."""
        self.engine.dispose(close=False)
        if self._autocommit_engine is not None:
            self._autocommit_engine.dispose(close=False)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a new transaction, committed when the block ends (rolled back on an error)."""
        with self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def reads(self) -> Iterator[RunReads]:
        """The reads of runs and instances (:class:`RunReads`) in a new transaction."""
        with self.begin() as conn:
            yield reads_on(conn)

    @contextlib.contextmanager
    def using(self, conn: Connection | None) -> Iterator[Connection]:
        """``conn`` when the caller is inside a transaction already, else a new unit of work."""
        if conn is not None:
            yield conn
        else:
            with self.begin() as new:
                yield new

    def retrying(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` (one unit of work), again with backoff while the database is unreachable,
        for up to ``retry_for`` seconds. Raises :class:`ChordflowError` naming host and port when
        it stays unreachable; any other error of ``fn`` as it is.

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
        (atomic by themselves; no BEGIN and COMMIT round trips), with the prepared statements of
        :mod:`orchestrator.store.prepared` ready.

        Its commits are asynchronous (``synchronous_commit = off``): a claim or an end of try
        lost in a crash of the database server -- not in a restart, which flushes the log -- leaves
        the instance ``running`` without heartbeats, and the reconciler runs it again. Everything
        else (runs, decisions, clears) commits durably through :meth:`begin`.
        """
        with self.autocommit_pool().connect() as conn:
            yield conn

    def autocommit_pool(self) -> Engine:
        """The engine behind :meth:`autocommit`, made at first use."""
        if self._autocommit_engine is None:
            self._autocommit_engine = self.dialect.create_autocommit_engine(self.url)
        return self._autocommit_engine
