"""Limits enforced in the store across worker hosts: ``max_active_tis_per_dagrun``,
``max_active_tis_per_dag``, pools (with ``pool_slots``) and priority weights, with real
`chordflow worker` processes, each in its own network namespace (tests/netns.py).

A thread samples the store while the runs go on: the running instances under a limit are never
more than it allows; each instance also records when its body began and ended, and no more
bodies than the limit ever overlap.
"""
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
from sqlalchemy import create_engine, text

from tests.conftest import CHORDFLOW, NETNS, run_cli

LIMITED = """
import time
from datetime import datetime
from orchestrator import dag, task

@task(batch_size=1, OPTIONS)
def call_api(x):
    start = time.time()
    time.sleep(0.3)
    return [start, time.time()]

@dag(dag_id="DAG_ID", schedule=None, start_date=datetime(2022, 1, 1))
def limited():
    call_api.expand(x=list(range(COUNT)))

limited()
"""


class RunningSampler:
    """Samples, every 10 ms, the slots held by ``running`` instances matching ``where`` (SQL over
    ``task_instance``): the most seen at once, and how many samples saw any."""

    def __init__(self, url: str, where: str, measure: str = "count(*)"):
        self.engine = create_engine(url)
        self.query = text(f"SELECT coalesce({measure}, 0) FROM task_instance WHERE state = 'running' AND {where}")
        self.most = 0
        self.busy_samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                value = int(conn.execute(self.query).scalar())
                conn.commit()
                self.most = max(self.most, value)
                self.busy_samples += value > 0
                time.sleep(0.01)

    def __enter__(self) -> RunningSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.engine.dispose()


def write_dag(env, name: str, options: str, count: int, dag_id: str | None = None) -> None:
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    source = (textwrap.dedent(LIMITED).replace("OPTIONS", options).replace("COUNT", str(count))
              .replace("DAG_ID", dag_id or name))
    (folder / f"{name}.py").write_text(source)


def start_two_hosts(workers) -> None:
    assert run_cli(workers.env, "db", "upgrade").returncode == 0  # (the sampler reads its tables)
    workers.start("a", concurrency=3, network=True)
    workers.start("b", concurrency=3, network=True)
    workers.wait_ready()
    assert len(workers.hosts) == (2 if NETNS else 0)  # each in a network namespace of its own, where allowed


def wait_all(env, run_ids, timeout=120) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        for run_id in run_ids:
            shown = run_cli(env, "runs", "show", run_id, "--output", "json")
            assert shown.returncode == 0, shown.stderr
            states[run_id] = json.loads(shown.stdout)["state"]
        if all(state in ("success", "failed") for state in states.values()):
            return states
        time.sleep(0.3)
    raise AssertionError(f"runs did not end in {timeout} s: {states}")


def spans(env, run_id: str, task_id: str, count: int) -> list[list[float]]:
    found = []
    for index in range(count):
        got = run_cli(env, "xcom", "get", run_id, task_id, "--map-index", str(index), "--output", "json")
        assert got.returncode == 0, got.stderr
        found.append(json.loads(got.stdout))
    return found


