"""Shared fixtures: real Redis and PostgreSQL (a fresh database per test), real worker processes.

A test that needs a service fails -- it never skips -- when the service does not answer. Every
process a test starts dies with the test (tests/processes.py); a test's broker is a key prefix of
its own on the test Redis database, so no other test's worker can take its messages or answer
its pings.
"""
from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from orchestrator.store import Store
from tests.netns import NetnsHost, network_namespaces_available
from tests.processes import (
    OWNER_VARIABLE,
    kill_processes,
    refuse_unmarked_processes,
    session_alive,
    session_marker,
    session_of,
)

ROOT = Path(__file__).resolve().parent.parent
CHORDFLOW = str(Path(sys.executable).parent / "chordflow")
#: Where the shared acceptance cases live (beside the project, as in CI).
SHARED_ACCEPTANCE = ROOT.parent / "shared" / "acceptance"
OWN_ACCEPTANCE = ROOT / "tests" / "acceptance"

PG_ADMIN_URL = os.environ.get("CHORDFLOW_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CHORDFLOW_TEST_REDIS", "redis://127.0.0.1:6379")
#: Redis database number the tests use (each test under a key prefix of its own).
REDIS_DB = int(os.environ.get("CHORDFLOW_TEST_REDIS_DB", "13"))
#: Whether worker hosts can have network namespaces of their own here (root, iproute2).
NETNS = network_namespaces_available()
#: This pytest session, as named in the owner marker of every process its tests start.
SESSION = session_marker()


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def pytest_configure(config: pytest.Config) -> None:
    refuse_unmarked_processes()
    # SIGTERM (`kill`, a cancelled CI job) ends the session as Ctrl-C does: fixtures torn down.
    signal.signal(signal.SIGTERM, _interrupt)
    # A second Ctrl-C can cut the session's own cleanup short; the interpreter's exit still runs.
    atexit.register(kill_processes, lambda marker: session_of(marker) == SESSION)


def pytest_sessionstart(session: pytest.Session) -> None:
    kill_processes(lambda marker: not session_alive(session_of(marker)))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    # Outermost, so that the test's processes die after its fixtures' teardown and after
    # pytest-timeout stopped its timer, whatever ended the test.
    marker = f"{SESSION}/{secrets.token_hex(4)}"
    os.environ[OWNER_VARIABLE] = marker
    try:
        return (yield)
    finally:
        os.environ.pop(OWNER_VARIABLE, None)
        kill_processes(lambda owner: owner == marker)


def pytest_sessionfinish(session: pytest.Session) -> None:
    kill_processes(lambda marker: session_of(marker) == SESSION)


def base_env(home: Path) -> dict[str, str]:
    """The test's own environment (its process owner marker included) without the caller's
    CHORDFLOW_* settings, with ``home`` as CHORDFLOW_HOME and ``home/dags`` as DAGs folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORDFLOW_") or k == OWNER_VARIABLE}
    env["CHORDFLOW_HOME"] = str(home)
    env["CHORDFLOW_DAGS_FOLDER"] = str(home / "dags")
    env["CHORDFLOW"] = CHORDFLOW
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """Environment of the embedded default: no broker, SQLite under a fresh CHORDFLOW_HOME."""
    return base_env(tmp_path / "home")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = f"{REDIS_URL}/{REDIS_DB}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis does not answer at {REDIS_URL} ({exc}): run `make services`")
    return url


@pytest.fixture
def broker_key_prefix(redis_url: str) -> Iterator[str]:
    """A broker key prefix of this test's own on the test Redis database; its keys are deleted afterwards."""
    prefix = f"chordflow-test-{secrets.token_hex(4)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])
    client.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    name = "chordflow_test_" + secrets.token_hex(4)
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL does not answer at {PG_ADMIN_URL} ({exc}): run `make services`")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Iterator[Store]:
    """An empty store at the current schema: a SQLite file, then a PostgreSQL database of its own."""
    url = f"sqlite:///{tmp_path / 's.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    store.ensure_schema()
    yield store
    store.dispose()


@pytest.fixture
def distributed_env(tmp_path: Path, redis_url: str, broker_key_prefix: str, pg_url: str) -> dict[str, str]:
    """Environment of the distributed path: Redis broker under this test's key prefix, PostgreSQL store."""
    env = base_env(tmp_path / "home")
    env["CHORDFLOW_BROKER_URL"] = redis_url
    env["CHORDFLOW_BROKER_KEY_PREFIX"] = broker_key_prefix
    env["CHORDFLOW_DATABASE_URL"] = pg_url
    return env


class WorkerPool:
    """Real `chordflow worker` processes, stopped at the end of the test."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        Path(env["CHORDFLOW_DAGS_FOLDER"]).mkdir(parents=True, exist_ok=True)
        self.env = env
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []
        self.names: dict[int, str] = {}
        self.hosts: list = []

    def start(self, name: str, concurrency: int = 2, extra_env: dict[str, str] | None = None,
              pool: str = "prefork", network: bool = False, options: tuple[str, ...] = ()) -> subprocess.Popen:
        """A worker as a host of its own: its own HOME, working directory and copy of the DAG
        files (nothing shared with the CLI but the broker and the database). With ``network``,
        also its own network namespace and hostname where the machine allows (tests/netns.py)."""
        host = self.log_dir / f"host-{name}"
        dags = host / "dags"
        shutil.copytree(self.env["CHORDFLOW_DAGS_FOLDER"], dags, dirs_exist_ok=True)
        env = {**self.env, "HOME": str(host), "CHORDFLOW_HOME": str(host / ".chordflow"),
               "CHORDFLOW_DAGS_FOLDER": str(dags), **(extra_env or {})}
        argv = [CHORDFLOW, "worker", "--concurrency", str(concurrency), "--hostname", f"{name}@%h", "--pool", pool,
                "--loglevel", "INFO", *options]
        if network and NETNS:
            netns_host = NetnsHost(name, len(self.hosts), [env["CHORDFLOW_BROKER_URL"],
                                                           env["CHORDFLOW_DATABASE_URL"]])
            self.hosts.append(netns_host)
            env["CHORDFLOW_BROKER_URL"] = netns_host.url(env["CHORDFLOW_BROKER_URL"])
            env["CHORDFLOW_DATABASE_URL"] = netns_host.url(env["CHORDFLOW_DATABASE_URL"])
            argv = netns_host.command(argv)
        log = open(self.log_dir / f"worker-{name}.log", "wb")
        proc = subprocess.Popen(argv, env=env, cwd=host, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        self.names[proc.pid] = name
        return proc

    def wait_ready(self, timeout: float = 30) -> None:
        """Until every started worker says it is ready (Celery's 'ready.' line)."""
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            log_path = self.log_dir / f"worker-{self.names[proc.pid]}.log"
            while b"ready." not in log_path.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"worker did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.1)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for netns_host in self.hosts:
            netns_host.remove()


@pytest.fixture
def workers(distributed_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerPool]:
    pool = WorkerPool(distributed_env, tmp_path)
    yield pool
    pool.stop()


def run_cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CHORDFLOW, *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def free_port() -> int:
    """A TCP port nothing listens on at the moment, for a server of the test's own."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_dag(source: Path, env: dict[str, str]) -> Path:
    """Put a DAG file into the environment's DAGs folder; returns its new path."""
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / source.name))
