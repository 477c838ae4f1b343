"""Variables: Airflow's key/value settings that tasks and templates read, kept in the store."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from orchestrator.schema import variable
from orchestrator.store.database import unit_of_work


class VariableStore:
    """The store's Variables (a part of :class:`~orchestrator.store.Store`). Each method runs in
    the caller's transaction when given ``conn``."""

    @unit_of_work
    def get_variable(self, key: str, conn: Connection | None = None) -> str | None:
        """The text stored under ``key`` (``None``: no such Variable)."""
        with self.using(conn) as conn:
            return conn.execute(select(variable.c.val).where(variable.c.key == key)).scalar()

    @unit_of_work
    def set_variable(self, key: str, value: str, description: str | None = None,
                     conn: Connection | None = None) -> None:
        """Store ``value`` under ``key``, replacing what was there (an upsert: safe from any host)."""
        with self.using(conn) as conn:
            conn.execute(self.dialect.upsert(variable, ["key"], ["val", "description"]),
                         {"key": key, "val": value, "description": description})

    @unit_of_work
    def delete_variable(self, key: str, conn: Connection | None = None) -> int:
        """Delete the Variable ``key``; returns how many rows went (0 or 1)."""
        with self.using(conn) as conn:
            return conn.execute(delete(variable).where(variable.c.key == key)).rowcount

    @unit_of_work
    def variable_rows(self, conn: Connection | None = None) -> list[dict[str, str | None]]:
        """Every stored Variable, by key: ``{"key", "val", "description"}``."""
        with self.using(conn) as conn:
            rows = conn.execute(select(variable).order_by(variable.c.key))
            return [dict(row._mapping) for row in rows]