def most_overlapping(intervals: list[list[float]]) -> int:
    """The most intervals that hold one moment in common."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda e: (e[0], e[1]))
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def instances(env, run_id: str, task_id: str) -> list[dict]:
    listed = run_cli(env, "tasks", "list", run_id, "--task-id", task_id, "--output", "json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_max_active_tis_per_dagrun_holds_across_two_hosts_and_the_map_completes(distributed_env, workers):
    env = distributed_env
    write_dag(env, "per_run", "max_active_tis_per_dagrun=2", 10)
    start_two_hosts(workers)
    with RunningSampler(env["CHORDFLOW_DATABASE_URL"], "task_id = 'call_api'") as sampler:
        result = run_cli(env, "run", "per_run", "--run-id", "r", "--wait", "--output", "json", timeout=180)
    assert result.returncode == 0, result.stderr
    rows = instances(env, "r", "call_api")
    assert [row["state"] for row in rows] == ["success"] * 10
    assert {row["hostname"].split("@")[0] for row in rows} == {"a", "b"}  # both hosts ran some
    assert sampler.busy_samples > 0 and sampler.most <= 2
    assert most_overlapping(spans(env, "r", "call_api", 10)) <= 2


def test_max_active_tis_per_dag_holds_across_two_concurrent_runs(distributed_env, workers):
    env = distributed_env
    write_dag(env, "per_dag", "max_active_tis_per_dag=2", 6)
    start_two_hosts(workers)
    with RunningSampler(env["CHORDFLOW_DATABASE_URL"], "task_id = 'call_api'") as sampler:
        for run_id in ("r1", "r2"):
            started = run_cli(env, "run", "per_dag", "--run-id", run_id, "--output", "json")
            assert started.returncode == 0, started.stderr
        assert wait_all(env, ["r1", "r2"]) == {"r1": "success", "r2": "success"}
    assert sampler.busy_samples > 0 and sampler.most <= 2
    both = spans(env, "r1", "call_api", 6) + spans(env, "r2", "call_api", 6)
    assert most_overlapping(both) <= 2


def test_a_pool_of_two_slots_is_shared_by_two_dags_and_pool_slots_counts(distributed_env, workers):
    env = distributed_env
    assert run_cli(env, "pools", "set", "api", "2").returncode == 0
    write_dag(env, "light", "pool='api'", 6)
    write_dag(env, "heavy", "pool='api', pool_slots=2", 3)
    start_two_hosts(workers)
    where = "pool = 'api'"
    with RunningSampler(env["CHORDFLOW_DATABASE_URL"], where, "sum(pool_slots)") as sampler:
        for name in ("light", "heavy"):
            started = run_cli(env, "run", name, "--run-id", name, "--output", "json")
            assert started.returncode == 0, started.stderr
        assert wait_all(env, ["light", "heavy"]) == {"light": "success", "heavy": "success"}
    assert sampler.busy_samples > 0 and sampler.most <= 2
    light, heavy = spans(env, "light", "call_api", 6), spans(env, "heavy", "call_api", 3)
    assert most_overlapping(heavy) == 1  # each takes both slots
    assert most_overlapping(light) <= 2
    for start, end in heavy:  # nothing else runs beside an instance that takes the whole pool
        assert all(e <= start or s >= end for s, e in light)
    pools = pools_of(env)
    assert pools["api"] == {"pool": "api", "slots": 2, "description": None, "running": 0, "queued": 0,
                            "scheduled": 0, "open_slots": 2}


PRIORITIES = """
import time
from datetime import datetime
from orchestrator import dag, task, get_current_context

@task(batch_size=1, pool="one", priority_weight=10, weight_rule="absolute")
def urgent(x):
    time.sleep(0.05)
    return x

@task(batch_size=1, pool="one", priority_weight=1, weight_rule="absolute")
def backfill(x):
    time.sleep(0.05)
    return x

@dag(dag_id="priorities", schedule=None, start_date=datetime(2022, 1, 1))
def priorities():
    backfill.expand(x=list(range(4)))
    urgent.expand(x=list(range(4)))

priorities()
"""


@pytest.mark.parametrize("mode", ["embedded", "two hosts"])
def test_higher_priority_weight_gets_the_free_slots_first(mode, request):
    """Airflow's scheduler orders waiting instances by priority_weight, highest first
    (``TI.priority_weight.desc()`` in ``_executable_task_instances_to_queued``)."""
    env = request.getfixturevalue("embedded_env" if mode == "embedded" else "distributed_env")
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "priorities.py").write_text(textwrap.dedent(PRIORITIES))
    assert run_cli(env, "pools", "set", "one", "1").returncode == 0
    if mode != "embedded":
        start_two_hosts(request.getfixturevalue("workers"))
    result = run_cli(env, "run", "priorities", "--run-id", "r", "--wait", "--output", "json", timeout=180)
    assert result.returncode == 0, result.stderr
    urgent, backfill = instances(env, "r", "urgent"), instances(env, "r", "backfill")
    assert {row["state"] for row in urgent + backfill} == {"success"}
    assert max(row["start_date"] for row in urgent) < min(row["start_date"] for row in backfill)


WEIGHTED = """
from datetime import datetime
from orchestrator import dag, task

@task(priority_weight=500, weight_rule="absolute")
def heavy(x):
    return x

@task(priority_weight=20, weight_rule="absolute")
def middle(x):
    return x

@task
def light(x):
    return x

@dag(dag_id="weighted", schedule=None, start_date=datetime(2022, 1, 1))
def weighted():
    heavy.expand(x=[1, 2])
    middle.expand(x=[1, 2, 3])
    light.expand(x=[1])

