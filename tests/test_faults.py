"""Faults with real processes: no mapped instance lost or doubled, no run waiting forever."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import CHORDFLOW, NETNS, free_port, run_cli

WIDE = """
import time
from datetime import datetime
from orchestrator import dag, task

@task(batch_size=1)
def work(x):
    time.sleep(0.2)
    return x

@task
def reduce(values):
    return [sum(values), len(values)]

@dag(dag_id="wide", schedule=None, start_date=datetime(2022, 1, 1))
def wide():
    reduce(work.expand(x=list(range(300))))

wide()
"""

#: Fast failure detection for the tests: heartbeat every second, dead after 4 s of silence.
FAST = {"CHORDFLOW_HEARTBEAT_INTERVAL": "1", "CHORDFLOW_ZOMBIE_AFTER": "4", "CHORDFLOW_REQUEUE_AFTER": "5"}


@pytest.fixture
def fast_env(distributed_env) -> dict[str, str]:
    env = {**distributed_env, **FAST}
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wide.py").write_text(textwrap.dedent(WIDE))
    return env


def instances(env, run_id, task_id):
    result = run_cli(env, "tasks", "list", run_id, "--task-id", task_id, "--output", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_state(env, run_id):
    return json.loads(run_cli(env, "runs", "show", run_id, "--output", "json").stdout)["state"]


def start_scheduler(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen([CHORDFLOW, "scheduler", "--interval", "1"], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "wb"), start_new_session=True)


def stop_process(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def assert_every_index_once(env, run_id: str) -> None:
    """Every index of the 300-way map succeeded and is in the reduce exactly once."""
    values = json.loads(run_cli(env, "xcom", "get", run_id, "work", "--output", "json").stdout)
    assert values == list(range(300))
    reduced = json.loads(run_cli(env, "xcom", "get", run_id, "reduce", "--output", "json").stdout)
    assert reduced == [sum(range(300)), 300]


def run_wide_through_a_fault(env, tmp_path: Path, fault, what: str, worker_pool: str = "prefork") -> None:
    """Two workers (``--pool worker_pool -c 2``) and a scheduler run the 300-way map; ``fault()`` strikes
    once 40 instances succeeded; the run must still end ``success`` with every index once in the reduce."""
    from tests.conftest import WorkerPool

    pool = WorkerPool(env, tmp_path)
    scheduler = None
    try:
        pool.start("one", concurrency=2, pool=worker_pool)
        pool.start("two", concurrency=2, pool=worker_pool)
        pool.wait_ready()
        scheduler = start_scheduler(env, tmp_path / "scheduler.log")
        assert run_cli(env, "run", "wide", "--run-id", "r", "--output", "json").returncode == 0
        while sum(row["state"] == "success" for row in instances(env, "r", "work")) < 40:
            time.sleep(0.2)
        fault()
        recovered_at = time.monotonic()
        while run_state(env, "r") == "running" and time.monotonic() - recovered_at < 90:
            time.sleep(0.5)
        print(f"run ended {time.monotonic() - recovered_at:.1f} s after {what}")
        assert run_state(env, "r") == "success", (tmp_path / "scheduler.log").read_text()[-2000:]
        assert_every_index_once(env, "r")
    finally:
        if scheduler is not None:
            stop_process(scheduler)
        pool.stop()


def test_worker_killed_mid_map_loses_and_doubles_nothing(fast_env, tmp_path):
    from sqlalchemy import create_engine, text

    from tests.conftest import WorkerPool

    pool = WorkerPool(fast_env, tmp_path)
    schedulers = []
    try:
        # Two hosts, each in a network namespace of its own where the machine allows.
        victim = pool.start("victim", concurrency=2, network=True)
        pool.start("survivor", concurrency=2, network=True)
        pool.wait_ready()
        started = run_cli(fast_env, "run", "wide", "--run-id", "r", "--output", "json")
        assert started.returncode == 0, started.stderr
        engine = create_engine(fast_env["CHORDFLOW_DATABASE_URL"])
        busy = text("SELECT count(*) FROM task_instance WHERE state = 'running' AND hostname LIKE 'victim@%'")
        done = text("SELECT count(*) FROM task_instance WHERE state = 'success'")
        with engine.connect() as conn:
            while conn.execute(done).scalar() < 40 or conn.execute(busy).scalar() < 2:
                conn.commit()
                time.sleep(0.02)
        engine.dispose()
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait()
        # Two schedulers at once: neither may send an instance again that the other sent.
        held = [row["map_index"] for row in instances(fast_env, "r", "work")
                if row["state"] == "running" and row["hostname"].startswith("victim@")]
        schedulers = [start_scheduler(fast_env, tmp_path / f"scheduler{n}.log") for n in (1, 2)]
        while run_state(fast_env, "r") == "running" and time.monotonic() - killed_at < 60:
            time.sleep(0.5)
        recovery = time.monotonic() - killed_at
        stuck = [(r["map_index"], r["state"]) for r in instances(fast_env, "r", "work") if r["state"] != "success"]
        assert run_state(fast_env, "r") == "success", (stuck, held, (tmp_path / "scheduler1.log").read_text()[-2000:])
        print(f"recovered {len(held)} instance(s) held by the killed worker; run ended {recovery:.1f} s after kill")
        rows = instances(fast_env, "r", "work")
        assert len(rows) == 300 and all(row["state"] == "success" for row in rows)
        assert held, "the victim held no instance when it was killed: the test proved nothing"
        assert all(rows[i]["hostname"].startswith("survivor@") for i in held)
        hosts = {row["hostname"] for row in rows}
        assert any(h.startswith("victim@") for h in hosts), "the map never spread to the victim's host"
        if NETNS:
            assert hosts <= {"victim@victim-host", "survivor@survivor-host"}, hosts
        assert_every_index_once(fast_env, "r")
    finally:
        for scheduler in schedulers:
            stop_process(scheduler)
        pool.stop()


@pytest.mark.parametrize("worker_pool", ["prefork", "solo"])
def test_a_pool_process_killed_mid_instance_loses_and_doubles_nothing(fast_env, tmp_path, worker_pool):
    """One pool process of a worker dies (SIGKILL: an OOM kill, a crash in a C extension) while
    running an instance: with prefork its message comes back at once (acks_late +
    reject_on_worker_lost, held by the worker itself since kombu's ack emulation is off); with
    ``--pool solo -c 2`` the message went with the process, which the worker replaces. Either way
    the instance's silent heartbeat hands it to the scheduler, and the run ends with every index once."""
    killed = []

    def kill_one_pool_process() -> None:
        tagged = {}
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"worker" in cmdline and b"one@%h" in cmdline:
                tagged[int(entry.name)] = ppid
        children = [pid for pid, ppid in tagged.items() if ppid in tagged]
        assert children, f"no pool process found among {tagged}"
        os.kill(min(children), signal.SIGKILL)  # (with --pool solo: process 1, the first forked)
        killed.append(min(children))

    run_wide_through_a_fault(fast_env, tmp_path, kill_one_pool_process, "a pool process was killed", worker_pool)
    assert killed
    log = (tmp_path / "worker-one.log").read_text()
    if worker_pool == "solo":
        assert "worker process 1 ended (signal 9): starting another in its place" in log, log[-2000:]
    else:
        assert "WorkerLostError" in log or "exited with" in log or "signal 9" in log, log[-2000:]


def start_redis(port: int, log: Path, password: str | None = None) -> subprocess.Popen:
    """A redis-server of the test's own on ``port``, once it answers."""
    auth = ["--requirepass", password] if password else []
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", *auth], stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(port=port, password=password, socket_connect_timeout=0.5).ping()
            return proc
        except redis.RedisError:
            assert proc.poll() is None, f"redis-server on port {port} exited: {log.read_text()[-1000:]}"
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_redis_restarted_without_persistence_loses_and_doubles_nothing(fast_env, tmp_path):
    """The broker forgets every queued message and chord counter mid-map: the scheduler sends the
    queued instances again from the PostgreSQL store and the run ends as if nothing happened."""
    port = free_port()
    env = {**fast_env, "CHORDFLOW_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
    server = [start_redis(port, tmp_path / "redis.log")]

    def restart_empty() -> None:
        server[0].kill()
        server[0].wait()
        time.sleep(1)
        server[0] = start_redis(port, tmp_path / "redis.log")

    try:
        run_wide_through_a_fault(env, tmp_path, restart_empty, "Redis came back empty")
    finally:
        server[0].kill()
        server[0].wait()


class PrivatePostgres:
    """A PostgreSQL server of this test's own (initdb into tmp), so it can be restarted."""

    def __init__(self, port: int):
        import glob
        import tempfile

        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        assert bins, "PostgreSQL server binaries are missing: run `make services`"
        self.bin = Path(bins[-1])
        # Under /tmp itself: pytest's own folders are closed to the postgres user.
        self.folder = folder = Path(tempfile.mkdtemp(prefix="chordflow-pg-"))
        self.port = port
        shutil.chown(folder, "postgres")
        self._as_postgres(self.bin / "initdb", "-D", folder / "data", "-A", "trust", "-U", "postgres")

    def _as_postgres(self, *args) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True, capture_output=True)

    def start(self) -> None:
        self._as_postgres(self.bin / "pg_ctl", "-D", self.folder / "data", "-l", self.folder / "log", "-w",
                          "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._as_postgres(self.bin / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"


def test_postgres_restarted_mid_map_loses_and_doubles_nothing(fast_env, tmp_path):
    """Workers and the scheduler retry their store writes while PostgreSQL is down."""
    server = PrivatePostgres(free_port())
    server.start()
    env = {**fast_env, "CHORDFLOW_DATABASE_URL": server.url}

    def restart() -> None:
        server.stop()
        time.sleep(3)
        server.start()

    try:
        assert run_cli(env, "db", "upgrade").returncode == 0
        run_wide_through_a_fault(env, tmp_path, restart, "PostgreSQL came back")
    finally:
        server.stop()
        server.remove()


def test_unreachable_database_is_named_without_its_password_within_30_s(embedded_env):
    port = free_port()
    env = {**embedded_env, "CHORDFLOW_DATABASE_URL": f"postgresql+psycopg2://app:s3cret@127.0.0.1:{port}/x"}
    started = time.monotonic()
    result = run_cli(env, "runs", "list")
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "s3cret" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unreachable_broker_is_named_and_leaves_no_run(embedded_env, pg_url):
    port = free_port()
    env = {**embedded_env, "CHORDFLOW_DATABASE_URL": pg_url, "CHORDFLOW_BROKER_URL": f"redis://:s3cret@127.0.0.1:{port}/0"}
    Path(env["CHORDFLOW_DAGS_FOLDER"]).mkdir(parents=True)
    (Path(env["CHORDFLOW_DAGS_FOLDER"]) / "wide.py").write_text(textwrap.dedent(WIDE))
    started = time.monotonic()
    result = run_cli(env, "run", "wide", "--wait")
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "s3cret" not in result.stderr
    assert json.loads(run_cli(env, "runs", "list", "--output", "json").stdout) == []


def test_a_run_whose_workers_never_come_back_ends_failed_saying_why(fast_env, tmp_path):
    env = {**fast_env, "CHORDFLOW_ORPHAN_TIMEOUT": "3"}
    assert run_cli(env, "run", "wide", "--run-id", "r", "--output", "json").returncode == 0
    started = time.monotonic()
    scheduler = start_scheduler(env, tmp_path / "scheduler.log")
    try:
        while run_state(env, "r") == "running" and time.monotonic() - started < 60:
            time.sleep(0.5)
    finally:
        stop_process(scheduler)
    assert run_state(env, "r") == "failed"
    rows = instances(env, "r", "work")
    assert all(row["state"] == "failed" and "no worker answered" in row["error"] for row in rows)
    assert instances(env, "r", "reduce")[0]["state"] == "upstream_failed"


SECRETIVE = """
from datetime import datetime
from orchestrator import dag, task

@task(batch_size=1)
def work(x):
    print(f"working on {x}")
    if x == 3:
        raise ValueError("index 3 fails")
    return x

@dag(dag_id="secretive", schedule=None, start_date=datetime(2022, 1, 1))
def secretive():
    work.expand(x=list(range(6)))

secretive()
"""


def test_passwords_in_urls_never_reach_a_log_line_or_an_error(fast_env, tmp_path):
    """A Redis that needs a password and a PostgreSQL URL that carries one (trust auth ignores it):
    the worker's log, the scheduler's, every CLI output, the task logs and the errors for a missing
    database and an unreachable broker hold neither password."""
    redis_secret, pg_secret = "r3disPassw0rd", "pgPassw0rd"
    port = free_port()
    pg = fast_env["CHORDFLOW_DATABASE_URL"].replace("postgres@", f"postgres:{pg_secret}@")
    env = {**fast_env, "CHORDFLOW_BROKER_URL": f"redis://:{redis_secret}@127.0.0.1:{port}/0",
           "CHORDFLOW_DATABASE_URL": pg}
    (Path(env["CHORDFLOW_DAGS_FOLDER"]) / "secretive.py").write_text(textwrap.dedent(SECRETIVE))
    server = start_redis(port, tmp_path / "redis.log", password=redis_secret)
    from tests.conftest import WorkerPool

    pool = WorkerPool(env, tmp_path)
    outputs = []
    try:
        pool.start("w", concurrency=2)
        pool.wait_ready()
        for args in (["run", "secretive", "--wait", "--run-id", "r"], ["runs", "list"], ["runs", "show", "r"],
                     ["tasks", "list", "r"], ["tasks", "logs", "r", "work", "--map-index", "3"],
                     ["scheduler", "--once"]):
            result = run_cli(env, *args)
            outputs.append(result.stdout + result.stderr)
        assert "index 3 fails" in outputs[4] and "working on 3" in outputs[4]
        no_db = {**env, "CHORDFLOW_DATABASE_URL": pg.rsplit("/", 1)[0] + "/no_such_database"}
        no_broker = {**env, "CHORDFLOW_BROKER_URL": f"redis://:{redis_secret}@127.0.0.1:{free_port()}/0"}
        for bad_env in (no_db, no_broker):
            result = run_cli(bad_env, "run", "secretive")
            assert result.returncode == 2 and "127.0.0.1:" in result.stderr, result.stderr
            outputs.append(result.stdout + result.stderr)
    finally:
        pool.stop()
        server.kill()
        server.wait()
    logs = [path.read_text(errors="replace") for path in tmp_path.glob("*.log")]
    assert any("ready." in log for log in logs)
    for text_ in outputs + logs:
        assert redis_secret not in text_ and pg_secret not in text_, text_[-3000:]


SLEEPERS = """
import time
from datetime import datetime
from orchestrator import dag, task
from orchestrator.operators import BashOperator

@task(batch_size=1)
def nap(x):
    print(f"napping {x}", flush=True)
    time.sleep(60)
    print(f"woke up {x}", flush=True)
    return x

@dag(dag_id="sleepers", schedule=None, start_date=datetime(2022, 1, 1))
def sleepers():
    nap.expand(x=[0, 1, 2, 3])

sleepers()

with DAG(dag_id="bash_sleeper", schedule=None, start_date=datetime(2022, 1, 1)):
    BashOperator(task_id="sleep", bash_command="echo $$ > PID_FILE; echo started; sleep 60; echo finished")
"""


@pytest.fixture
def sleepers_env(fast_env, tmp_path) -> dict[str, str]:
    source = textwrap.dedent(SLEEPERS).replace("PID_FILE", str(tmp_path / "bash.pid"))
    (Path(fast_env["CHORDFLOW_DAGS_FOLDER"]) / "sleepers.py").write_text(
        source.replace("from orchestrator import dag, task", "from orchestrator import DAG, dag, task"))
    return fast_env


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.2)
    return found


def log_of(env, run_id, task_id, map_index=-1) -> str:
    return run_cli(env, "tasks", "logs", run_id, task_id, "--map-index", str(map_index)).stdout


def test_cancel_stops_the_running_tries_and_the_queued_ones_never_run(sleepers_env, tmp_path):
    from tests.conftest import WorkerPool

    env = sleepers_env
    pool = WorkerPool(env, tmp_path)
    try:
        pool.start("busy", concurrency=2, options=("--loglevel", "DEBUG"))  # (Celery's "succeeded" lines)
        pool.wait_ready()
        assert run_cli(env, "run", "sleepers", "--run-id", "r", "--output", "json").returncode == 0
        running = wait_for(lambda: [row["map_index"] for row in instances(env, "r", "nap")
                                    if row["state"] == "running"] if sum(
            row["state"] == "running" for row in instances(env, "r", "nap")) == 2 else None, "two running tries")
        cancelled = run_cli(env, "runs", "cancel", "r", "--reason", "no longer needed", "--output", "json")
        assert cancelled.returncode == 0, cancelled.stderr
        assert json.loads(cancelled.stdout) == {"run_id": "r", "state": "failed", "note": "cancelled: no longer needed",
                                                "failed": 4, "stopping": 2}
        # each running try ends long before its 60 s sleep would have, recording nothing over the cancel
        for index in running:
            wait_for(lambda index=index: "Terminating try 1" in log_of(env, "r", "nap", index), "stopped try",
                     timeout=45)
        worker_log = tmp_path / "worker-busy.log"
        wait_for(lambda: worker_log.read_text().count(": 'not_claimed=1'") == 2, "queued messages claiming nothing")
    finally:
        pool.stop()
    rows = instances(env, "r", "nap")
    assert all((row["state"], row["error"]) == ("failed", "the run was cancelled: no longer needed") for row in rows)
    for row in rows:
        log = log_of(env, "r", "nap", row["map_index"])
        assert "woke up" not in log
        if row["map_index"] not in running:  # queued when cancelled: never run
            assert (row["start_date"], row["hostname"], log) == (None, None, "")
    assert worker_log.read_text().count(": 'stopped=1'") == 2  # the header tasks returned: the chord completed
    shown = json.loads(run_cli(env, "runs", "show", "r", "--output", "json").stdout)
    assert (shown["state"], shown["note"]) == ("failed", "cancelled: no longer needed")


def test_cancel_kills_a_running_bash_commands_process_group(sleepers_env, tmp_path):
    from tests.conftest import WorkerPool

    env = sleepers_env
    pool = WorkerPool(env, tmp_path)
    try:
        pool.start("busy", concurrency=1)
        pool.wait_ready()
        assert run_cli(env, "run", "bash_sleeper", "--run-id", "b", "--output", "json").returncode == 0
        pid_file = tmp_path / "bash.pid"
        wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), "bash command")
        group = int(pid_file.read_text())
        os.killpg(group, 0)  # the command (bash and its sleep) runs in its own process group
        assert run_cli(env, "runs", "cancel", "b").returncode == 0

        def group_gone() -> bool:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return True
            return False

        wait_for(group_gone, "end of the command's process group", timeout=45)
        wait_for(lambda: "Terminating try 1 of sleep" in log_of(env, "b", "sleep"), "stopped try")
    finally:
        pool.stop()
    log = log_of(env, "b", "sleep")
    assert "INFO - started" in log and "INFO - finished" not in log
    assert instances(env, "b", "sleep")[0]["error"] == "the run was cancelled"


