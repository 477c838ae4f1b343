"""The distributed path: real `chordflow worker` processes on Redis and PostgreSQL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CHORDFLOW, NETNS, run_cli

SPREAD = """
import time
from datetime import datetime, timedelta
from pathlib import Path
from orchestrator import dag, task, get_current_context

FLAG = Path("FLAG_PATH")  # outside the DAGs folder: each worker host has its own copy of that

@task(batch_size=1)
def work(x):
    time.sleep(0.2)
    return x

@task(retries=1, retry_delay=timedelta(seconds=1))
def late_retry(x):
    if x == 1 and get_current_context()["ti"].try_number == 1:
        raise RuntimeError("retry me in a second")
    print(f"late_retry {x} done")
    return x

@task
def total(values):
    return sum(values)

@task
def gate(values):
    if not FLAG.exists():
        raise ValueError("gate closed")
    return len(values)

@dag(dag_id="spread", schedule=None, start_date=datetime(2022, 1, 1))
def spread():
    total(work.expand(x=list(range(24))))
    gate(late_retry.expand(x=[0, 1, 2]))

spread()
"""


@pytest.fixture
def dag_file(distributed_env, tmp_path) -> Path:
    folder = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "spread.py"
    path.write_text(textwrap.dedent(SPREAD).replace("FLAG_PATH", str(tmp_path / "gate.fixed")))
    return path


def open_gate(dag_file: Path) -> None:
    (dag_file.parent.parent.parent / "gate.fixed").touch()


def json_of(result):
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def wait_for_state(env, run_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json_of(run_cli(env, "runs", "show", run_id, "--output", "json"))["state"]
        if state in ("success", "failed"):
            return state
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not end in {timeout} s")


def test_map_spreads_over_two_workers_and_logs_are_read_through_the_store(distributed_env, workers, dag_file):
    workers.start("alpha", network=True)
    workers.start("beta", network=True)
    workers.wait_ready()
    result = run_cli(distributed_env, "run", "spread", "--wait", "--output", "json", "--run-id", "r1")
    assert result.returncode == 1, result.stderr  # gate fails until FLAG exists
    rows = json_of(run_cli(distributed_env, "tasks", "list", "r1", "--task-id", "work", "--output", "json"))
    hosts = {row["hostname"] for row in rows}
    assert {h.split("@")[0] for h in hosts} == {"alpha", "beta"}
    if NETNS:  # each worker ran in a network namespace and under a hostname of its own
        assert hosts == {"alpha@alpha-host", "beta@beta-host"}
    assert all(row["state"] == "success" for row in rows)
    assert json_of(run_cli(distributed_env, "xcom", "get", "r1", "total", "--output", "json")) == sum(range(24))
    retried = [r for r in json_of(run_cli(distributed_env, "tasks", "list", "r1", "--task-id", "late_retry",
                                          "--output", "json")) if r["map_index"] == 1][0]
    assert (retried["state"], retried["try_number"]) == ("success", 2)
    logs = run_cli(distributed_env, "tasks", "logs", "r1", "late_retry", "--map-index", "1")
    assert "retry me in a second" in logs.stdout and "late_retry 1 done" in logs.stdout
    # At --loglevel INFO a worker writes no line of Celery's per message (only at DEBUG).
    for name in ("alpha", "beta"):
        worker_log = (workers.log_dir / f"worker-{name}.log").read_text()
        assert "ready." in worker_log and "] received" not in worker_log and "] succeeded in" not in worker_log


def test_solo_pool_with_concurrency_runs_that_many_worker_processes(distributed_env, workers, dag_file):
    """``--pool solo -c 2``: two solo Celery workers (``group-1@``, ``group-2@``) under one
    process; both consume, and SIGTERM to that process stops both warmly (exit code 0)."""
    open_gate(dag_file)
    group = workers.start("group", concurrency=2, pool="solo")
    workers.wait_ready()
    result = run_cli(distributed_env, "run", "spread", "--wait", "--output", "json", "--run-id", "rg")
    assert result.returncode == 0, result.stderr
    rows = json_of(run_cli(distributed_env, "tasks", "list", "rg", "--task-id", "work", "--output", "json"))
    assert {row["hostname"].split("@")[0] for row in rows} == {"group-1", "group-2"}
    assert json_of(run_cli(distributed_env, "xcom", "get", "rg", "total", "--output", "json")) == sum(range(24))
    os.kill(group.pid, signal.SIGTERM)
    assert group.wait(timeout=20) == 0
    log = (workers.log_dir / "worker-group.log").read_text()
    assert log.count("Warm shutdown") == 2 and "SIGTERM: stopping 2 worker process(es) warmly" in log, log[-2000:]


def test_run_without_wait_returns_at_once_and_clear_reruns_on_workers(distributed_env, workers, dag_file):
    workers.start("solo", concurrency=4)
    workers.wait_ready()
    started = json_of(run_cli(distributed_env, "run", "spread", "--output", "json", "--run-id", "r2"))
    assert started["state"] == "running"
    assert wait_for_state(distributed_env, "r2") == "failed"
    open_gate(dag_file)
    cleared = json_of(run_cli(distributed_env, "tasks", "clear", "r2", "--task-id", "gate", "--wait",
                              "--output", "json"))
    assert cleared == {"run_id": "r2", "cleared": 1, "state": "success"}
    assert json_of(run_cli(distributed_env, "xcom", "get", "r2", "gate", "--output", "json")) == 3


def test_scheduler_pass_completes_a_run_whose_callback_was_lost(distributed_env, workers, dag_file):
    """The map's instances all ended but its chord callback never ran (state as a lost callback
    leaves it): one `chordflow scheduler --once` pass does the advance step from the store."""
    from sqlalchemy import create_engine, text

    open_gate(dag_file)
    workers.start("worker", concurrency=4)
    workers.wait_ready()
    run_cli(distributed_env, "run", "spread", "--wait", "--output", "json", "--run-id", "r3")
    engine = create_engine(distributed_env["CHORDFLOW_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE task_instance SET state='none', try_number=0 WHERE task_id='total'"))
        conn.execute(text("DELETE FROM xcom WHERE task_id='total'"))
        conn.execute(text("UPDATE dag_run SET state='running', end_date=NULL WHERE run_id='r3'"))
    engine.dispose()
    assert run_cli(distributed_env, "scheduler", "--once").returncode == 0
    assert wait_for_state(distributed_env, "r3") == "success"
    assert json_of(run_cli(distributed_env, "xcom", "get", "r3", "total", "--output", "json")) == sum(range(24))


def test_worker_refuses_a_pickled_message(distributed_env, workers, dag_file, tmp_path):
    """Messages are JSON only: a pickled task message on the queue is refused, never unpickled."""
    from celery import Celery

    workers.start("guard", concurrency=1, options=("--loglevel", "DEBUG"))  # (it would log a task it received)
    workers.wait_ready()
    sender = Celery("intruder", broker=distributed_env["CHORDFLOW_BROKER_URL"])
    sender.conf.update(task_serializer="pickle", accept_content=["pickle"],
                       broker_transport_options={"global_keyprefix": distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]})
    sender.send_task("chordflow.advance", args=["any-run"], queue="chordflow", serializer="pickle")
    log = tmp_path / "worker-guard.log"
    deadline = time.monotonic() + 20
    while "Refusing to deserialize untrusted content of type pickle" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.2)
    assert "Task chordflow.advance" not in log.read_text()  # never received as a task, so never run


def stderr_lines(proc: subprocess.Popen) -> list[str]:
    """The lines ``proc`` writes to stderr, appended as they come (read on a thread of their own)."""
    lines: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_run_wait_with_no_worker_alive_says_so_once_naming_the_broker_and_keeps_waiting(distributed_env, workers,
                                                                                      dag_file):
    open_gate(dag_file)
    run = subprocess.Popen([CHORDFLOW, "run", "spread", "--wait", "--output", "json", "--run-id", "r5"],
                           env=distributed_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = stderr_lines(run)
    deadline = time.monotonic() + 30
    while not said:
        assert run.poll() is None and time.monotonic() < deadline, said
        time.sleep(0.1)
    broker, prefix = distributed_env["CHORDFLOW_BROKER_URL"], distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    assert said == [f"no worker answers on the broker at {broker} (key prefix {prefix!r}): start one with "
                    "`chordflow worker` (same CHORDFLOW_* settings and DAG files); still waiting for run r5\n"]
    workers.start("late")
    assert run.wait(timeout=120) == 0, said
    assert json.loads(run.stdout.read())["state"] == "success"
    assert len(said) == 1


RETRY_LATER = """
from datetime import datetime, timedelta
from orchestrator import dag, task, get_current_context

