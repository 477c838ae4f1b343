"""`chordflow scheduler` as real processes: two schedulers racing on PostgreSQL create each run once; a
scheduler killed inside its transaction loses and doubles nothing; max_active_runs holds with real
workers; the embedded default runs scheduled runs in the scheduler's process; the CLI around it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orchestrator.schema import dag_run
from orchestrator.store import Store
from tests.conftest import CHORDFLOW, run_cli


def write_dag(env, dag_id: str, schedule: str = '"@daily"', body: str = 'EmptyOperator(task_id="t")',
              **options: str) -> Path:
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    extra = "".join(f", {key}={value}" for key, value in options.items())
    path = folder / f"{dag_id}.py"
    path.write_text(textwrap.dedent(f"""
        import time
        from datetime import datetime, timedelta
        from orchestrator import DAG, task
        from orchestrator.operators.empty import EmptyOperator

        @task
        def nap():
            time.sleep(1)

        with DAG("{dag_id}", schedule={schedule}, start_date=datetime(2022, 1, 1){extra}) as dag:
            {body}
    """))
    return path


def start_scheduler(env, log: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([CHORDFLOW, "scheduler", *args], env={**env, **(extra_env or {})},
                            stdout=subprocess.DEVNULL, stderr=open(log, "wb"), stdin=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc: subprocess.Popen, signum: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signum)
    proc.wait(timeout=30)


def run_counts(store: Store) -> dict[str, int]:
    with store.begin() as conn:
        return dict(conn.execute(select(dag_run.c.dag_id, func.count()).group_by(dag_run.c.dag_id)).all())


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.mark.timeout(300)
def test_two_schedulers_racing_on_postgresql_create_each_run_once(distributed_env, tmp_path):
    env = distributed_env
    names = [f"hourly_{i}" for i in range(6)]
    for name in names:  # 24 hourly intervals each, all due
        write_dag(env, name, '"@hourly"', catchup="True", end_date="datetime(2022, 1, 1, 23)", max_active_runs="100",
                  is_paused_upon_creation="False")
    store = Store(env["CHORDFLOW_DATABASE_URL"])
    store.ensure_schema()
    logs = [tmp_path / "s1.log", tmp_path / "s2.log"]
    schedulers = [start_scheduler(env, log, "--interval", "0.1") for log in logs]
    try:
        wait_until(lambda: sum(run_counts(store).values()) >= 144, 120,
                   "the schedulers did not create every run: " + logs[0].read_text()[-1000:])
        time.sleep(1)  # more passes of both: nothing more may come
    finally:
        for proc in schedulers:
            stop(proc)
    assert run_counts(store) == {name: 24 for name in names}
    said = [log.read_text() for log in logs]
    assert not any("pass failed" in text for text in said), said
    created = [line for text in said for line in text.splitlines() if line.startswith("created run ")]
    assert len(created) == len(set(created)) == 144
    store.dispose()


@pytest.mark.timeout(300)
def test_a_scheduler_killed_inside_its_transaction_loses_and_doubles_nothing(distributed_env, tmp_path):
    env = distributed_env
    write_dag(env, "daily", catchup="True", end_date="datetime(2022, 1, 5)", is_paused_upon_creation="False")
    marker = tmp_path / "stalled"
    stalled = start_scheduler(env, tmp_path / "stalled.log", extra_env={"CHORDFLOW_TEST_SCHEDULER_STALL": str(marker)})
    store = Store(env["CHORDFLOW_DATABASE_URL"])
    try:
        wait_until(marker.exists, 60, "the scheduler never reached its first run: "
                   + (tmp_path / "stalled.log").read_text()[-1000:])
        # Another scheduler meanwhile skips the DAG its row lock holds (SKIP LOCKED): it neither waits nor doubles.
        other = run_cli(env, "scheduler", "--once")
        assert other.returncode == 0, other.stderr
        assert run_counts(store) == {}
    finally:
        stop(stalled, signal.SIGKILL)
    assert run_counts(store) == {}                    # the killed transaction left nothing behind
    again = run_cli(env, "scheduler", "--once")
    assert again.returncode == 0, again.stderr
    with store.begin() as conn:
        logical = sorted(conn.execute(select(dag_run.c.logical_date)).scalars())
    assert [d.day for d in logical] == [1, 2, 3, 4, 5]
    store.dispose()


@pytest.mark.timeout(300)
def test_max_active_runs_holds_with_real_workers(distributed_env, workers, tmp_path):
    env = distributed_env
    write_dag(env, "capped", catchup="True", end_date="datetime(2022, 1, 6)", max_active_runs="2",
              is_paused_upon_creation="False", body="nap()")
    store = Store(env["CHORDFLOW_DATABASE_URL"])
    store.ensure_schema()
    workers.start("w1", concurrency=2)
    workers.start("w2", concurrency=2)
    workers.wait_ready()
    scheduler = start_scheduler(env, tmp_path / "scheduler.log", "--interval", "0.2")
    most_running, states = 0, {}
    try:
        deadline = time.monotonic() + 200
        while True:
            with store.begin() as conn:
                states = dict(conn.execute(select(dag_run.c.run_id, dag_run.c.state)).all())
            most_running = max(most_running, sum(s in ("queued", "running") for s in states.values()))
            if len(states) == 6 and all(s == "success" for s in states.values()):
                break
            assert time.monotonic() < deadline, (states, (tmp_path / "scheduler.log").read_text()[-1000:])
            time.sleep(0.05)
    finally:
        stop(scheduler)
    assert most_running == 2                          # reached, never passed
    store.dispose()


def test_embedded_scheduler_runs_scheduled_runs_and_runs_list_shows_their_type(embedded_env):
    env = embedded_env
    write_dag(env, "daily", catchup="True", end_date="datetime(2022, 1, 3)")
    listed = run_cli(env, "dags", "list", "--output", "json")
    row = json.loads(listed.stdout)[0]
    assert (row["schedule"], row["is_paused"], row["next_dagrun"]) == ("@daily", True, None)
    idle = run_cli(env, "scheduler", "--once")     # paused at creation (Airflow's default): nothing runs
    assert idle.returncode == 0, idle.stderr
    assert json.loads(run_cli(env, "runs", "list", "--output", "json").stdout) == []
    unpaused = run_cli(env, "dags", "unpause", "daily")
    assert unpaused.returncode == 0 and "unpaused" in unpaused.stdout
    done = run_cli(env, "scheduler", "--once")
    assert done.returncode == 0, done.stderr
    runs = json.loads(run_cli(env, "runs", "list", "--output", "json").stdout)
    assert sorted((r["run_type"], r["state"], r["logical_date"][:10], r["data_interval_end"][:10]) for r in runs) == [
        ("scheduled", "success", "2022-01-01", "2022-01-02"), ("scheduled", "success", "2022-01-02", "2022-01-03"),
        ("scheduled", "success", "2022-01-03", "2022-01-04")]
    row = json.loads(run_cli(env, "dags", "list", "--output", "json").stdout)[0]
    assert (row["is_paused"], row["next_dagrun"]) == (False, None)     # end_date reached
    table = run_cli({**env, "COLUMNS": "300"}, "runs", "list")
    assert "scheduled" in table.stdout


def test_pausing_an_unknown_dag_is_one_line_and_exit_2(embedded_env):
    result = run_cli(embedded_env, "dags", "pause", "nope")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "nope" in result.stderr


@pytest.mark.timeout(300)
def test_triggered_runs_over_max_active_runs_wait_queued_and_run_one_after_another(distributed_env, workers, tmp_path):
    env = distributed_env
    gate = tmp_path / "open"   # the task waits for it: run a cannot end before the test says so
    path = write_dag(env, "one_at_a_time", "None", body="gated()", max_active_runs="1")
    path.write_text(path.read_text().replace("with DAG(", f"""
