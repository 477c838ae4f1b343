"""Dates as Airflow hands them out: pendulum DateTimes in UTC; any aware datetime (pendulum's, a
``zoneinfo`` one, ...) accepted where a date comes in, stored as naive UTC."""
from __future__ import annotations

import functools
from datetime import datetime, timezone

import pendulum


def as_utc_naive(value: datetime) -> datetime:
    """``value`` as the store keeps dates: naive, in UTC (a naive ``value`` is taken to be UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    # A plain datetime (not pendulum's subclass): what every driver stores as it is.
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


def parse_logical_date(raw: str | None, name: str = "logical_date") -> datetime:
    """A run's logical date from ``YYYY-MM-DD`` or ISO 8601 (``Z`` or an offset: converted), as
    naive UTC; now when ``raw`` is ``None``. Raises :class:`~orchestrator.errors.BadInput` naming
    ``name`` (the option or field the value came from)."""
    from orchestrator.errors import BadInput

    if raw is None:
        return as_utc_naive(datetime.now(timezone.utc))
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{name} {raw!r} is not a date: use YYYY-MM-DD or an ISO 8601 timestamp") from None
    return as_utc_naive(value)


def as_pendulum(value: datetime) -> pendulum.DateTime:
    """``value`` as a pendulum DateTime (what Airflow's context holds: ``.add(days=1)``,
    ``.to_date_string()``, ...); a naive ``value`` is taken to be UTC."""
    if value.tzinfo is None:
        return _utc_as_pendulum(value)
    if value.tzinfo is timezone.utc:
        return _utc_as_pendulum(value.replace(tzinfo=None))
    return pendulum.instance(value)


@functools.lru_cache(maxsize=1024)
def _utc_as_pendulum(value: datetime) -> pendulum.DateTime:
    """A stored (naive UTC) date as a pendulum DateTime, cached: every instance of a run builds
    its context from the same few stored dates, and a pendulum DateTime cannot change in place."""
    return pendulum.instance(value.replace(tzinfo=timezone.utc))
