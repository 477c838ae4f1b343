"""Airflow's Variables: ``Variable.get/set/delete`` in task code, ``{{ var.value.key }}`` and
``{{ var.json.key }}`` in templates.

As in Airflow, ``CHORDFLOW_VAR_<KEY>`` (Airflow: ``AIRFLOW_VAR_<KEY>``, the key upper-cased) is
looked up first, then the store: a Variable set in the environment wins over the stored one. The
store is the one the process's settings point to, so a task reads the same Variables on every
host. A process's runtime names its store with :func:`use_store`; without one (a script, a test),
the settings are read from the environment on first use.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from orchestrator.settings import VARIABLE_PREFIX

if TYPE_CHECKING:
    from orchestrator.store import Store

log = logging.getLogger("chordflow.variables")

#: ``default_var`` when the caller gave none: a missing Variable then raises ``KeyError``.
NO_DEFAULT = object()


class VariableSource:
    """Where Variables are read and written: the environment's, then the store's.

    :param environment: the ``CHORDFLOW_VAR_<KEY>`` variables that are set, by name.
    :param store: returns the store (called on each use: a forked worker opens its own).
    """

    def __init__(self, environment: Mapping[str, str], store: Callable[[], Store]):
        self.environment = dict(environment)
        self._store = store
        self._schema_checked = False

    @property
    def store(self) -> Store:
        """The store Variables are kept in (its schema made current on first use: a DAG file may
        read a Variable before anything else touched a fresh store)."""
        store = self._store()
        if not self._schema_checked:
            store.ensure_schema()
            self._schema_checked = True
        return store

    def from_environment(self, key: str) -> str | None:
        """``CHORDFLOW_VAR_<KEY>``'s value (``None`` when unset)."""
        return self.environment.get(VARIABLE_PREFIX + key.upper())

    def get(self, key: str) -> str | None:
        """The text of Variable ``key``: the environment's, else the store's (``None``: neither)."""
        value = self.from_environment(key)
        return value if value is not None else self.store.get_variable(key)


_lock = threading.Lock()
_source: VariableSource | None = None


def use_store(environment: Mapping[str, str], store: Callable[[], Store]) -> None:
    """Make this process's Variables those of ``store`` (and of ``environment``'s ``CHORDFLOW_VAR_*``)."""
    global _source
    with _lock:
        _source = VariableSource(environment, store)


def current_source() -> VariableSource:
    """The process's :class:`VariableSource`; from the environment's settings when none was set."""
    global _source
    with _lock:
        if _source is None:
            from orchestrator.settings import Settings
            from orchestrator.store import Store

            settings = Settings.from_env()
            store = Store(settings.database_url, retry_for=settings.store_retry_seconds)
            _source = VariableSource(settings.variables, lambda: store)
        return _source


class Variable:
    """Airflow's ``Variable``: named values kept in the store, read by any task on any host."""

    @classmethod
    def get(cls, key: str, default_var: Any = NO_DEFAULT, deserialize_json: bool = False) -> Any:
        """The value of Variable ``key`` (parsed as JSON with ``deserialize_json``); ``default_var``
        when there is none, else ``KeyError`` (as Airflow: ``Variable <key> does not exist``)."""
        text = current_source().get(key)
        if text is None:
            if default_var is NO_DEFAULT:
                raise KeyError(f"Variable {key} does not exist")
            return default_var
        return json.loads(text) if deserialize_json else text

    @classmethod
    def set(cls, key: str, value: Any, description: str | None = None, serialize_json: bool = False) -> None:
        """Store ``value`` under ``key``: ``str(value)``, or its JSON with ``serialize_json`` (as Airflow)."""
        source = current_source()
        text = json.dumps(value, indent=2) if serialize_json else str(value)
        if source.from_environment(key) is not None:
            log.warning("Variable %s is set in the environment (%s%s), which takes precedence over the store: the "
                        "stored value is updated, but reading it needs that environment variable unset",
                        key, VARIABLE_PREFIX, key.upper())
        source.store.set_variable(key, text, description)

    @classmethod
    def update(cls, key: str, value: Any, serialize_json: bool = False) -> None:
        """Replace the value of an existing Variable; ``KeyError`` when there is none."""
        cls.get(key)
        cls.set(key, value, serialize_json=serialize_json)

    @classmethod
    def setdefault(cls, key: str, default: Any, description: str | None = None,
                   deserialize_json: bool = False) -> Any:
        """The value of ``key``; when there is none, ``default`` is stored and returned."""
        value = cls.get(key, default_var=None, deserialize_json=deserialize_json)
        if value is None:
            if default is None:
                raise ValueError("Default Value must be set")
            cls.set(key, default, description=description, serialize_json=deserialize_json)
            return default
        return value

    @classmethod
    def delete(cls, key: str) -> int:
        """Delete the stored Variable ``key``; returns how many were deleted (0 or 1)."""
        return current_source().store.delete_variable(key)


class VariableAccessor:
    """``var.value`` / ``var.json`` in templates: ``{{ var.value.key }}``, ``{{ var.json.key.field }}``,
    ``{{ var.value.get('key', 'default') }}``.

    :param deserialize_json: read values as JSON (``var.json``) or as text (``var.value``).
    """

    def __init__(self, *, deserialize_json: bool):
        self._deserialize_json = deserialize_json

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):  # Python's and Jinja's probes are not Variables
            raise AttributeError(key)
        return Variable.get(key, deserialize_json=self._deserialize_json)

    def get(self, key: str, default_var: Any = NO_DEFAULT) -> Any:
        """The value of ``key``, ``default_var`` when there is none (else ``KeyError``)."""
        return Variable.get(key, default_var, deserialize_json=self._deserialize_json)

    def __repr__(self) -> str:
        return f"<var.{'json' if self._deserialize_json else 'value'}>"


#: What templates reach as ``var`` (Airflow's context entry).
TEMPLATE_VARIABLES = {"value": VariableAccessor(deserialize_json=False),
                      "json": VariableAccessor(deserialize_json=True)}
