"""``Param``: a DAG parameter with a default (Airflow's name); ``--conf`` overrides it."""
from __future__ import annotations

from typing import Any


class Param:
    """A run parameter.

    :param default: its value unless ``--conf`` gives one.
    :param description: what it means (shown to people, not checked).
    :param schema: JSON-schema keywords, kept for Airflow compatibility (not enforced).
    """

    def __init__(self, default: Any = None, description: str | None = None, **schema: Any):
        self.value = default
        self.description = description
        self.schema = schema

    def __repr__(self) -> str:
        return f"Param({self.value!r})"


def resolve_params(params: dict[str, Any], conf: dict[str, Any]) -> dict[str, Any]:
    """The run's params: DAG defaults (``Param`` objects unwrapped), overridden by ``conf``."""
    resolved = {key: value.value if isinstance(value, Param) else value for key, value in params.items()}
    resolved.update(conf)
    return resolved