@task(retries=1, retry_delay=timedelta(seconds=12))
def late(x):
    if get_current_context()["ti"].try_number == 1:
        raise RuntimeError("again in 12 s")
    return x

@dag(dag_id="retry_later", schedule=None, start_date=datetime(2022, 1, 1))
def retry_later():
    late.expand(x=[0, 1])

retry_later()
"""


def test_run_wait_says_nothing_of_workers_while_one_is_alive_though_nothing_runs(distributed_env, workers):
    folder = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "retry_later.py").write_text(textwrap.dedent(RETRY_LATER))
    workers.start("alive", concurrency=1)
    workers.wait_ready()
    started = time.monotonic()
    result = run_cli(distributed_env, "run", "retry_later", "--wait", "--output", "json")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started > 12  # nothing ran for two looks at the workers, or more
    assert "worker" not in result.stderr, result.stderr


WAITING = """
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task

FLAG = Path("FLAG_PATH")  # outside the DAGs folder: each worker host has its own copy of that

@task
def wait():
    print("waiting", flush=True)
    for tick in range(600):  # until FLAG exists, at most a minute
        if FLAG.exists():
            break
        if tick % 5 == 0:
            print(f"still waiting: {tick}", flush=True)
        time.sleep(0.1)
    print("done")

@dag(dag_id="waiting", schedule=None, start_date=datetime(2022, 1, 1))
def waiting():
    wait()

