"""The scheduler's DAG pass (orchestrator/dag_scheduler.py) on SQLite and PostgreSQL, with an injected
clock: which runs it creates, their data intervals, catchup, end_date, pause, new DAGs paused per the
setting, max_active_runs, and each run created once however many passes or schedulers."""
from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pendulum
import pytest
from sqlalchemy import func, select

from executor.stub import StubDispatcher
from orchestrator.dag_loader import DagBag
from orchestrator.dag_scheduler import DagScheduler
from orchestrator.schema import dag_run
from orchestrator.store import Store

UTC = pendulum.UTC


def at(*args):
    return pendulum.datetime(*args, tz=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def dags_folder(tmp_path) -> Path:
    folder = tmp_path / "dags"
    folder.mkdir()
    return folder


def write_dag(folder: Path, dag_id: str, schedule: str = '"@daily"', start: str = "datetime(2022, 1, 1)",
              **options: str) -> Path:
    extra = "".join(f", {key}={value}" for key, value in options.items())
    path = folder / f"{dag_id}.py"
    path.write_text(textwrap.dedent(f"""
        from datetime import datetime, timedelta
        import pendulum
        from orchestrator import DAG
        from orchestrator.operators.empty import EmptyOperator

        with DAG("{dag_id}", schedule={schedule}, start_date={start}{extra}) as dag:
            EmptyOperator(task_id="t")
    """))
    return path


def scheduler(store, folder, clock, paused_at_creation=False, **options) -> DagScheduler:
    return DagScheduler(store, DagBag(folder), StubDispatcher(), 1000, paused_at_creation=paused_at_creation,
                        clock=clock, **options)


def runs_of(store, dag_id):
    return sorted(((r.run_type, r.logical_date, r.data_interval_start, r.data_interval_end)
                   for r in store.list_runs(dag_id=dag_id, limit=1000)), key=lambda r: r[1])


def naive(*args):
    return at(*args).naive()


def finish_all(store: Store, dag_id: str) -> None:
    with store.begin() as conn:
        conn.execute(dag_run.update().where(dag_run.c.dag_id == dag_id).values(state="success"))


def test_catchup_creates_one_scheduled_run_per_ended_interval_with_its_data_interval(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True")
    report = scheduler(store, dags_folder, Clock(at(2022, 1, 4, 6))).schedule()
    assert report.created == [f"scheduled__2022-01-0{d}T00:00:00+00:00__daily" for d in (1, 2, 3)]
    assert runs_of(store, "daily") == [("scheduled", naive(2022, 1, d), naive(2022, 1, d), naive(2022, 1, d + 1))
                                       for d in (1, 2, 3)]


def test_the_next_run_is_recorded_and_created_once_its_interval_ends(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True")
    clock = Clock(at(2022, 1, 2, 6))
    job = scheduler(store, dags_folder, clock)
    assert len(job.schedule().created) == 1
    row = store.dag_rows()["daily"]
    assert (row["next_dagrun"], row["next_dagrun_create_after"]) == (naive(2022, 1, 2), naive(2022, 1, 3))
    assert job.schedule().created == []            # not due yet: nothing, however many passes
    clock.now = at(2022, 1, 3)
    assert job.schedule().created == ["scheduled__2022-01-02T00:00:00+00:00__daily"]


def test_without_catchup_only_the_latest_complete_interval_runs(store, dags_folder):
    write_dag(dags_folder, "daily")                # catchup defaults to False, as in Airflow 3
    scheduler(store, dags_folder, Clock(at(2022, 3, 10, 6))).schedule()
    assert runs_of(store, "daily") == [("scheduled", naive(2022, 3, 9), naive(2022, 3, 9), naive(2022, 3, 10))]


def test_end_date_bounds_the_scheduled_runs(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True", end_date="datetime(2022, 1, 3)")
    job = scheduler(store, dags_folder, Clock(at(2022, 2, 1)))
    job.schedule()
    job.schedule()
    assert [r[1] for r in runs_of(store, "daily")] == [naive(2022, 1, 1), naive(2022, 1, 2), naive(2022, 1, 3)]
    assert store.dag_rows()["daily"]["next_dagrun"] is None


def test_once_and_timedelta_and_none_schedules(store, dags_folder):
    write_dag(dags_folder, "once", '"@once"')
    write_dag(dags_folder, "sixhours", "timedelta(hours=6)", catchup="True")
    write_dag(dags_folder, "manual", "None")
    job = scheduler(store, dags_folder, Clock(at(2022, 1, 1, 13)))
    job.schedule()
    job.schedule()
    assert runs_of(store, "once") == [("scheduled", naive(2022, 1, 1), naive(2022, 1, 1), naive(2022, 1, 1))]
    assert [r[1] for r in runs_of(store, "sixhours")] == [naive(2022, 1, 1, 0), naive(2022, 1, 1, 6)]
    assert runs_of(store, "manual") == []


def test_a_dag_in_a_time_zone_runs_at_its_local_midnight(store, dags_folder):
    write_dag(dags_folder, "tokyo", catchup="True", start='pendulum.datetime(2022, 1, 1, tz="Asia/Tokyo")')
    scheduler(store, dags_folder, Clock(at(2022, 1, 1, 16))).schedule()
    assert runs_of(store, "tokyo") == [("scheduled", naive(2021, 12, 31, 15), naive(2021, 12, 31, 15),
                                        naive(2022, 1, 1, 15))]


def test_new_dags_are_recorded_paused_per_setting_unless_they_say(store, dags_folder):
    write_dag(dags_folder, "quiet", catchup="True")
    write_dag(dags_folder, "eager", catchup="True", is_paused_upon_creation="False")
    report = scheduler(store, dags_folder, Clock(at(2022, 1, 3)), paused_at_creation=True).schedule()
    assert sorted(report.new_dags) == ["eager", "quiet"]
    rows = store.dag_rows()
    assert (rows["quiet"]["is_paused"], rows["eager"]["is_paused"]) == (True, False)
    assert runs_of(store, "quiet") == [] and len(runs_of(store, "eager")) == 2


def test_pause_stops_run_creation_and_unpause_resumes_it(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True")
    clock = Clock(at(2022, 1, 2))
    job = scheduler(store, dags_folder, clock)
    job.schedule()
    store.set_paused("daily", True)
    clock.now = at(2022, 1, 5)
    assert job.schedule().created == []
    store.set_paused("daily", False)
    assert len(job.schedule().created) == 3        # catchup: the intervals missed while paused
    assert store.dag_rows()["daily"]["is_paused"] is False


def test_unpause_without_catchup_skips_what_was_missed(store, dags_folder):
    write_dag(dags_folder, "daily")
    clock = Clock(at(2022, 1, 2))
    job = scheduler(store, dags_folder, clock)
    job.schedule()
    store.set_paused("daily", True)
    clock.now = at(2022, 1, 9, 5)
    job.schedule()
    store.set_paused("daily", False)
    assert job.schedule().created == ["scheduled__2022-01-08T00:00:00+00:00__daily"]


def test_max_active_runs_bounds_catchup_until_runs_end(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True", max_active_runs="2")
    job = scheduler(store, dags_folder, Clock(at(2022, 1, 6)))
    assert len(job.schedule().created) == 2
    assert job.schedule().created == []            # two runs are active
    finish_all(store, "daily")
    assert len(job.schedule().created) == 2
    finish_all(store, "daily")
    assert job.schedule().created == ["scheduled__2022-01-05T00:00:00+00:00__daily"]


def test_schedulers_racing_create_each_run_once(store, dags_folder):
    for name in ("a", "b", "c"):
        write_dag(dags_folder, name, '"@hourly"', catchup="True", max_active_runs="100")
    clock = Clock(at(2022, 1, 2))
    errors = []

    def passes():
        job = scheduler(Store(store.url), dags_folder, clock)
        try:
            for _ in range(5):
                job.schedule()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=passes) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.begin() as conn:
        counts = dict(conn.execute(select(dag_run.c.dag_id, func.count()).group_by(dag_run.c.dag_id)).all())
        distinct = conn.execute(select(func.count(func.distinct(dag_run.c.dag_id + dag_run.c.run_id)))).scalar()
    assert counts == {"a": 24, "b": 24, "c": 24} and distinct == 72


def test_a_pass_that_dies_inside_its_transaction_leaves_nothing_and_the_next_creates_it(store, dags_folder):
    write_dag(dags_folder, "daily", catchup="True")

    def die(run_id):
        if run_id.startswith("scheduled__2022-01-02"):
            raise KeyboardInterrupt  # the process stops here, as a SIGKILL would

    clock = Clock(at(2022, 1, 4))
    with pytest.raises(KeyboardInterrupt):
        scheduler(store, dags_folder, clock, inside_creation=die).schedule()
    assert runs_of(store, "daily") == []         # the run made before it in the same pass is gone too
    scheduler(store, dags_folder, clock).schedule()
    assert [r[1] for r in runs_of(store, "daily")] == [naive(2022, 1, 1), naive(2022, 1, 2), naive(2022, 1, 3)]


def test_the_default_clock_is_the_time_of_day(store, dags_folder):
    import time_machine

    write_dag(dags_folder, "daily", catchup="True")
    job = DagScheduler(store, DagBag(dags_folder), StubDispatcher(), 1000, paused_at_creation=False)
    with time_machine.travel(at(2022, 1, 3, 12), tick=False):
        assert len(job.schedule().created) == 2
    with time_machine.travel(at(2022, 1, 4), tick=False):
        assert job.schedule().created == ["scheduled__2022-01-03T00:00:00+00:00__daily"]


def test_a_slow_repair_puts_the_next_one_off_while_passes_still_admit():
    """The reconciler's repairs scan the running runs' instances: one that took over SLOW_REPAIR is
    not taken again before REPAIR_DUTY says (20x its time, capped at half of zombie_after /
    requeue_after); the passes between still admit to free slots. Fast repairs run every pass."""
    from types import SimpleNamespace

    from executor.reconciler import Reconciler

    clock = [100.0]
    repairs: list[float] = []
    admitted: list[float] = []

    class SlowStore:
        def requeue_zombies(self, zombie_after):
            repairs.append(clock[0])
            clock[0] += self.takes
            return {}

        def stale_queued_tasks(self, requeue_after):
            return []

        def stale_rescheduled_tasks(self, requeue_after):
            return []

        def running_run_ids(self):
            return ["r1"]

    store = SlowStore()
    store.takes = 2.0
    runtime = SimpleNamespace(store=store, settings=SimpleNamespace(zombie_after=30, requeue_after=60),
                              dispatcher=SimpleNamespace(workers_alive=lambda: True, queue_is_empty=lambda q: True),
                              advance=lambda run_id, **options: None, admit=lambda: admitted.append(clock[0]))
    reconciler = Reconciler(runtime, clock=lambda: clock[0])
    assert reconciler.reconcile()["runs"] == 1  # took 2 s: the next repair at 100 + min(40, 15) s
    clock[0] = 110.0
    assert reconciler.reconcile() == {"requeued": 0, "orphaned": 0, "runs": 0}
    assert repairs == [100.0] and admitted == [102.0, 110.0]
    clock[0] = 115.5
    store.takes = 0.01
    assert reconciler.reconcile()["runs"] == 1
    assert reconciler.reconcile()["runs"] == 1  # fast again: every pass repairs
    assert repairs == [100.0, 115.5, 115.51]


def test_queued_instances_are_sent_again_only_once_their_queue_is_empty_and_only_the_stale_ones(tmp_path):
    """A queued instance is taken for lost (its message gone) only when its queue holds no
    message and it waited longer than requeue_after; while messages wait, the reconciler reads
    the task's name only, not its instances (a slow million-way map cost the scheduler 236 MB)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from sqlalchemy import update

    from executor.reconciler import Reconciler
    from orchestrator.schema import task_instance
    from orchestrator.store import utcnow
    from tests.harness import Harness

    h = Harness(tmp_path)
    run_id = h.start(h.write("""
@task(batch_size=1)
def work(x):
    return x

with DAG(dag_id="lost_messages") as d:
    work.expand(x=list(range(5)))
"""))
    h.advance(run_id)
    assert list(h.dispatcher.pending) == [(run_id, "work", [0, 1, 2, 3, 4])]
    with h.store.begin() as conn:  # indices 0-2 queued two minutes ago, 3-4 just now
        conn.execute(update(task_instance).where(task_instance.c.map_index < 3)
                     .values(queued_at=utcnow() - timedelta(seconds=120)))
    touched = []
    touch = h.store.touch_queued
    h.store.touch_queued = lambda *args, **kwargs: touched.append(args) or touch(*args, **kwargs)
    settings = SimpleNamespace(zombie_after=60, requeue_after=60, orphan_timeout=300)
    runtime = SimpleNamespace(store=h.store, dagbag=h.dagbag, dispatcher=h.dispatcher, settings=settings,
                              advance=lambda run_id, **options: None, admit=lambda: 0)
    reconciler = Reconciler(runtime)
    assert reconciler.reconcile()["requeued"] == 0  # their messages still wait
    assert touched == []
    h.dispatcher.pending.clear()  # the broker lost them
    assert reconciler.reconcile()["requeued"] == 3
    assert list(h.dispatcher.pending) == [(run_id, "work", [0, 1, 2])]
    h.dispatcher.pending.clear()
    assert reconciler.reconcile()["requeued"] == 0  # their wait started again
