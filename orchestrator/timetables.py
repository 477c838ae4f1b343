"""Timetables: when a DAG's scheduled runs are due and which data interval each covers (Airflow 2's).

A DAG's ``schedule`` becomes one of Airflow's timetables, with Airflow's names and rules
(``airflow/timetables/{simple,interval}.py``):

- ``None`` -> :class:`NullTimetable`: never scheduled, only triggered.
- ``"@once"`` -> :class:`OnceTimetable`: one run at ``start_date`` (interval ``[start, start)``).
- a preset (``@hourly``, ``@daily``, ``@weekly``, ``@monthly``, ``@quarterly``, ``@yearly``/``@annually``)
  or a cron expression -> :class:`CronDataIntervalTimetable`: each run covers one cron period
  ``[data_interval_start, data_interval_end)`` and is due once that period has ended; cron is evaluated
  in the DAG's time zone (its ``start_date``'s, else UTC) by croniter, DST-correct as in Airflow.
- a ``timedelta`` -> :class:`DeltaDataIntervalTimetable`: periods of that length from ``start_date``.

Dates in and out are aware pendulum DateTimes in UTC.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pendulum
from croniter import CroniterBadCronError, CroniterBadDateError, croniter
from pendulum import DateTime
from pendulum.tz.timezone import FixedTimezone, Timezone

from orchestrator.errors import DagDefinitionError

#: Airflow's cron presets (``airflow.utils.dates.cron_presets``).
CRON_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}

UTC = pendulum.UTC


@dataclass(frozen=True)
class DataInterval:
    """``[start, end)``: the data a run covers (``start == end`` for an exact moment)."""

    start: DateTime
    end: DateTime


@dataclass(frozen=True)
class DagRunInfo:
    """A run the timetable wants: due at ``run_after``, covering ``data_interval``; its logical date
    is ``data_interval.start`` (Airflow 2)."""

    run_after: DateTime
    data_interval: DataInterval

    @property
    def logical_date(self) -> DateTime:
        """The run's logical date: its data interval's start."""
        return self.data_interval.start


@dataclass(frozen=True)
class TimeRestriction:
    """What bounds a DAG's scheduled runs: ``earliest`` (its ``start_date``), ``latest`` (its
    ``end_date``; ``None``: no end) and ``catchup``."""

    earliest: DateTime | None
    latest: DateTime | None
    catchup: bool


def utc(value: dt.datetime) -> DateTime:
    """``value`` as a pendulum DateTime in UTC (a naive one is taken to be UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return pendulum.instance(value).in_timezone(UTC)


def timezone_of(value: dt.datetime | None) -> Timezone | FixedTimezone:
    """The time zone a DAG's schedule is read in: its ``start_date``'s (pendulum's or a zoneinfo one),
    else UTC -- as Airflow does when ``start_date`` is aware."""
    tzinfo = getattr(value, "tzinfo", None)
    if tzinfo is None:
        return UTC
    if isinstance(tzinfo, (Timezone, FixedTimezone)):
        return tzinfo
    name = getattr(tzinfo, "key", None)
    if name:
        return pendulum.timezone(name)
    offset = tzinfo.utcoffset(value)
    return pendulum.fixed_timezone(int(offset.total_seconds())) if offset else UTC


class Timetable:
    """What every timetable answers (Airflow's ``Timetable``)."""

    #: Whether runs are ever created by the scheduler.
    can_be_scheduled = True
    #: How ``dags list`` shows the schedule.
    summary = ""

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction, now: DateTime) -> DagRunInfo | None:
        """The next run after the last scheduled one (``None``: there is none yet), within
        ``restriction``; ``now`` is the clock (catchup=False skips to the latest complete interval).
        ``None``: no more runs."""
        raise NotImplementedError

    def infer_manual_data_interval(self, *, run_after: DateTime) -> DataInterval:
        """The data interval of a run triggered by hand at logical date ``run_after``."""
        return DataInterval(run_after, run_after)

    def previous_schedule(self, current: DateTime) -> DateTime | None:
        """The schedule's last point before ``current`` (Airflow 2's deprecated
        ``DAG.previous_schedule``, behind ``prev_ds``): ``None`` without data intervals."""
        return None


class NullTimetable(Timetable):
    """``schedule=None``: runs are only triggered (``chordflow run``, backfill)."""

    can_be_scheduled = False
    summary = "None"

    def next_dagrun_info(self, *, last_automated_data_interval, restriction, now):  # noqa: D102
        return None


class OnceTimetable(Timetable):
    """``"@once"``: one run at ``start_date``, whatever ``catchup`` says (Airflow's rule since 1.10)."""

    summary = "@once"

    def next_dagrun_info(self, *, last_automated_data_interval, restriction, now):  # noqa: D102
        if last_automated_data_interval is not None or restriction.earliest is None:
            return None
        run_after = restriction.earliest
        if restriction.latest is not None and run_after > restriction.latest:
            return None
        return DagRunInfo(run_after, DataInterval(run_after, run_after))


