"""Timetables against Airflow 2's semantics (airflow/timetables/interval.py, simple.py): a run covers
``[data_interval_start, data_interval_end)``, is due once its interval ends, ``logical_date`` is the
interval's start; catchup=False starts at the latest complete interval."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pendulum
import pytest

from orchestrator import DAG
from orchestrator.errors import DagDefinitionError
from orchestrator.timetables import (
    CronDataIntervalTimetable,
    DataInterval,
    DeltaDataIntervalTimetable,
    NullTimetable,
    OnceTimetable,
    TimeRestriction,
    create_timetable,
    timezone_of,
)

UTC = pendulum.UTC


def at(*args, tz=UTC):
    return pendulum.datetime(*args, tz=tz).in_timezone(UTC)


def runs(timetable, restriction, now, count=10):
    """The data intervals the timetable gives one after another, as a scheduler would."""
    found, last = [], None
    for _ in range(count):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction, now=now)
        if info is None or info.run_after > now:
            break
        found.append((info.data_interval.start, info.data_interval.end))
        assert info.logical_date == info.data_interval.start
        last = info.data_interval
    return found


@pytest.mark.parametrize(("preset", "start", "end"), [
    ("@hourly", at(2022, 1, 1, 0), at(2022, 1, 1, 1)),
    ("@daily", at(2022, 1, 1), at(2022, 1, 2)),
    ("@weekly", at(2022, 1, 2), at(2022, 1, 9)),          # Sundays
    ("@monthly", at(2022, 1, 1), at(2022, 2, 1)),
    ("@quarterly", at(2022, 1, 1), at(2022, 4, 1)),
    ("@yearly", at(2022, 1, 1), at(2023, 1, 1)),
])
def test_each_preset_first_interval_starts_at_the_aligned_start_date(preset, start, end):
    timetable = create_timetable(preset)
    assert isinstance(timetable, CronDataIntervalTimetable)
    info = timetable.next_dagrun_info(last_automated_data_interval=None,
                                      restriction=TimeRestriction(at(2022, 1, 1), None, True), now=at(2030, 1, 1))
    assert (info.data_interval.start, info.data_interval.end, info.run_after) == (start, end, end)


def test_catchup_creates_every_interval_since_start_date_and_none_not_ended():
    timetable = create_timetable("@daily")
    found = runs(timetable, TimeRestriction(at(2022, 1, 1), None, True), now=at(2022, 1, 4, 12))
    assert found == [(at(2022, 1, 1), at(2022, 1, 2)), (at(2022, 1, 2), at(2022, 1, 3)),
                     (at(2022, 1, 3), at(2022, 1, 4))]


def test_start_date_between_fire_times_is_aligned_to_the_next_one():
    timetable = create_timetable("@daily")
    found = runs(timetable, TimeRestriction(at(2022, 1, 1, 15), None, True), now=at(2022, 1, 3, 1))
    assert found == [(at(2022, 1, 2), at(2022, 1, 3))]


def test_no_catchup_gives_only_the_latest_complete_interval():
    timetable = create_timetable("@daily")
    found = runs(timetable, TimeRestriction(at(2022, 1, 1), None, False), now=at(2022, 3, 10, 12))
    assert found == [(at(2022, 3, 9), at(2022, 3, 10))]


def test_no_catchup_on_a_boundary_takes_the_interval_ending_now():
    timetable = create_timetable("@daily")
    found = runs(timetable, TimeRestriction(at(2022, 1, 1), None, False), now=at(2022, 3, 10))
    assert found == [(at(2022, 3, 9), at(2022, 3, 10))]


def test_no_catchup_after_a_pause_resumes_at_the_latest_interval_not_the_missed_ones():
    timetable = create_timetable("@daily")
    last = DataInterval(at(2022, 1, 1), at(2022, 1, 2))
    info = timetable.next_dagrun_info(last_automated_data_interval=last,
                                      restriction=TimeRestriction(at(2022, 1, 1), None, False), now=at(2022, 1, 9, 3))
    assert info.data_interval == DataInterval(at(2022, 1, 8), at(2022, 1, 9))


def test_end_date_stops_runs_whose_interval_starts_after_it():
    timetable = create_timetable("@daily")
    found = runs(timetable, TimeRestriction(at(2022, 1, 1), at(2022, 1, 2), True), now=at(2022, 2, 1))
    assert found == [(at(2022, 1, 1), at(2022, 1, 2)), (at(2022, 1, 2), at(2022, 1, 3))]


def test_start_date_in_the_future_gives_nothing_due_yet():
    timetable = create_timetable("@daily")
    assert runs(timetable, TimeRestriction(at(2022, 5, 1), None, False), now=at(2022, 1, 1)) == []


def test_cron_expression_in_the_dag_time_zone_keeps_its_wall_time_across_dst():
    # Europe/Amsterdam went to summer time on 2022-03-27 at 02:00: 03:00 local is 02:00 UTC before, 01:00 after.
    tz = pendulum.timezone("Europe/Amsterdam")
    timetable = create_timetable("0 3 * * *", tz)
    found = runs(timetable, TimeRestriction(at(2022, 3, 25, 3, tz=tz), None, True), now=at(2022, 3, 29))
    assert found == [
        (at(2022, 3, 25, 2), at(2022, 3, 26, 2)),
        (at(2022, 3, 26, 2), at(2022, 3, 27, 1)),      # 23 hours long: the day the clocks went forward
        (at(2022, 3, 27, 1), at(2022, 3, 28, 1)),
    ]


def test_hourly_cron_keeps_its_spacing_across_dst():
    # @hourly is not a fixed wall time: each interval stays one hour of real time (Airflow's DST fix),
    # through the hour 02:00-03:00 that Europe/Amsterdam skipped on 2022-03-27.
    tz = pendulum.timezone("Europe/Amsterdam")
    timetable = create_timetable("@hourly", tz)
    found = runs(timetable, TimeRestriction(at(2022, 3, 27, 0, tz=tz), None, True), now=at(2022, 3, 27, 3))
    assert found == [(at(2022, 3, 26, 23), at(2022, 3, 27, 0)), (at(2022, 3, 27, 0), at(2022, 3, 27, 1)),
                     (at(2022, 3, 27, 1), at(2022, 3, 27, 2)), (at(2022, 3, 27, 2), at(2022, 3, 27, 3))]


def test_time_zone_comes_from_start_date_pendulum_or_zoneinfo():
    from zoneinfo import ZoneInfo

    assert timezone_of(pendulum.datetime(2022, 1, 1, tz="Asia/Tokyo")).name == "Asia/Tokyo"
    assert timezone_of(datetime(2022, 1, 1, tzinfo=ZoneInfo("America/New_York"))).name == "America/New_York"
    assert timezone_of(datetime(2022, 1, 1)) == UTC
    dag = DAG("tz", schedule="@daily", start_date=pendulum.datetime(2022, 1, 1, tz="Asia/Tokyo"))
    info = dag.timetable.next_dagrun_info(last_automated_data_interval=None,
                                          restriction=TimeRestriction(at(2022, 1, 1, tz=dag.timetable.timezone),
                                                                      None, True), now=at(2030, 1, 1))
    assert info.data_interval.start == at(2021, 12, 31, 15)   # midnight in Tokyo


def test_timedelta_periods_start_at_start_date_without_alignment():
    timetable = create_timetable(timedelta(hours=6))
    assert isinstance(timetable, DeltaDataIntervalTimetable)
    found = runs(timetable, TimeRestriction(at(2022, 1, 1, 1, 30), None, True), now=at(2022, 1, 1, 14))
    assert found == [(at(2022, 1, 1, 1, 30), at(2022, 1, 1, 7, 30)), (at(2022, 1, 1, 7, 30), at(2022, 1, 1, 13, 30))]


def test_timedelta_without_catchup_starts_one_period_before_now():
    timetable = create_timetable(timedelta(hours=6))
    found = runs(timetable, TimeRestriction(at(2022, 1, 1), None, False), now=at(2022, 1, 5, 10))
    assert found == [(at(2022, 1, 5, 4), at(2022, 1, 5, 10))]


def test_once_runs_at_start_date_exactly_once_whatever_catchup():
    timetable = create_timetable("@once")
    assert isinstance(timetable, OnceTimetable)
    for catchup in (True, False):
        found = runs(timetable, TimeRestriction(at(2022, 1, 1), None, catchup), now=at(2030, 1, 1))
        assert found == [(at(2022, 1, 1), at(2022, 1, 1))]


def test_none_is_never_scheduled():
    timetable = create_timetable(None)
    assert isinstance(timetable, NullTimetable) and not timetable.can_be_scheduled
    assert runs(timetable, TimeRestriction(at(2022, 1, 1), None, True), now=at(2030, 1, 1)) == []


def test_manual_run_gets_the_last_complete_interval_before_its_logical_date():
    # Airflow 2's infer_manual_data_interval: a daily DAG triggered at 01:00 on the 25th covers the 24th.
    daily, day_24 = create_timetable("@daily"), DataInterval(at(2022, 4, 24), at(2022, 4, 25))
    assert daily.infer_manual_data_interval(run_after=at(2022, 4, 25, 1)) == day_24
    assert daily.infer_manual_data_interval(run_after=at(2022, 4, 25)) == day_24
    delta = create_timetable(timedelta(hours=1))
    assert delta.infer_manual_data_interval(run_after=at(2022, 4, 25, 1)) == DataInterval(at(2022, 4, 25),
                                                                                          at(2022, 4, 25, 1))
    assert create_timetable(None).infer_manual_data_interval(run_after=at(2022, 4, 25)) == DataInterval(
        at(2022, 4, 25), at(2022, 4, 25))


@pytest.mark.parametrize("schedule", ["0 0 * *", "@sometimes", 42, timedelta(0)])
def test_bad_schedule_is_refused_naming_dag_and_value(schedule):
    with pytest.raises(DagDefinitionError, match="DAG 'bad'.*schedule"):
        DAG("bad", schedule=schedule, start_date=datetime(2022, 1, 1, tzinfo=timezone.utc))
