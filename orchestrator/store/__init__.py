"""The store: runs, task instances, maps, XComs and logs in SQLAlchemy (PostgreSQL or SQLite).

Every state change is a compare-and-set along a named transition of
:mod:`orchestrator.states`, so a redelivered Celery message can neither duplicate a result nor
move a finished instance backwards. XCom writes are upserts keyed by
``(run_id, task_id, map_index, key)``.

One module per concept: :mod:`.database` (engines, units of work, retries), :mod:`.dialects`
(what differs between SQLite and PostgreSQL) with :mod:`.prepared` (PostgreSQL's prepared
statements), :mod:`.admin` (schema), :mod:`.runs`, :mod:`.instances` (reads and the worker's
compare-and-sets), :mod:`.transaction` (one run inside the advance step's transaction),
:mod:`.reconciler`, :mod:`.xcoms`, :mod:`.logs`, :mod:`.clearing`, :mod:`.variables`, :mod:`.pools` (pools and
admission to slots), :mod:`.dags` (the scheduler's DAG records); :class:`Store` (:mod:`.base`)
joins them. :mod:`.reads` holds the reads a user makes of a run as SQL text, which
:mod:`.direct` runs through the database's driver alone.

The names below are imported from their modules when first asked for (PEP 562), so that
importing a module of this package that needs no SQLAlchemy (:mod:`.direct`, :mod:`.records`)
does not import it: SQLAlchemy's import is most of a read command's fixed cost.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orchestrator.store.base import Store
    from orchestrator.store.database import is_disconnect, masked_url, unit_of_work, utcnow, with_driver
    from orchestrator.store.prepared import PREPARED_PG
    from orchestrator.store.records import ClaimedBatch, ClaimedInstance, LogChunk, RunRecord, TryEnd
    from orchestrator.store.runs import ensure_ended
    from orchestrator.store.transaction import RunQueries, RunTransaction
    from orchestrator.store.xcoms import XCOM_STREAM_PAGE

#: Each public name -> the module of this package that defines it.
_DEFINED_IN = {
    "Store": "base",
    **dict.fromkeys(("is_disconnect", "masked_url", "unit_of_work", "utcnow", "with_driver"), "database"),
    "PREPARED_PG": "prepared",
    **dict.fromkeys(("ClaimedBatch", "ClaimedInstance", "LogChunk", "RunRecord", "TryEnd"), "records"),
    "ensure_ended": "runs",
    **dict.fromkeys(("RunQueries", "RunTransaction"), "transaction"),
    "XCOM_STREAM_PAGE": "xcoms",
}

__all__ = [
    "PREPARED_PG", "XCOM_STREAM_PAGE", "ClaimedBatch", "ClaimedInstance", "LogChunk", "RunQueries", "RunRecord",
    "RunTransaction", "Store", "TryEnd", "ensure_ended", "is_disconnect", "masked_url", "unit_of_work", "utcnow",
    "with_driver",
]


def __getattr__(name: str) -> Any:
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