TALKER = """
import time
from datetime import datetime
from orchestrator import dag, task

@task(batch_size=1)
def talk():
    for line in range(20):
        print(f"line {line}", flush=True)
        time.sleep(0.3)

@dag(dag_id="talker", schedule=None, start_date=datetime(2022, 1, 1))
def talker():
    talk()

talker()
"""


def test_a_sigkilled_workers_try_keeps_the_log_it_wrote_and_its_resumed_try_adds_to_it(fast_env, tmp_path):
    from tests.conftest import WorkerPool

    env = fast_env
    (Path(env["CHORDFLOW_DAGS_FOLDER"]) / "talker.py").write_text(textwrap.dedent(TALKER))
    pool = WorkerPool(env, tmp_path)
    scheduler = None
    try:
        victim = pool.start("victim", concurrency=1)
        pool.wait_ready()
        assert run_cli(env, "run", "talker", "--run-id", "r", "--output", "json").returncode == 0
        wait_for(lambda: "line 3\n" in log_of(env, "r", "talk"), "lines written while running")
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        kept = log_of(env, "r", "talk")
        assert instances(env, "r", "talk")[0]["state"] == "running"
        assert "on victim@" in kept and "line 3\n" in kept and "Marking" not in kept
        pool.start("survivor", concurrency=1)
        pool.wait_ready()
        scheduler = start_scheduler(env, tmp_path / "scheduler.log")  # takes the silent instance back
        wait_for(lambda: run_state(env, "r") != "running", "end of the run", timeout=90)
    finally:
        if scheduler is not None:
            stop_process(scheduler)
        pool.stop()
    assert run_state(env, "r") == "success"
    [row] = instances(env, "r", "talk")
    assert (row["try_number"], row["hostname"].split("@")[0]) == (1, "survivor")  # the same try, resumed
    final = log_of(env, "r", "talk")
    kept, final = (text.split("\n", 1)[1] for text in (kept, final))  # (the header names the last host)
    assert final.startswith(kept)  # what the killed worker wrote, then the resumed try
    resumed = final[len(kept):]
    assert "Running talk of run r, try 1, on survivor@" in resumed and "line 19\n" in resumed
    assert "--- talk" not in final
