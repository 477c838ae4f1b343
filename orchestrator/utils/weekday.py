"""Airflow's ``airflow.utils.weekday``: the days of the week, for DAG code that compares a day's name."""
from __future__ import annotations

import enum
from collections.abc import Iterable


@enum.unique
class WeekDay(enum.IntEnum):
    """A day of the week, ISO-numbered (Monday is 1), as Airflow's ``WeekDay``.

    As in Airflow, it is an ``IntEnum``: ``WeekDay.MONDAY == 1``, and a day's lower-case English name
    (``"saturday"``) is not equal to it -- ``day in (WeekDay.SATURDAY, WeekDay.SUNDAY)`` with ``day``
    a string is false.
    """

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @classmethod
    def get_weekday_number(cls, week_day_str: str) -> int:
        """The ISO number of a day given by its English name, in any case (``"Monday"`` -> 1)."""
        sanitized = week_day_str.upper()
        if sanitized not in cls.__members__:
            raise AttributeError(f'Invalid Week Day passed: "{week_day_str}"')
        return cls[sanitized]

    @classmethod
    def convert(cls, day: str | WeekDay) -> int:
        """A day given by its name or as a ``WeekDay``, as its ISO number."""
        if isinstance(day, WeekDay):
            return day
        return cls.get_weekday_number(week_day_str=day)

    @classmethod
    def validate_week_day(cls, week_day: str | WeekDay | Iterable[str] | Iterable[WeekDay]) -> set[int]:
        """One day or several (names or ``WeekDay``s) as a set of ISO numbers; refuses anything else."""
        if isinstance(week_day, str):
            return {cls.get_weekday_number(week_day)}
        if isinstance(week_day, WeekDay):
            return {week_day}
        if isinstance(week_day, Iterable) and all(isinstance(day, (str, WeekDay)) for day in week_day):
            return {cls.convert(day) for day in week_day}
        raise TypeError(f"Unsupported Type for week_day parameter: {type(week_day)}. Input should be iterable "
                        f"type: str, set, list, dict or Weekday enum type")
