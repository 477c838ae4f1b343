"""Configuration: read once from the environment into one object that is passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

#: Most elements one map may expand to, unless ``CHORDFLOW_MAX_MAP_LENGTH`` says otherwise (Airflow: 1024).
DEFAULT_MAX_MAP_LENGTH = 100_000


@dataclass(frozen=True)
class Settings:
    """Where Chordflow keeps its state and how it reaches its services.

    :param home: ``CHORDFLOW_HOME`` (default ``~/.chordflow``): the embedded SQLite file and logs.
    :param database_url: ``CHORDFLOW_DATABASE_URL`` (default ``sqlite:///$home/chordflow.db``).
    :param broker_url: ``CHORDFLOW_BROKER_URL``; ``None`` means the embedded in-process worker.
    :param result_backend: ``CHORDFLOW_RESULT_BACKEND`` (default: the broker URL), chord bookkeeping.
    :param dags_folder: ``CHORDFLOW_DAGS_FOLDER`` (default ``./dags``).
    :param max_map_length: ``CHORDFLOW_MAX_MAP_LENGTH`` (default 100000).
    """

    home: Path
    database_url: str
    broker_url: str | None
    result_backend: str | None
    dags_folder: Path
    max_map_length: int = DEFAULT_MAX_MAP_LENGTH

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: one process, in-process Celery worker."""
        return self.broker_url is None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("CHORDFLOW_HOME") or "~/.chordflow").expanduser()
        broker = env.get("CHORDFLOW_BROKER_URL") or None
        raw_limit = env.get("CHORDFLOW_MAX_MAP_LENGTH") or str(DEFAULT_MAX_MAP_LENGTH)
        try:
            max_map_length = int(raw_limit)
        except ValueError:
            raise ValueError(f"CHORDFLOW_MAX_MAP_LENGTH must be an integer, got {raw_limit!r}") from None
        return cls(
            home=home,
            database_url=env.get("CHORDFLOW_DATABASE_URL") or f"sqlite:///{home / 'chordflow.db'}",
            broker_url=broker,
            result_backend=env.get("CHORDFLOW_RESULT_BACKEND") or broker,
            dags_folder=Path(env.get("CHORDFLOW_DAGS_FOLDER") or "dags").expanduser().resolve(),
            max_map_length=max_map_length,
        )

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)