weighted()
"""


def test_messages_carry_a_celery_priority_from_the_weight(distributed_env, redis_url, broker_key_prefix):
    """On Redis, kombu keeps one list per priority step (0, 3, 6, 9; 0 consumed first): an
    instance's message goes to its weight's list (executor/dispatch.py MESSAGE_PRIORITIES)."""
    import redis

    env = distributed_env
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weighted.py").write_text(textwrap.dedent(WEIGHTED))
    started = run_cli(env, "run", "weighted", "--run-id", "r", "--output", "json")  # no worker: they wait
    assert started.returncode == 0, started.stderr
    client = redis.Redis.from_url(redis_url)
    lengths = {step: client.llen(f"{broker_key_prefix}chordflow" + (f"\x06\x16{step}" if step else ""))
               for step in (0, 3, 6, 9)}
    client.close()
    assert lengths == {0: 0, 3: 2, 6: 3, 9: 1}


def states_of(env, run_id: str) -> dict[str, int]:
    shown = run_cli(env, "runs", "show", run_id, "--output", "json")
    assert shown.returncode == 0, shown.stderr
    return {s: n for t in json.loads(shown.stdout)["tasks"] for s, n in t["states"].items()}


def wait_until_scheduled(env, run_id: str, count: int) -> None:
    """Until the run exists (it may be made by another process) with ``count`` instances scheduled."""
    deadline = time.monotonic() + 60
    while True:
        shown = run_cli(env, "runs", "show", run_id, "--output", "json")
        if shown.returncode == 0 and sum(t["states"].get("scheduled", 0)
                                         for t in json.loads(shown.stdout)["tasks"]) == count:
            return
        assert time.monotonic() < deadline, shown.stdout + shown.stderr
        time.sleep(0.2)


def test_a_pool_of_no_slots_holds_its_instances_scheduled_until_pools_set_gives_some(distributed_env, workers):
    env = distributed_env
    assert run_cli(env, "pools", "set", "paused", "0").returncode == 0  # Airflow's way of pausing a pool
    write_dag(env, "paused", "pool='paused'", 3)
    start_two_hosts(workers)
    assert run_cli(env, "run", "paused", "--run-id", "r", "--output", "json").returncode == 0
    wait_until_scheduled(env, "r", 3)
    assert {row["state"] for row in instances(env, "r", "call_api")} == {"scheduled"}
    assert pools_of(env)["paused"]["scheduled"] == 3
    with RunningSampler(env["CHORDFLOW_DATABASE_URL"], "pool = 'paused'") as sampler:
        given = run_cli(env, "pools", "set", "paused", "1")
        assert given.returncode == 0 and "1 waiting instance(s) sent to the workers" in given.stderr
        assert wait_all(env, ["r"]) == {"r": "success"}
    assert sampler.most <= 1


def test_the_scheduler_pass_admits_what_nothing_else_did(distributed_env, workers):
    """A safety net: slots freed without a worker or an advance step noticing (here the pool's
    size changed in the database directly) are given by `chordflow scheduler`'s next pass."""
    env = distributed_env
    assert run_cli(env, "pools", "set", "paused", "0").returncode == 0
    write_dag(env, "paused", "pool='paused'", 2)
    start_two_hosts(workers)
    assert run_cli(env, "run", "paused", "--run-id", "r", "--output", "json").returncode == 0
    wait_until_scheduled(env, "r", 2)
    engine = create_engine(env["CHORDFLOW_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE slot_pool SET slots = 2 WHERE pool = 'paused'"))
    engine.dispose()
    time.sleep(1)
    assert states_of(env, "r").get("scheduled") == 2  # nobody looked
    assert run_cli(env, "scheduler", "--once").returncode == 0
    assert wait_all(env, ["r"]) == {"r": "success"}


def test_an_embedded_run_uses_slots_given_meanwhile_from_another_process(embedded_env):
    env = embedded_env
    assert run_cli(env, "pools", "set", "paused", "0").returncode == 0
    write_dag(env, "paused", "pool='paused'", 2)
    proc = subprocess.Popen([CHORDFLOW, "run", "paused", "--run-id", "r", "--output", "json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until_scheduled(env, "r", 2)
        assert run_cli(env, "pools", "set", "paused", "2").returncode == 0
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(out)["state"] == "success"


def pools_of(env) -> dict[str, dict]:
    listed = run_cli(env, "pools", "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr
    return {p["pool"]: p for p in json.loads(listed.stdout)}