@task
def gated():
    while not __import__("os").path.exists({str(gate)!r}):
        time.sleep(0.05)

with DAG("""))
    workers.start("w1", concurrency=2)
    workers.wait_ready()
    first = run_cli(env, "run", str(path), "--run-id", "a", "--output", "json")
    second = run_cli(env, "run", str(path), "--run-id", "c", "--output", "json")
    assert (json.loads(first.stdout)["state"], json.loads(second.stdout)["state"]) == ("running", "queued")
    waiting = subprocess.Popen([CHORDFLOW, "run", str(path), "--run-id", "b", "--wait", "--output", "json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    store = Store(env["CHORDFLOW_DATABASE_URL"])
    wait_until(lambda: any(r.run_id == "b" for r in store.list_runs()), 60, "run b was not created")
    assert {r.run_id: r.state for r in store.list_runs()} == {"a": "running", "c": "queued", "b": "queued"}
    gate.touch()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "run b is queued" in err and json.loads(out)["state"] == "success"
    wait_until(lambda: all(r.state == "success" for r in store.list_runs()), 60, "run c never ended")
    ordered = sorted(store.list_runs(), key=lambda r: r.start_date)
    assert [r.run_id for r in ordered] == ["a", "c", "b"]          # queued runs start oldest first
    assert all(later.start_date >= earlier.end_date for earlier, later in zip(ordered, ordered[1:], strict=False))
    store.dispose()


CONTEXT_TASK = """
@task
def seen(data_interval_start=None, data_interval_end=None, logical_date=None, prev_data_interval_start_success=None,
         prev_data_interval_end_success=None, prev_start_date_success=None, next_ds=None, dag_run=None,
         prev_ds=None, prev_execution_date_success=None, prev_end_date_success=None, next_execution_date=None):
    def text(value):
        return None if value is None else value.isoformat()
    return {"start": text(data_interval_start), "end": text(data_interval_end), "logical": text(logical_date),
            "prev_start": text(prev_data_interval_start_success), "prev_end": text(prev_data_interval_end_success),
            "prev_started": prev_start_date_success is not None, "next_ds": next_ds, "run_type": dag_run.run_type,
            "prev_ds": prev_ds, "prev_logical_success": text(prev_execution_date_success),
            "prev_ended": prev_end_date_success is not None, "next_logical": text(next_execution_date)}
"""


def test_tasks_see_their_data_interval_and_the_previous_successful_one(embedded_env):
    env = embedded_env
    path = write_dag(env, "ctx", catchup="True", end_date="datetime(2022, 1, 2)", max_active_runs="1",
                     is_paused_upon_creation="False", body="seen()")
    path.write_text(path.read_text().replace("with DAG(", CONTEXT_TASK + "\nwith DAG("))
    for _ in range(2):  # max_active_runs=1: one run per pass, each after the one before succeeded
        result = run_cli(env, "scheduler", "--once")
        assert result.returncode == 0, result.stderr

    def seen_by(run_id):
        return json.loads(run_cli(env, "xcom", "get", run_id, "seen", "--output", "json").stdout)

    first = seen_by("scheduled__2022-01-01T00:00:00+00:00__ctx")
    # (Airflow 2's deprecated prev_ds / next_ds of a scheduled run: the schedule's points around it)
    assert first == {"start": "2022-01-01T00:00:00+00:00", "end": "2022-01-02T00:00:00+00:00",
                     "logical": "2022-01-01T00:00:00+00:00", "prev_start": None, "prev_end": None,
                     "prev_started": False, "next_ds": "2022-01-02", "run_type": "scheduled",
                     "prev_ds": "2021-12-31", "prev_logical_success": None, "prev_ended": False,
                     "next_logical": "2022-01-02T00:00:00+00:00"}
    second = seen_by("scheduled__2022-01-02T00:00:00+00:00__ctx")
    assert (second["start"], second["prev_start"], second["prev_end"], second["prev_started"]) == (
        "2022-01-02T00:00:00+00:00", "2022-01-01T00:00:00+00:00", "2022-01-02T00:00:00+00:00", True)
    assert (second["prev_ds"], second["prev_logical_success"], second["prev_ended"]) == (
        "2022-01-01", "2022-01-01T00:00:00+00:00", True)
    # A run by hand gets the interval Airflow 2 infers: the last complete day before its logical date.
    manual = run_cli(env, "run", str(path), "--run-id", "m", "--logical-date", "2022-04-12T06:00:00")
    assert manual.returncode == 0, manual.stderr
    by_hand = seen_by("m")
    assert (by_hand["start"], by_hand["end"], by_hand["logical"], by_hand["run_type"]) == (
        "2022-04-11T00:00:00+00:00", "2022-04-12T00:00:00+00:00", "2022-04-12T06:00:00+00:00", "manual")
    # Airflow's external_trigger: a run by hand's prev_ds / next_ds are its own logical date.
    assert (by_hand["prev_ds"], by_hand["next_ds"], by_hand["next_logical"]) == (
        "2022-04-12", "2022-04-12", "2022-04-12T06:00:00+00:00")
