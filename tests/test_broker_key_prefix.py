"""CHORDFLOW_BROKER_KEY_PREFIX: deployments -- and tests -- that share one Redis database neither
answer each other's pings nor consume each other's messages, and keep their chords apart."""
from __future__ import annotations

import json
import subprocess
import textwrap
import time
from pathlib import Path

import redis
from celery import Celery

from executor.app import DEFAULT_QUEUE, create_app
from executor.dispatch import ADVANCE
from orchestrator.settings import Settings
from tests.conftest import CHORDFLOW, run_cli


def app_under(env: dict[str, str], prefix: str) -> Celery:
    """The Celery app a Chordflow process with ``env`` would make, under key prefix ``prefix``."""
    return create_app(Settings.from_env({**env, "CHORDFLOW_BROKER_KEY_PREFIX": prefix}))


def pinged(app: Celery, timeout: float = 20) -> list[str]:
    """The names of the workers that answer ``app``'s ping, waiting up to ``timeout`` s for one."""
    deadline = time.monotonic() + timeout
    while True:
        names = [name for reply in app.control.ping(timeout=1.0) for name in reply]
        if names or time.monotonic() > deadline:
            return names


def test_a_worker_answers_pings_only_under_its_own_key_prefix(distributed_env, workers):
    prefix = distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    workers.start("own", concurrency=1)
    workers.wait_ready()
    assert [name.split("@")[0] for name in pinged(app_under(distributed_env, prefix))] == ["own"]
    # Under the test's prefix, so the fixture deletes what this app declares.
    assert pinged(app_under(distributed_env, prefix + "other:"), timeout=3) == []


def test_a_worker_consumes_messages_only_under_its_own_key_prefix(distributed_env, workers, tmp_path):
    prefix = distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    workers.start("own", concurrency=1, options=("--loglevel", "DEBUG"))  # (Celery's "received" lines)
    workers.wait_ready()
    other = app_under(distributed_env, prefix + "other:")
    stray = other.send_task(ADVANCE, args=["a-run-of-the-other-deployment"], queue=DEFAULT_QUEUE)
    mine = app_under(distributed_env, prefix).send_task(ADVANCE, args=["a-run-of-mine"], queue=DEFAULT_QUEUE)
    log = tmp_path / "worker-own.log"
    deadline = time.monotonic() + 30
    while f"[{mine.id}] received" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    time.sleep(1)  # the worker's next poll would take the stray message now, were it in reach
    assert stray.id not in log.read_text()
    assert other.chordflow.dispatcher.queue_is_empty(None) is False


def test_a_worker_reserves_as_many_messages_per_process_as_its_prefetch_multiplier(distributed_env, workers):
    """``--prefetch-multiplier`` is Celery's worker_prefetch_multiplier: the consumer's QoS is
    concurrency x multiplier (1 by default: long tasks stay spread over the workers)."""
    prefix = distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    workers.start("plain", concurrency=2)
    workers.start("eager", concurrency=2, options=("--prefetch-multiplier", "3"))
    workers.wait_ready()
    app = app_under(distributed_env, prefix)
    deadline = time.monotonic() + 20
    stats = {}
    while len(stats) < 2 and time.monotonic() < deadline:
        stats = {name.split("@")[0]: value for name, value in (app.control.inspect(timeout=2.0).stats() or {}).items()}
    assert {name: value["prefetch_count"] for name, value in stats.items()} == {"plain": 2, "eager": 6}


def announced(listener, seconds: float) -> list[str]:
    """The ends of runs ``listener`` hears within ``seconds``."""
    heard, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_id = listener.wait(0.1)
        if run_id is not None:
            heard.append(run_id)
    return heard


def test_the_end_of_a_run_is_announced_to_its_own_key_prefix_only(distributed_env):
    """``run --wait`` returns when the step that ends its run announces it (Redis pub/sub)."""
    prefix = distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    mine = app_under(distributed_env, prefix).chordflow.dispatcher
    other = app_under(distributed_env, prefix + "other:").chordflow.dispatcher
    listener, stranger = mine.listen_for_run_ends(), other.listen_for_run_ends()
    try:
        announced(listener, 0.3)  # (subscribed before the announcement)
        mine.run_ended("r1")
        assert announced(listener, 1.0) == ["r1"]
        assert announced(stranger, 0.3) == []
    finally:
        listener.close()
        stranger.close()


WAITING_MAP = """
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task

FLAG = Path("FLAG_PATH")

@task(batch_size=1)
def work(x):
    while x == 2 and not FLAG.exists():  # holds the chord open until the test has looked
        time.sleep(0.1)
    return x

@task
def total(values):
    return sum(values)

@dag(dag_id="waiting_map", schedule=None, start_date=datetime(2022, 1, 1))
def waiting_map():
    total(work.expand(x=[0, 1, 2]))

waiting_map()
"""


def test_a_runs_queues_results_and_chord_counters_are_kept_under_its_key_prefix(distributed_env, workers,
                                                                                 redis_url, tmp_path):
    prefix = distributed_env["CHORDFLOW_BROKER_KEY_PREFIX"]
    flag = tmp_path / "release"
    dags = Path(distributed_env["CHORDFLOW_DAGS_FOLDER"])
    dags.mkdir(parents=True, exist_ok=True)
    (dags / "waiting_map.py").write_text(textwrap.dedent(WAITING_MAP).replace("FLAG_PATH", str(flag)))
    client = redis.Redis.from_url(redis_url)
    before = set(client.scan_iter(count=1000))
    workers.start("own", concurrency=2)
    workers.wait_ready()
    run = subprocess.Popen([CHORDFLOW, "run", "waiting_map", "--wait", "--run-id", "r", "--output", "json"],
                           env=distributed_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(key.endswith(b".j") for key in client.scan_iter(match=prefix + "*", count=1000)):
        assert time.monotonic() < deadline and run.poll() is None, "the chord never counted a finished index"
        time.sleep(0.1)
    written = set(client.scan_iter(count=1000)) - before
    flag.touch()
    out, err = run.communicate(timeout=60)
    client.close()
    assert json.loads(out)["state"] == "success", err
    # Tests of other sessions may write to this database at the same time, each under a prefix
    # of its own: a key with no test prefix at all would be one this run wrote unprefixed.
    assert any(key.startswith(prefix.encode()) for key in written)
    assert all(key.startswith(b"chordflow-test-") for key in written), sorted(written)
    assert any(key.endswith(b".s") for key in written)  # the chord's size, set when it was sent


def test_a_key_prefix_with_redis_pattern_characters_is_refused(embedded_env):
    result = run_cli({**embedded_env, "CHORDFLOW_BROKER_KEY_PREFIX": "team*"}, "runs", "list")
    assert result.returncode == 2
    assert "CHORDFLOW_BROKER_KEY_PREFIX" in result.stderr and "'team*'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
