"""``chordflow dags backfill``: a run for each of a DAG's data intervals in a date range (Airflow 2's backfill).

Each interval of the DAG's schedule whose start lies in ``[start, end]`` gets a ``backfill`` run
(``backfill__<logical date>__<dag_id>``) unless the DAG has a run at that logical date already: that
one is kept, or with ``reset_failed``, when it failed, its failed and ``upstream_failed`` instances
are cleared and it runs again. At most ``max_active_runs`` of the DAG's runs are queued or running at
once (scheduled ones count): the next interval waits until one ends. The command stays until every
run it started ends, as Airflow 2's backfill does; on the embedded default they run in its process.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from executor import submission
from executor.services import Services
from orchestrator import read_models
from orchestrator.dag import DAG
from orchestrator.dag_scheduler import automated_run_id, now_utc
from orchestrator.dates import as_utc_naive
from orchestrator.errors import BadInput, DuplicateRunError
from orchestrator.states import DagRunState
from orchestrator.timetables import DagRunInfo, TimeRestriction, utc

_ENDED = {DagRunState.SUCCESS.value, DagRunState.FAILED.value}
_FAILED_STATES = {"failed", "upstream_failed"}


def backfill_intervals(dag: DAG, start: datetime, end: datetime) -> list[DagRunInfo]:
    """The DAG's data intervals whose start lies in ``[start, end]`` (aligned to its schedule, as
    Airflow's ``iter_dagrun_infos_between``). Raises :class:`BadInput` when there is none (a DAG with
    ``schedule=None``, or a range holding no interval's start)."""
    if end < start:
        raise BadInput(f"--end-date {end.isoformat()} is before --start-date {start.isoformat()}")
    restriction = TimeRestriction(utc(start), utc(end), True)
    found: list[DagRunInfo] = []
    last = None
    while True:
        info = dag.timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction,
                                              now=now_utc())
        if info is None or (found and info.logical_date == found[-1].logical_date):
            break
        found.append(info)
        last = info.data_interval
    if not found:
        raise BadInput(f"DAG {dag.dag_id!r} (schedule {dag.timetable.summary}) has no data interval starting between "
                       f"{start.isoformat()} and {end.isoformat()}: nothing to backfill")
    return found


@dataclass
class BackfillReport:
    """What a backfill did: runs it created, runs it cleared again, runs it kept, and how each ended."""

    created: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)


class Backfill:
    """Runs a DAG over a date range.

    :param svc: the command's services.
    :param dag: the DAG.
    :param reset_failed: run failed runs of the range again (their failed instances), default False.
    :param say: where progress goes, one line each.
    """

    def __init__(self, svc: Services, dag: DAG, reset_failed: bool, say: Callable[[str], None]):
        self.svc = svc
        self.dag = dag
        self.reset_failed = reset_failed
        self.say = say
        self.limit = dag.max_active_runs or svc.settings.max_active_runs_per_dag
        self.poll = submission.POLL_EMBEDDED if svc.settings.embedded else submission.POLL_BROKER

    def run(self, start: datetime, end: datetime) -> BackfillReport:
        """Backfill ``[start, end]`` and wait until every run it started ended. Raises
        :class:`BadInput` when the range holds no interval."""
        infos = backfill_intervals(self.dag, start, end)
        worker = None
        if self.svc.settings.embedded:
            from executor.embedded import EmbeddedWorker

            worker = EmbeddedWorker(self.svc.app).start()
        try:
            return self._run(infos)
        finally:
            if worker is not None:
                worker.stop()

    def _run(self, infos: list[DagRunInfo]) -> BackfillReport:
        store, report = self.svc.store, BackfillReport()
        existing = store.runs_at(self.dag.dag_id, [as_utc_naive(info.logical_date) for info in infos])
        started: list[str] = []
        for number, info in enumerate(infos, 1):
            where = f"[{number}/{len(infos)}] {info.logical_date.isoformat()}"
            record = existing.get(as_utc_naive(info.logical_date))
            if record is not None and not (self.reset_failed and record.state == DagRunState.FAILED.value):
                self.say(f"{where}: kept run {record.run_id} ({record.state})")
                report.kept.append(record.run_id)
                continue
            self._wait_for_a_slot(report)
            if record is not None:
                self._reset(record.run_id)
                self.say(f"{where}: cleared the failed instances of run {record.run_id}")
                report.reset.append(record.run_id)
                started.append(record.run_id)
                continue
            run_id = automated_run_id("backfill", self.dag.dag_id, info.logical_date)
            try:
                self.svc.runtime.start(self.dag, run_id, info.logical_date, {}, "backfill",
                                       (info.data_interval.start, info.data_interval.end))
            except DuplicateRunError:  # a scheduler made this interval's run meanwhile
                self.say(f"{where}: kept the run a scheduler created meanwhile")
                continue
            self.say(f"{where}: created run {run_id}")
            report.created.append(run_id)
            started.append(run_id)
        for run_id in started:
            while (state := store.get_run(run_id).state) not in _ENDED:
                time.sleep(self.poll)
            report.states[run_id] = state
        for run_id in started:
            self.say(f"run {run_id} ended {report.states[run_id]}")
        return report

    def _wait_for_a_slot(self, report: BackfillReport) -> None:
        """Until fewer than ``max_active_runs`` of the DAG's runs are queued or running."""
        said = False
        while self.svc.store.active_runs(self.dag.dag_id) >= self.limit:
            if not said:
                self.say(f"waiting: {self.limit} run(s) of {self.dag.dag_id} active (max_active_runs)")
                said = True
            time.sleep(self.poll)

    def _reset(self, run_id: str) -> None:
        """Clear the failed and upstream_failed instances of a failed run, then take its advance step."""
        store, dagbag = self.svc.store, self.svc.runtime.dagbag
        failed = [task_id for task_id, counts in store.state_counts(run_id).items() if _FAILED_STATES & set(counts)]
        for task_id in failed:
            submission.clear_instances(self.svc, read_models.clear_plan(store, dagbag, run_id, task_id,
                                                                        only_failed=True))
        self.svc.runtime.advance(run_id)
