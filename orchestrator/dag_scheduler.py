"""The scheduler's DAG pass: record the DAGs of the DAGs folder and create the runs their schedules ask for.

Each pass parses the DAGs folder, records every DAG (``dag`` table: file, schedule, paused, when
its next run is due) and, for each DAG that is not paused, creates the runs whose data interval has
ended (Airflow 2's ``CronDataIntervalTimetable`` / ``DeltaDataIntervalTimetable`` rules, see
:mod:`orchestrator.timetables`), as ``scheduled`` runs through the same first step as
``chordflow run``, while fewer than ``max_active_runs`` of the DAG's runs are queued or running.

Runs triggered by hand that wait ``queued`` for a slot under ``max_active_runs`` are started by the
pass too, once a slot is free (the process waiting for such a run starts it as well).

Exactly once, with any number of schedulers on any number of hosts: a DAG's runs are created in
one transaction holding its ``dag`` row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, as Airflow's
scheduler does: another scheduler skips that DAG meanwhile; SQLite has one writer at a time), the
next run is computed from the runs in the store (not from memory), and a unique index on
``(dag_id, logical_date)`` over scheduled and backfill runs refuses a second one whatever happens.
A scheduler killed mid-pass leaves its transaction uncommitted: the next pass creates those runs.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pendulum
from pendulum import DateTime

from orchestrator.advance import Dispatcher, create_run, finish_creation, start_queued_runs
from orchestrator.dag import DAG
from orchestrator.dag_loader import DagBag
from orchestrator.dates import as_utc_naive
from orchestrator.store import Store
from orchestrator.timetables import DagRunInfo, DataInterval, TimeRestriction, utc

log = logging.getLogger("chordflow.scheduler")


def now_utc() -> DateTime:
    """The scheduler's default clock: now, in UTC."""
    return pendulum.now(pendulum.UTC)


def automated_run_id(run_type: str, dag_id: str, logical_date: datetime) -> str:
    """A scheduled or backfill run's id: ``<run_type>__<logical date, ISO 8601>__<dag_id>`` (Airflow's
    ``scheduled__<logical date>``, with the DAG's id since a run id names one run of any DAG here)."""
    return f"{run_type}__{utc(logical_date).isoformat()}__{dag_id}"


def restriction_of(dag: DAG) -> TimeRestriction:
    """What bounds the DAG's scheduled runs: its ``start_date``, ``end_date`` and ``catchup``."""
    return TimeRestriction(utc(dag.start_date) if dag.start_date else None,
                           utc(dag.end_date) if dag.end_date else None, dag.catchup)


def as_interval(bounds: tuple[datetime, datetime] | None) -> DataInterval | None:
    """Stored ``(start, end)`` (naive UTC) as a :class:`DataInterval`."""
    return None if bounds is None else DataInterval(utc(bounds[0]), utc(bounds[1]))


@dataclass
class PassReport:
    """What one pass did: DAGs seen, DAGs recorded for the first time, queued runs started, runs
    created, files that failed."""

    dags: int = 0
    new_dags: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


