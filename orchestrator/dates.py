"""Dates as Airflow hands them out: pendulum DateTimes in UTC; any aware datetime (pendulum's, a
``zoneinfo`` one, ...) accepted where a date comes in, stored as naive UTC."""
from __future__ import annotations

from datetime import datetime, timezone

import pendulum


def as_utc_naive(value: datetime) -> datetime:
    """``value`` as the store keeps dates: naive, in UTC (a naive ``value`` is taken to be UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    # A plain datetime (not pendulum's subclass): what every driver stores as it is.
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


def as_pendulum(value: datetime) -> pendulum.DateTime:
    """``value`` as a pendulum DateTime (what Airflow's context holds: ``.add(days=1)``,
    ``.to_date_string()``, ...); a naive ``value`` is taken to be UTC."""
    return pendulum.instance(value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc))
