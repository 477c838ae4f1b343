"""XComs: one instance's value, and a mapped task's values streamed in map-index order."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from orchestrator import xcom_backend
from orchestrator.schema import xcom
from orchestrator.store.database import unit_of_work

#: Rows fetched per round trip when a reduce streams a mapped task's results.
XCOM_STREAM_PAGE = 2000


def referenced_objects(conn: Connection, where: list) -> list[str]:
    """The XCom texts, among the rows ``where`` selects, that refer to an object in the store."""
    return list(conn.execute(
        select(xcom.c.value).where(*where, xcom.c.value.startswith(xcom_backend.REFERENCE_PREFIX, autoescape=True))
    ).scalars())


def _mapped_xcoms(run_id: str, task_id: str, key: str) -> list:
    return [xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.key == key, xcom.c.map_index >= 0]


class XComStore:
    """The store's XComs (a part of :class:`~orchestrator.store.Store`). Each method runs in the
    caller's transaction when given ``conn``."""

    @unit_of_work
    def xcom_value(
        self, run_id: str, task_id: str, map_index: int = -1, key: str = "return_value", conn: Connection | None = None
    ) -> Any:
        """The value one instance pushed. Raises ``KeyError`` when there is none."""
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
        return xcom_backend.decode(text)

    @unit_of_work
    def xcom_count(self, run_id: str, task_id: str, key: str = "return_value", conn: Connection | None = None) -> int:
        """How many map indices of a mapped task pushed ``key``."""
        with self.using(conn) as conn:
            return conn.execute(
                select(func.count()).select_from(xcom).where(*_mapped_xcoms(run_id, task_id, key))
            ).scalar()

    @unit_of_work
    def xcom_map_indices(
        self, run_id: str, task_id: str, key: str = "return_value", conn: Connection | None = None
    ) -> list[int]:
        """The map indices of a mapped task that pushed ``key``, in order."""
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
                yield xcom_backend.decode(row.value)
            if len(rows) < XCOM_STREAM_PAGE:
                return
            after = rows[-1].map_index

    @unit_of_work
    def xcom_values_by_index(
        self, run_id: str, task_id: str, key: str, conn: Connection | None = None
    ) -> dict[int, Any]:
        """``{map_index: value}`` of every instance of ``task_id`` that pushed ``key`` (small
        values, e.g. skip decisions: read whole)."""
        with self.using(conn) as conn:
            rows = conn.execute(
                select(xcom.c.map_index, xcom.c.value).where(
                    xcom.c.run_id == run_id, xcom.c.task_id == task_id, xcom.c.key == key
                )
            ).all()
        return {row.map_index: xcom_backend.decode(row.value) for row in rows}
