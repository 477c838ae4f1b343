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
admission to slots), :mod:`.dags` (the scheduler's DAG records); :class:`Store` joins them.
"""
from __future__ import annotations

from orchestrator.store.admin import SchemaAdmin
from orchestrator.store.clearing import ClearingStore
from orchestrator.store.dags import DagStore
from orchestrator.store.database import Database, is_disconnect, masked_url, unit_of_work, utcnow, with_driver
from orchestrator.store.instances import TaskInstanceStore
from orchestrator.store.logs import LogStore
from orchestrator.store.pools import PoolStore
from orchestrator.store.prepared import PREPARED_PG
from orchestrator.store.reconciler import ReconcilerStore
from orchestrator.store.records import ClaimedBatch, ClaimedInstance, LogChunk, RunRecord, TryEnd
from orchestrator.store.runs import RunStore, ensure_ended
from orchestrator.store.transaction import RunQueries, RunTransaction
from orchestrator.store.variables import VariableStore
from orchestrator.store.xcoms import XCOM_STREAM_PAGE, XComStore

__all__ = [
    "PREPARED_PG", "XCOM_STREAM_PAGE", "ClaimedBatch", "ClaimedInstance", "LogChunk", "RunQueries", "RunRecord",
    "RunTransaction", "Store", "TryEnd", "ensure_ended", "is_disconnect", "masked_url", "unit_of_work", "utcnow",
    "with_driver",
]


class Store(SchemaAdmin, RunStore, TaskInstanceStore, ReconcilerStore, XComStore, LogStore, ClearingStore,
            VariableStore, PoolStore, DagStore, Database):
    """Access to the store for one process; every method is its own unit of work.

    A unit of work that cannot reach the database for ``retry_for`` seconds raises
    :class:`~orchestrator.errors.ChordflowError` naming the database's host and port (never its
    password); what else a method raises, its docstring says.

    :param url: a SQLAlchemy URL (``postgresql+psycopg2://...`` or ``sqlite:///...``).
    :param retry_for: seconds a unit of work is retried while the database is unreachable (default 10).
    """
