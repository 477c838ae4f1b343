"""Connections to the systems tasks work with, by id, from the environment (as Airflow's
``AIRFLOW_CONN_<CONN_ID>``): ``CHORDFLOW_CONN_WAREHOUSE=postgresql+psycopg2://...``.

A database connection id that is not configured is a database beside the store, so examples
run with no set-up: on PostgreSQL the store's own database, on the embedded default a SQLite
file ``$CHORDFLOW_HOME/<conn_id>.db``.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING

from orchestrator.settings import CONNECTION_PREFIX, Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger("chordflow.task")


def env_name(conn_id: str) -> str:
    """The environment variable of a connection id: ``CHORDFLOW_CONN_`` + the id in upper case."""
    return CONNECTION_PREFIX + re.sub(r"[^A-Z0-9]", "_", conn_id.upper())


def database_url(conn_id: str, settings: Settings | None = None) -> str:
    """The SQLAlchemy URL of database connection ``conn_id`` (``settings``: default, read from
    the environment now)."""
    from orchestrator.store import masked_url, with_driver

    settings = settings or Settings.from_env()
    configured = settings.connections.get(env_name(conn_id))
    if configured:
        return with_driver(configured)
    if settings.database_url.startswith("sqlite"):
        url = f"sqlite:///{settings.home / (re.sub(r'[^A-Za-z0-9_.-]', '_', conn_id) + '.db')}"
    else:
        url = with_driver(settings.database_url)
    log.info("Connection %r is not configured (%s): using %s", conn_id, env_name(conn_id), masked_url(url))
    return url


@functools.lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    from orchestrator.store.database import create_database_engine

    return create_database_engine(url, pool_size=2, max_overflow=4)


def database_engine(conn_id: str, settings: Settings | None = None) -> Engine:
    """A SQLAlchemy engine for ``conn_id`` (one per URL and process)."""
    return _engine(database_url(conn_id, settings))
