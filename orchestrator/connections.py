"""Connections to the systems tasks work with, by id, from the environment (as Airflow's
``AIRFLOW_CONN_<CONN_ID>``): ``CHORDFLOW_CONN_WAREHOUSE=postgresql+psycopg2://...``.

A database connection id that is not configured is a database beside the store, so examples
run with no set-up: on PostgreSQL the store's own database, on the embedded default a SQLite
file ``$CHORDFLOW_HOME/<conn_id>.db``.
"""
from __future__ import annotations

import functools
import logging
import os
import re
from pathlib import Path

from orchestrator.settings import Settings

log = logging.getLogger("chordflow.task")


def env_name(conn_id: str) -> str:
    """The environment variable of a connection id: ``CHORDFLOW_CONN_`` + the id in upper case."""
    return "CHORDFLOW_CONN_" + re.sub(r"[^A-Z0-9]", "_", conn_id.upper())


def database_url(conn_id: str) -> str:
    """The SQLAlchemy URL of database connection ``conn_id``."""
    from orchestrator.store import masked_url, with_driver

    configured = os.environ.get(env_name(conn_id))
    if configured:
        return with_driver(configured)
    settings = Settings.from_env()
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite:///{settings.home / (re.sub(r'[^A-Za-z0-9_.-]', '_', conn_id) + '.db')}"
    else:
        url = with_driver(settings.database_url)
    log.info("Connection %r is not configured (%s): using %s", conn_id, env_name(conn_id), masked_url(url))
    return url


@functools.lru_cache(maxsize=16)
def _engine(url: str):
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA busy_timeout=60000")

        return engine
    return create_engine(url, pool_size=2, max_overflow=4, connect_args={"connect_timeout": 10})


def database_engine(conn_id: str):
    """A SQLAlchemy engine for ``conn_id`` (one per URL and process)."""
    return _engine(database_url(conn_id))