waiting()
"""


def test_the_log_of_a_running_try_is_read_and_followed_from_another_host(distributed_env, workers, tmp_path):
    flag = tmp_path / "waiting.go"
    dags = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "waiting.py").write_text(textwrap.dedent(WAITING).replace("FLAG_PATH", str(flag)))
    workers.start("far", network=True)
    workers.wait_ready()
    assert run_cli(distributed_env, "run", "waiting", "--run-id", "r", "--output", "json").returncode == 0
    deadline = time.monotonic() + 60
    while "still waiting: 5" not in (so_far := run_cli(distributed_env, "tasks", "logs", "r", "wait")).stdout:
        assert time.monotonic() < deadline, so_far.stderr
        time.sleep(0.2)
    assert "try 1 is running" in so_far.stderr and "--- wait map_index=-1 try=1 on far@" in so_far.stdout
    follow = subprocess.Popen([CHORDFLOW, "tasks", "logs", "r", "wait", "--follow"], env=distributed_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(1.5)  # it prints what was there, then what comes
        flag.touch()
        out, err = follow.communicate(timeout=60)
    finally:
        if follow.poll() is None:
            os.killpg(follow.pid, signal.SIGKILL)
            follow.communicate()
    assert follow.returncode == 0, err
    assert wait_for_state(distributed_env, "r") == "success"
    final = run_cli(distributed_env, "tasks", "logs", "r", "wait").stdout
    assert out.startswith(so_far.stdout), (so_far.stdout, out)
    assert out == final, (out, final)
    assert "done\n" in out


def test_ctrl_c_on_run_wait_stops_waiting_and_the_run_goes_on_in_the_workers(distributed_env, workers, tmp_path):
    flag = tmp_path / "waiting.go"
    dags = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "waiting.py").write_text(textwrap.dedent(WAITING).replace("FLAG_PATH", str(flag)))
    workers.start("far")
    workers.wait_ready()
    run = subprocess.Popen([CHORDFLOW, "run", "waiting", "--run-id", "r", "--wait"], env=distributed_env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "waiting" not in run_cli(distributed_env, "tasks", "logs", "r", "wait").stdout:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
    assert run.returncode == 130
    assert len(err.strip().splitlines()) == 1 and "run r goes on in the workers" in err, err
    assert json_of(run_cli(distributed_env, "runs", "show", "r", "--output", "json"))["state"] == "running"
    flag.touch()
    assert wait_for_state(distributed_env, "r") == "success"
