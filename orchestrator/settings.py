"""Configuration: read once from the environment into one object that is passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from orchestrator.xcom_backend import DEFAULT_INLINE_LIMIT

#: Most elements one map may expand to, unless ``CHORDFLOW_MAX_MAP_LENGTH`` says otherwise (Airflow: 1024).
DEFAULT_MAX_MAP_LENGTH = 100_000
#: Seconds between two heartbeats of a running instance (``CHORDFLOW_HEARTBEAT_INTERVAL``).
DEFAULT_HEARTBEAT_INTERVAL = 5.0
#: Seconds without a heartbeat after which a running instance's worker is taken for dead
#: (``CHORDFLOW_ZOMBIE_AFTER``): another worker may take it over, the scheduler requeues it.
DEFAULT_ZOMBIE_AFTER = 30.0
#: Seconds an instance may stay ``queued`` while its queue on the broker is empty before the
#: scheduler sends it again (its message was lost: broker restarted, or a dead worker held it).
DEFAULT_REQUEUE_AFTER = 60.0
#: Seconds the scheduler waits, seeing no live worker at all, before it fails the queued
#: instances of running runs, saying why (``CHORDFLOW_ORPHAN_TIMEOUT``).
DEFAULT_ORPHAN_TIMEOUT = 3600.0
#: Seconds a store write is retried while the database is unreachable, for commands
#: (``CHORDFLOW_STORE_RETRY_FOR``); workers and the scheduler ride out longer outages.
DEFAULT_STORE_RETRY_FOR = 10.0
#: Seconds workers and the scheduler keep retrying a store write (a PostgreSQL restart).
SERVICE_STORE_RETRY_FOR = 300.0
#: Slots ``default_pool`` is created with (``CHORDFLOW_DEFAULT_POOL_SLOTS``; ``-1``: unlimited, so that a
#: task without a pool or limits runs as it would without pools). Airflow's default is 128.
DEFAULT_POOL_SLOTS = -1
#: Most runs of one DAG running at once, unless the DAG says (``CHORDFLOW_MAX_ACTIVE_RUNS_PER_DAG``; Airflow's 16).
DEFAULT_MAX_ACTIVE_RUNS_PER_DAG = 16
#: What the environment variable of a task connection starts with (``CHORDFLOW_CONN_WAREHOUSE``).
CONNECTION_PREFIX = "CHORDFLOW_CONN_"
#: What the environment variable of a Variable starts with (``CHORDFLOW_VAR_REGION``; Airflow's ``AIRFLOW_VAR_``).
VARIABLE_PREFIX = "CHORDFLOW_VAR_"


@dataclass(frozen=True)
class Settings:
    """Where Chordflow keeps its state and how it reaches its services.

    :param home: ``CHORDFLOW_HOME`` (default ``~/.chordflow``): the embedded SQLite file and logs.
    :param database_url: ``CHORDFLOW_DATABASE_URL`` (default ``sqlite:///$home/chordflow.db``).
    :param broker_url: ``CHORDFLOW_BROKER_URL``; ``None`` means the embedded in-process worker.
    :param result_backend: ``CHORDFLOW_RESULT_BACKEND`` (default: the broker URL), chord bookkeeping.
    :param dags_folder: ``CHORDFLOW_DAGS_FOLDER`` (default ``./dags``).
    :param max_map_length: ``CHORDFLOW_MAX_MAP_LENGTH`` (default 100000).
    :param heartbeat_interval: ``CHORDFLOW_HEARTBEAT_INTERVAL`` seconds (default 5).
    :param zombie_after: ``CHORDFLOW_ZOMBIE_AFTER`` seconds without heartbeat (default 30).
    :param requeue_after: ``CHORDFLOW_REQUEUE_AFTER`` seconds queued with an empty queue (default 60).
    :param orphan_timeout: ``CHORDFLOW_ORPHAN_TIMEOUT`` seconds with no live worker before queued
        instances fail (default 3600).
    :param xcom_objects_url: ``CHORDFLOW_XCOM_OBJECTS_URL``, where big or non-JSON XCom values go
        (default ``$home/xcom-objects``; a folder every worker host shares, or ``s3://bucket/prefix``).
    :param xcom_inline_limit: ``CHORDFLOW_XCOM_INLINE_LIMIT``, bytes of JSON kept in the XCom table.
    :param store_retry_for: ``CHORDFLOW_STORE_RETRY_FOR`` seconds of retries while the database is down
        (``None``, unset: 10 for commands, 300 for workers and the scheduler -- see :meth:`for_service`).
    :param broker_key_prefix: ``CHORDFLOW_BROKER_KEY_PREFIX`` (default ``""``): put before every Redis key,
        channel and queue of the broker and the result backend, so that deployments sharing one Redis
        database neither consume each other's messages nor answer each other's pings.
    :param default_pool_slots: ``CHORDFLOW_DEFAULT_POOL_SLOTS`` (default ``-1``: unlimited), the size
        ``default_pool`` is created with when the store has none (then ``chordflow pools set``).
    :param max_active_runs_per_dag: ``CHORDFLOW_MAX_ACTIVE_RUNS_PER_DAG`` (default 16, Airflow's
        ``max_active_runs_per_dag``): a DAG's ``max_active_runs`` when it sets none.
    :param dags_are_paused_at_creation: ``CHORDFLOW_DAGS_ARE_PAUSED_AT_CREATION`` (default true, as
        Airflow's option of that name): whether the scheduler records a new DAG paused, unless the DAG
        says (``is_paused_upon_creation``).
    :param connections: the ``CHORDFLOW_CONN_<CONN_ID>`` variables that are set, by name: the URLs of
        the connections tasks use (see :mod:`orchestrator.connections`; default none).
    :param variables: the ``CHORDFLOW_VAR_<KEY>`` variables that are set, by name: Variables that take
        precedence over the store's (see :mod:`orchestrator.variables`; default none).
    """

    home: Path
    database_url: str
    broker_url: str | None
    result_backend: str | None
    dags_folder: Path
    max_map_length: int = DEFAULT_MAX_MAP_LENGTH
    heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL
    zombie_after: float = DEFAULT_ZOMBIE_AFTER
    requeue_after: float = DEFAULT_REQUEUE_AFTER
    store_retry_for: float | None = None
    orphan_timeout: float = DEFAULT_ORPHAN_TIMEOUT
    xcom_objects_url: str = ""
    xcom_inline_limit: int = DEFAULT_INLINE_LIMIT
    broker_key_prefix: str = ""
    default_pool_slots: int = DEFAULT_POOL_SLOTS
    max_active_runs_per_dag: int = DEFAULT_MAX_ACTIVE_RUNS_PER_DAG
    dags_are_paused_at_creation: bool = True
    connections: dict[str, str] = field(default_factory=dict, hash=False)
    variables: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: one process, in-process Celery worker."""
        return self.broker_url is None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """The settings the environment (``environ``, default ``os.environ``) gives. Raises
        ``ValueError`` naming the variable when a number or the broker key prefix is not valid."""
        env = os.environ if environ is None else environ
        home = Path(env.get("CHORDFLOW_HOME") or "~/.chordflow").expanduser()
        broker = env.get("CHORDFLOW_BROKER_URL") or None
        max_map_length = int(_number(env, "CHORDFLOW_MAX_MAP_LENGTH", DEFAULT_MAX_MAP_LENGTH, int))
        return cls(
            home=home,
            database_url=env.get("CHORDFLOW_DATABASE_URL") or f"sqlite:///{home / 'chordflow.db'}",
            broker_url=broker,
            result_backend=env.get("CHORDFLOW_RESULT_BACKEND") or broker,
            dags_folder=Path(env.get("CHORDFLOW_DAGS_FOLDER") or "dags").expanduser().resolve(),
            max_map_length=max_map_length,
            heartbeat_interval=_number(env, "CHORDFLOW_HEARTBEAT_INTERVAL", DEFAULT_HEARTBEAT_INTERVAL, float),
            zombie_after=_number(env, "CHORDFLOW_ZOMBIE_AFTER", DEFAULT_ZOMBIE_AFTER, float),
            requeue_after=_number(env, "CHORDFLOW_REQUEUE_AFTER", DEFAULT_REQUEUE_AFTER, float),
            store_retry_for=_number(env, "CHORDFLOW_STORE_RETRY_FOR", None, float),
            orphan_timeout=_number(env, "CHORDFLOW_ORPHAN_TIMEOUT", DEFAULT_ORPHAN_TIMEOUT, float),
            xcom_objects_url=env.get("CHORDFLOW_XCOM_OBJECTS_URL") or str(home / "xcom-objects"),
            xcom_inline_limit=int(_number(env, "CHORDFLOW_XCOM_INLINE_LIMIT", DEFAULT_INLINE_LIMIT, int)),
            broker_key_prefix=_key_prefix(env),
            default_pool_slots=_pool_slots(env),
            max_active_runs_per_dag=int(_number(env, "CHORDFLOW_MAX_ACTIVE_RUNS_PER_DAG",
                                                DEFAULT_MAX_ACTIVE_RUNS_PER_DAG, int)),
            dags_are_paused_at_creation=_flag(env, "CHORDFLOW_DAGS_ARE_PAUSED_AT_CREATION", True),
            connections={name: url for name, url in env.items() if name.startswith(CONNECTION_PREFIX) and url},
            variables={name: value for name, value in env.items() if name.startswith(VARIABLE_PREFIX)},
        )

    @property
    def store_retry_seconds(self) -> float:
        """Seconds a unit of work is retried while the database is unreachable."""
        return DEFAULT_STORE_RETRY_FOR if self.store_retry_for is None else self.store_retry_for

    def for_service(self) -> Settings:
        """These settings for a long-running service (worker, scheduler, web server): unless
        ``CHORDFLOW_STORE_RETRY_FOR`` says otherwise, it rides out a database restart (300 s)."""
        if self.store_retry_for is not None:
            return self
        return replace(self, store_retry_for=SERVICE_STORE_RETRY_FOR)

    def with_overrides(self, **changes) -> Settings:
        """A copy with ``changes`` (field names and values) applied."""
        return replace(self, **changes)


def _key_prefix(env) -> str:
    prefix = env.get("CHORDFLOW_BROKER_KEY_PREFIX") or ""
    # Fanout (ping) channels are subscribed as Redis patterns: a wildcard would reach other prefixes.
    if any(char in prefix for char in "*?[]\\"):
        raise ValueError(f"CHORDFLOW_BROKER_KEY_PREFIX must not hold * ? [ ] or \\ (Redis patterns), got {prefix!r}: "
                         "use e.g. 'prod:'")
    return prefix


def _pool_slots(env) -> int:
    raw = env.get("CHORDFLOW_DEFAULT_POOL_SLOTS")
    if not raw:
        return DEFAULT_POOL_SLOTS
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < -1:
        raise ValueError(f"CHORDFLOW_DEFAULT_POOL_SLOTS must be a whole number of slots (-1: unlimited), got {raw!r}")
    return value


def _flag(env, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _number(env, name: str, default: float | None, kind: type) -> float | None:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a {'whole ' if kind is int else ''}number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value