class DagScheduler:
    """Creates the runs that schedules ask for (Airflow's scheduler, its DagRun creation part).

    :param store: the store.
    :param dagbag: the DAGs folder.
    :param dispatcher: where the first step of a created run sends its instances.
    :param max_map_length: ``CHORDFLOW_MAX_MAP_LENGTH``.
    :param max_active_runs_per_dag: a DAG's ``max_active_runs`` when it sets none (default 16).
    :param paused_at_creation: whether a new DAG is recorded paused unless it says (default True).
    :param clock: returns now as an aware datetime (default :func:`now_utc`; tests pass their own).
    :param inside_creation: called with each created run's id inside the transaction that creates it,
        before the commit (default none; the tests kill a scheduler there).
    """

    def __init__(self, store: Store, dagbag: DagBag, dispatcher: Dispatcher, max_map_length: int,
                 max_active_runs_per_dag: int = 16, paused_at_creation: bool = True,
                 clock: Callable[[], datetime] = now_utc, inside_creation: Callable[[str], None] | None = None):
        self.store = store
        self.dagbag = dagbag
        self.dispatcher = dispatcher
        self.max_map_length = max_map_length
        self.max_active_runs_per_dag = max_active_runs_per_dag
        self.paused_at_creation = paused_at_creation
        self.clock = clock
        self.inside_creation = inside_creation

    def schedule(self) -> PassReport:
        """One pass over the DAGs folder (see the module's docstring). Raises what the store raises
        when unreachable; a DAG file that does not import is reported, its DAGs left as they were."""
        dags, errors = self.dagbag.collect()
        report = PassReport(dags=len(dags), errors=dict(errors), new_dags=self.record(dags.values()))
        rows = self.store.dag_rows()
        for dag_id in sorted(dags):
            if self.store.queued_run_ids(dag_id):  # triggered runs waiting for a slot of max_active_runs
                report.started.extend(self.store.retrying(
                    start_queued_runs, self.store, dags[dag_id], self.dispatcher, self.max_map_length,
                    self.max_active_runs(dags[dag_id])))
        for dag_id in sorted(dags):
            dag, row = dags[dag_id], rows.get(dag_id)
            if row is None or row["is_paused"] or not dag.timetable.can_be_scheduled:
                continue
            report.created.extend(self.store.retrying(self.create_due_runs, dag, row["fileloc"]))
        return report

    def record(self, dags: Iterable[DAG]) -> list[str]:
        """Record ``dags`` in the ``dag`` table (a new one paused per ``is_paused_upon_creation``, else
        ``paused_at_creation``); returns the ids of those recorded for the first time."""
        return self.store.record_dags(
            ({"dag_id": dag.dag_id, "fileloc": self.dagbag.fileloc_for(Path(dag.fileloc)),
              "schedule": dag.timetable.summary, "max_active_runs": self.max_active_runs(dag),
              "is_paused_upon_creation": dag.is_paused_upon_creation} for dag in dags),
            self.paused_at_creation,
        )

    def max_active_runs(self, dag: DAG) -> int:
        """The most runs of ``dag`` queued or running at once."""
        return dag.max_active_runs or self.max_active_runs_per_dag

    def create_due_runs(self, dag: DAG, fileloc: str) -> list[str]:
        """Create the DAG's runs that are due now, in one transaction holding its ``dag`` row, and
        record when the next one is due; then dispatch their first steps. Returns the new runs' ids
        (none when another scheduler holds the DAG)."""
        now = utc(self.clock())
        restriction = restriction_of(dag)
        created, decided = [], []
        with self.store.begin() as conn:
            if self.store.lock_dag(conn, dag.dag_id) is None:
                return []
            last = as_interval(self.store.last_automated_interval(conn, dag.dag_id))
            active = self.store.active_run_count(conn, dag.dag_id)
            while True:
                info = dag.timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction,
                                                      now=now)
                if info is None or info.run_after > now or active >= self.max_active_runs(dag):
                    break
                run_id = automated_run_id("scheduled", dag.dag_id, info.logical_date)
                interval = (info.data_interval.start, info.data_interval.end)
                decided.append(create_run(self.store, dag, run_id, info.logical_date, {}, fileloc, self.max_map_length,
                                          "scheduled", interval, conn))
                if self.inside_creation is not None:
                    self.inside_creation(run_id)
                created.append(run_id)
                active += 1
                last = info.data_interval
            self.store.set_next_dagrun(conn, dag.dag_id, _next_dagrun_columns(info))
        for run_id, step in zip(created, decided, strict=True):
            log.info("created run %s", run_id)
            finish_creation(step, dag, self.dispatcher)
        return created


def _next_dagrun_columns(info: DagRunInfo | None) -> dict[str, datetime | None]:
    """The ``dag`` row's ``next_dagrun*`` columns for the next run the timetable wants (``None``: none)."""
    if info is None:
        return {"next_dagrun": None, "next_dagrun_data_interval_start": None, "next_dagrun_data_interval_end": None,
                "next_dagrun_create_after": None}
    return {"next_dagrun": as_utc_naive(info.logical_date),
            "next_dagrun_data_interval_start": as_utc_naive(info.data_interval.start),
            "next_dagrun_data_interval_end": as_utc_naive(info.data_interval.end),
            "next_dagrun_create_after": as_utc_naive(info.run_after)}
