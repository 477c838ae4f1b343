"""Logs: each try's log, read whole or followed, and appended while the try runs."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, literal, select

from orchestrator.schema import task_instance, task_log
from orchestrator.states import TaskInstanceState
from orchestrator.store.database import unit_of_work
from orchestrator.store.records import LogChunk

#: The :class:`LogChunk` fields that fill task_log's columns, in their order.
_LOG_FIELDS = ["run_id", "task_id", "map_index", "try_number", "text", "hostname"]


class LogStore:
    """The store's logs (a part of :class:`~orchestrator.store.Store`)."""

    @unit_of_work
    def get_logs(self, run_id: str, task_id: str, map_index: int, try_number: int | None = None) -> list[dict]:
        """The log rows of one instance (of one try, when given), by try; ``[]`` when there are none."""
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
        :meth:`retrying` for more. Raises SQLAlchemy's error when the database is unreachable."""
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
                written.append(conn.execute(self.dialect.log_append(source)).rowcount == 1)
        return written
