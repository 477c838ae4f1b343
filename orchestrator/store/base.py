"""The :class:`Store`: every concern of the store (see the package's modules) joined in one object."""
from __future__ import annotations

from orchestrator.store.admin import SchemaAdmin
from orchestrator.store.clearing import ClearingStore
from orchestrator.store.dags import DagStore
from orchestrator.store.database import Database
from orchestrator.store.instances import TaskInstanceStore
from orchestrator.store.logs import LogStore
from orchestrator.store.pools import PoolStore
from orchestrator.store.reconciler import ReconcilerStore
from orchestrator.store.runs import RunStore
from orchestrator.store.variables import VariableStore
from orchestrator.store.xcoms import XComStore


class Store(SchemaAdmin, RunStore, TaskInstanceStore, ReconcilerStore, XComStore, LogStore, ClearingStore,
            VariableStore, PoolStore, DagStore, Database):
    """Access to the store for one process; every method is its own unit of work.

    A unit of work that cannot reach the database for ``retry_for`` seconds raises
    :class:`~orchestrator.errors.ChordflowError` naming the database's host and port (never its
    password); what else a method raises, its docstring says.

    :param url: a SQLAlchemy URL (``postgresql+psycopg2://...`` or ``sqlite:///...``).
    :param retry_for: seconds a unit of work is retried while the database is unreachable (default 10).
    """
