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

from orchestrator.store.reads import RunReads
from orchestrator.store.revision import SCHEMA_REVISION

log = logging.getLogger("chordflow.store")

#: ``postgresql://``, ``postgres://`` or ``postgresql+psycopg2://``: what libpq reads as it is
#: once the driver's name is taken out of the scheme.
_POSTGRESQL = re.compile(r"^postgres(?:ql)?(?:\+psycopg2)?://")
#: Seconds a direct connection to PostgreSQL may take before the store is left to try.
CONNECT_TIMEOUT = 3


def open_direct(url: str) -> RunReads | None:
    """:class:`RunReads` on a connection of the driver alone to the store at ``url`` (a
    SQLAlchemy URL), its statements each in their own transaction; ``None`` when the store
    should be opened instead (see the module's docstring). Never raises."""
    try:
        if url.startswith("sqlite"):
            conn, dialect = _sqlite(url), "sqlite"
        elif _POSTGRESQL.match(url):
            conn, dialect = _postgresql(url), "postgresql"
        else:
            return None
        if conn is None:
            return None
    except Exception as exc:  # noqa: BLE001 - any failure: the store opens it and says what is wrong
        log.debug("reading %s through the store: %s", url.split("://", 1)[0], exc)
        return None
    cursor = conn.cursor()

    def execute(sql: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        cursor.execute(sql, params)
        return [column[0] for column in cursor.description], cursor.fetchall()

    reads = RunReads(execute, dialect)
    try:
        revision = execute("SELECT version_num FROM alembic_version", {})[1]
    except Exception:  # noqa: BLE001 - no schema yet: the store creates it
        revision = []
    if [row[0] for row in revision] != [SCHEMA_REVISION]:
        conn.close()
        return None
    return reads


def _sqlite(url: str) -> Any:
    """A connection to an existing SQLite file (``None``: in memory, or not made yet)."""
    import sqlite3

    path = unquote(url.split("://", 1)[1].split("?", 1)[0])[1:]  # sqlite:///relative, sqlite:////absolute
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
