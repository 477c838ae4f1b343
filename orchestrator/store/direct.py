"""The store's reads of runs and instances (:class:`~orchestrator.store.reads.RunReads`)
through the database's driver alone -- ``sqlite3`` or ``psycopg2``, no SQLAlchemy, no pool --
for a command that only reads and exits (``runs list``, ``runs show``, ``tasks list``).

SQLAlchemy's import is most of such a command's fixed cost (about 0.2 s of 0.4 s on a slow
machine), more than the reads themselves take even at a million instances. Whatever this
cannot open as it is -- a URL or driver it does not know, a database it cannot reach, a schema
that is missing or of another revision -- it leaves to the :class:`~orchestrator.store.Store`
(``None``), which creates or migrates the schema, retries while the database is unreachable
and says what is wrong.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Any
from urllib.parse import unquote

from orchestrator.errors import ChordflowError
from orchestrator.store.reads import RunReads
from orchestrator.store.revision import SCHEMA_REVISION

log = logging.getLogger("chordflow.store")

#: ``postgresql://``, ``postgres://`` or ``postgresql+psycopg2://`` (the store's own reading of a
#: URL, :func:`~orchestrator.store.database.with_driver`): what libpq reads as it is once the
#: driver's name is taken out of the scheme.
_POSTGRESQL = re.compile(r"^(?:postgres(?:ql)?|postgresql\+psycopg2)://")
#: Seconds a direct connection to PostgreSQL may take before the store is left to try.
CONNECT_TIMEOUT = 3


class DirectReads(RunReads):
    """:class:`RunReads` on a connection of the driver alone, each statement its own transaction.
    A connection lost during a read raises :class:`~orchestrator.errors.ChordflowError` naming the
    database (its password masked), as the store does once its retries are spent.

    :param conn: the DB-API connection (autocommit), closed by :meth:`close`.
    :param dialect: ``"sqlite"`` or ``"postgresql"``.
    :param url: the store's URL, for that error's message.
    """

    def __init__(self, conn: Any, dialect: str, url: str):
        super().__init__(self._execute_on_cursor, dialect)
        self._conn = conn
        self._cursor = conn.cursor()
        self._url = url
        self._lost: tuple[type[BaseException], ...] = _connection_errors(dialect)

    def _execute_on_cursor(self, sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        try:
            self._cursor.execute(sql, params)
            return [column[0] for column in self._cursor.description], self._cursor.fetchall()
        except self._lost as exc:
            from orchestrator.store.database import masked_url  # (SQLAlchemy, only on this error)

            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ChordflowError(f"cannot read the database at {masked_url(self._url)}: {reason}") from None

    def revision(self) -> str | None:
        """The schema's alembic revision; ``None`` when it has none (no schema yet)."""
        try:
            rows = self._execute_on_cursor("SELECT version_num FROM alembic_version", {})[1]
        except Exception:  # noqa: BLE001 - no such table: no schema yet
            return None
        return rows[0][0] if len(rows) == 1 else None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()


def open_direct(url: str) -> DirectReads | None:
    """:class:`DirectReads` on the store at ``url`` (a SQLAlchemy URL); ``None`` when the store
    should be opened instead (see the module's docstring). Never raises."""
    try:
        if url.startswith("sqlite:///"):
            conn, dialect = _sqlite(url), "sqlite"
        elif _POSTGRESQL.match(url):
            conn, dialect = _postgresql(url), "postgresql"
        else:
            return None
        if conn is None:
            return None
        reads = DirectReads(conn, dialect, url)
    except Exception as exc:  # noqa: BLE001 - any failure: the store opens it and says what is wrong
        log.debug("reading %s through the store: %s", url.split("://", 1)[0], exc)
        return None
    if reads.revision() != SCHEMA_REVISION:
        reads.close()
        return None
    return reads


def _connection_errors(dialect: str) -> tuple[type[BaseException], ...]:
    """The driver's errors that mean the connection was lost (or the file could not be read)."""
    if dialect == "sqlite":
        import sqlite3

        return (sqlite3.OperationalError,)
    import psycopg2

    return (psycopg2.OperationalError, psycopg2.InterfaceError)


def _sqlite(url: str) -> Any:
    """A connection to an existing SQLite file (``None``: in memory, or not made yet)."""
    import sqlite3

    path = unquote(url[len("sqlite:///"):].split("?", 1)[0])  # sqlite:///relative, sqlite:////absolute
    if not path or path == ":memory:" or not os.path.isfile(path):
        return None
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)  # autocommit: each read is its own
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


def _postgresql(url: str) -> Any:
    """A connection in autocommit mode; libpq reads the URL (user, password, host, port, database,
    and parameters such as ``sslmode``)."""
    import psycopg2

    conn = psycopg2.connect(_POSTGRESQL.sub("postgresql://", url), connect_timeout=CONNECT_TIMEOUT)
    conn.autocommit = True
    return conn