class _DataIntervalTimetable(Timetable):
    """Continuous periods; a run is due when its period ends (Airflow's ``_DataIntervalTimetable``)."""

    def _get_next(self, current: DateTime) -> DateTime:
        raise NotImplementedError

    def _get_prev(self, current: DateTime) -> DateTime:
        raise NotImplementedError

    def _align_to_next(self, current: DateTime) -> DateTime:
        return current

    def _align_to_prev(self, current: DateTime) -> DateTime:
        return current

    def _skip_to_latest(self, earliest: DateTime | None, now: DateTime) -> DateTime:
        raise NotImplementedError

    def previous_schedule(self, current: DateTime) -> DateTime | None:  # noqa: D102
        return self._get_prev(current)

    def next_dagrun_info(self, *, last_automated_data_interval, restriction, now):  # noqa: D102
        earliest = restriction.earliest
        if not restriction.catchup:
            earliest = self._skip_to_latest(earliest, now)
        elif earliest is not None:
            earliest = self._align_to_next(earliest)
        if last_automated_data_interval is None:
            if earliest is None:
                return None
            start = earliest
        else:
            start = self._align_to_prev(last_automated_data_interval.end)
            if earliest is not None:  # catchup=False, or a start_date moved into the future
                start = max(start, earliest)
        if restriction.latest is not None and start > restriction.latest:
            return None
        end = self._get_next(start)
        return DagRunInfo(end, DataInterval(start, end))


class CronDataIntervalTimetable(_DataIntervalTimetable):
    """A cron expression (or preset) read in ``timezone``: each run covers one period between two
    fire times. Schedules that fire at a fixed wall time (``0 3 * * *``) keep it across a DST change;
    the others (``*/30 * * * *``, ``@hourly``) keep their spacing in absolute time (Airflow's DST fix).

    :param cron: the expression, e.g. ``"0 0 * * *"``. Raises :class:`DagDefinitionError` when
        croniter cannot read it.
    :param timezone: where the expression is read (default UTC).
    :param summary: how it is shown (the preset when one was given).
    """

    def __init__(self, cron: str, timezone: Timezone | FixedTimezone = UTC, summary: str | None = None):
        try:
            first = croniter(cron, dt.datetime(2020, 1, 1))
            a, b = first.get_next(dt.datetime), first.get_next(dt.datetime)
        except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as exc:
            raise DagDefinitionError(f"schedule {cron!r} is not a cron expression or preset ({exc})") from None
        self.expression = cron
        self.timezone = timezone
        self.summary = summary or cron
        self._fix_dst = not (a.minute == b.minute and a.hour == b.hour)

    def _wall(self, current: DateTime) -> dt.datetime:
        return current.in_timezone(self.timezone).naive()

    def _aware(self, wall: dt.datetime) -> DateTime:
        return pendulum.instance(self.timezone.convert(wall)).in_timezone(UTC)

    def _get_next(self, current: DateTime) -> DateTime:
        naive = self._wall(current)
        scheduled = croniter(self.expression, naive).get_next(dt.datetime)
        if not self._fix_dst:
            return self._aware(scheduled)
        return (current.in_timezone(self.timezone) + (scheduled - naive)).in_timezone(UTC)

    def _get_prev(self, current: DateTime) -> DateTime:
        naive = self._wall(current)
        scheduled = croniter(self.expression, naive).get_prev(dt.datetime)
        if not self._fix_dst:
            return self._aware(scheduled)
        return (current.in_timezone(self.timezone) - (naive - scheduled)).in_timezone(UTC)

    def _align_to_next(self, current: DateTime) -> DateTime:
        following = self._get_next(current)
        return following if self._get_prev(following) != current else current

    def _align_to_prev(self, current: DateTime) -> DateTime:
        previous = self._get_prev(current)
        return previous if self._get_next(previous) != current else current

    def _skip_to_latest(self, earliest, now):
        last_start = self._get_prev(now)
        next_start = self._get_next(last_start)
        # The latest interval that has ended by ``now`` starts one period before the last fire time.
        new_start = last_start if next_start == now else self._get_prev(last_start)
        if earliest is None:
            return new_start
        return max(new_start, self._align_to_next(earliest))

    def infer_manual_data_interval(self, *, run_after):
        """The last complete period before ``run_after`` (a manual run at 01:00 on the 25th of a daily
        DAG covers the 24th; at 00:00 on the 25th, too), as Airflow 2."""
        end = self._align_to_prev(run_after)
        return DataInterval(self._get_prev(end), end)


class DeltaDataIntervalTimetable(_DataIntervalTimetable):
    """A ``timedelta``: periods of that length from ``start_date`` (no alignment to a clock).

    :param delta: the period (positive).
    """

    def __init__(self, delta: dt.timedelta):
        if delta <= dt.timedelta(0):
            raise DagDefinitionError(f"schedule {delta!r} must be a positive timedelta")
        self.delta = delta
        self.summary = str(delta)

    def _get_next(self, current):
        return current + self.delta

    def _get_prev(self, current):
        return current - self.delta

    def _skip_to_latest(self, earliest, now):
        new_start = self._get_prev(now)
        return new_start if earliest is None else max(new_start, earliest)

    def infer_manual_data_interval(self, *, run_after):
        """``[run_after - delta, run_after)``, as Airflow 2."""
        return DataInterval(run_after - self.delta, run_after)


def create_timetable(schedule: Any, timezone: Timezone | FixedTimezone = UTC) -> Timetable:
    """The timetable of a DAG's ``schedule`` argument (see the module's docstring); a
    :class:`Timetable` is taken as it is. Raises :class:`DagDefinitionError` for anything else."""
    if isinstance(schedule, Timetable):
        return schedule
    if schedule is None:
        return NullTimetable()
    if isinstance(schedule, dt.timedelta):
        return DeltaDataIntervalTimetable(schedule)
    if isinstance(schedule, str):
        if schedule == "@once":
            return OnceTimetable()
        if schedule == "@continuous":
            raise DagDefinitionError("schedule '@continuous' is not supported by Chordflow (use a cron expression)")
        cron = CRON_PRESETS.get(schedule, schedule)
        return CronDataIntervalTimetable(cron, timezone, summary=schedule)
    raise DagDefinitionError(f"schedule must be None, '@once', a preset, a cron expression or a timedelta, "
                             f"got {type(schedule).__name__} {schedule!r}")
