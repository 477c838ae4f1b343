"""``depends_on_past`` across real runs: real `chordflow worker` processes on Redis and PostgreSQL
(no scheduler: the step of the earlier run wakes the later one), and the embedded default (two
`chordflow run` processes on one SQLite file). Order is read from the store's start/end dates."""
from __future__ import annotations

import json
import subprocess
import textwrap
import time
from datetime import datetime
from pathlib import Path

from tests.conftest import CHORDFLOW, run_cli

#: Each index of a run waits until its release file exists (outside the DAGs folder: each worker
#: host has its own copy of that); an index named in FAIL_PATH's text fails while FIX_PATH is absent.
SOURCE = """
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task, get_current_context

RELEASE = Path("RELEASE_PATH")
FIX = Path("FIX_PATH")

@task(depends_on_past=True, batch_size=1)
def each(x):
    ds = get_current_context()["ds"]
    while not (RELEASE / f"{ds}-{x}").exists():
        time.sleep(0.05)
    if x == 1 and ds == "2022-01-01" and not FIX.exists():
        raise RuntimeError("index 1 of the first run fails until fixed")
    return x

@dag(dag_id="dop_runs", schedule=None, start_date=datetime(2022, 1, 1))
def dop_runs():
    each.expand(x=[0, 1, 2])

dop_runs()
"""

FIRST, SECOND = "2022-01-01", "2022-01-02"


def write_dag(env: dict[str, str], tmp_path: Path) -> tuple[Path, Path]:
    """The DAG file in the environment's DAGs folder; returns (release folder, fix file)."""
    release, fix = tmp_path / "release", tmp_path / "fixed"
    release.mkdir()
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dop_runs.py").write_text(textwrap.dedent(SOURCE).replace("RELEASE_PATH", str(release))
                                        .replace("FIX_PATH", str(fix)))
    return release, fix


def release(folder: Path, ds: str, *indices: int) -> None:
    for index in indices:
        (folder / f"{ds}-{index}").touch()


def trigger(env: dict[str, str], ds: str) -> str:
    result = run_cli(env, "run", "dop_runs", "--logical-date", ds, "--output", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["run_id"]


def instances(env: dict[str, str], run_id: str) -> dict[int, dict]:
    result = run_cli(env, "tasks", "list", run_id, "--task-id", "each", "--output", "json")
    assert result.returncode == 0, result.stderr
    return {row["map_index"]: row for row in json.loads(result.stdout)}


def wait_until(condition, what: str, timeout: float = 90):
    """Poll ``condition()`` until it returns something true (a wait for a state, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def run_state(env: dict[str, str], run_id: str) -> str:
    return json.loads(run_cli(env, "runs", "show", run_id, "--output", "json").stdout)["state"]


def ended(env, run_id) -> str | None:
    state = run_state(env, run_id)
    return state if state in ("success", "failed") else None


def when(row: dict, key: str) -> datetime:
    return datetime.fromisoformat(row[key])


def test_index_i_of_the_next_run_starts_only_after_index_i_of_the_previous_run_ended(distributed_env, workers,
                                                                                         tmp_path):
    gates, fix = write_dag(distributed_env, tmp_path)
    fix.touch()
    workers.start("a", concurrency=4)
    workers.wait_ready()
    run1 = trigger(distributed_env, FIRST)
    wait_until(lambda: all(r["state"] == "running" for r in instances(distributed_env, run1).values()),
               "every index of the first run running")
    run2 = trigger(distributed_env, SECOND)
    release(gates, SECOND, 0, 1, 2)  # the second run's indices would end at once if they ran
    waiting = instances(distributed_env, run2)
    assert {r["state"] for r in waiting.values()} == {"none"}
    assert all("at this map index is running in the previous run" in r["error"] for r in waiting.values())
    release(gates, FIRST, 0, 1, 2)
    assert wait_until(lambda: ended(distributed_env, run1), "the first run's end") == "success"
    assert wait_until(lambda: ended(distributed_env, run2), "the second run's end") == "success"
    first, second = instances(distributed_env, run1), instances(distributed_env, run2)
    for index in (0, 1, 2):
        assert when(second[index], "start_date") >= when(first[index], "end_date")
        assert second[index]["error"] is None


def test_an_index_of_the_next_run_goes_on_while_another_index_of_the_previous_run_still_runs(distributed_env,
                                                                                              workers, tmp_path):
    gates, fix = write_dag(distributed_env, tmp_path)
    fix.touch()
    release(gates, SECOND, 0, 1, 2)
    workers.start("a", concurrency=4)
    workers.wait_ready()
    run1 = trigger(distributed_env, FIRST)
    wait_until(lambda: all(r["state"] == "running" for r in instances(distributed_env, run1).values()),
               "every index of the first run running")
    run2 = trigger(distributed_env, SECOND)
    release(gates, FIRST, 0)  # index 0 of the first run ends; its batch's end wakes the second run
    wait_until(lambda: instances(distributed_env, run2)[0]["state"] == "success", "index 0 of the second run")
    first = instances(distributed_env, run1)
    assert {first[1]["state"], first[2]["state"]} == {"running"}
    assert {r["state"] for i, r in instances(distributed_env, run2).items() if i} == {"none"}
    release(gates, FIRST, 1, 2)
    assert wait_until(lambda: ended(distributed_env, run2), "the second run's end") == "success"


def test_a_failed_index_holds_its_index_of_the_next_run_until_cleared_and_succeeded(distributed_env, workers,
                                                                                     tmp_path):
    gates, fix = write_dag(distributed_env, tmp_path)
    release(gates, FIRST, 0, 1, 2)
    release(gates, SECOND, 0, 1, 2)
    workers.start("a", concurrency=4)
    workers.wait_ready()
    run1 = trigger(distributed_env, FIRST)
    assert wait_until(lambda: ended(distributed_env, run1), "the first run's end") == "failed"
    run2 = trigger(distributed_env, SECOND)
    wait_until(lambda: {i: r["state"] for i, r in instances(distributed_env, run2).items()}
               == {0: "success", 1: "none", 2: "success"}, "the second run's indices 0 and 2")
    assert "'each' at this map index is failed in the previous run" in instances(distributed_env, run2)[1]["error"]
    assert run_state(distributed_env, run2) == "running"
    fix.touch()
    cleared = run_cli(distributed_env, "tasks", "clear", run1, "--task-id", "each", "--map-index", "1")
    assert cleared.returncode == 0, cleared.stderr
    assert wait_until(lambda: ended(distributed_env, run1), "the first run's end after the clear") == "success"
    assert wait_until(lambda: ended(distributed_env, run2), "the second run's end") == "success"
    first, second = instances(distributed_env, run1), instances(distributed_env, run2)
    assert first[1]["try_number"] == 2
    assert when(second[1], "start_date") >= when(first[1], "end_date")


def test_embedded_a_second_run_process_waits_for_the_first_run_process(embedded_env, tmp_path):
    gates, fix = write_dag(embedded_env, tmp_path)
    fix.touch()
    release(gates, SECOND, 0, 1, 2)
    argv = [CHORDFLOW, "run", "dop_runs", "--output", "json", "--logical-date"]
    procs = [subprocess.Popen([*argv, FIRST], env=embedded_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, stdin=subprocess.DEVNULL)]
    try:
        def runs(count: int) -> list[dict]:
            listed = run_cli(embedded_env, "runs", "list", "--output", "json")
            found = json.loads(listed.stdout) if listed.returncode == 0 else []
            return found if len(found) == count else []

        run1 = wait_until(lambda: runs(1), "the first run")[0]["run_id"]
        wait_until(lambda: instances(embedded_env, run1), "the first run's instances")
        procs.append(subprocess.Popen([*argv, SECOND], env=embedded_env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL))
        run2 = next(r["run_id"] for r in wait_until(lambda: runs(2), "the second run") if r["run_id"] != run1)
        assert {r["state"] for r in instances(embedded_env, run2).values()} == {"none"}
        release(gates, FIRST, 0, 1, 2)
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    results = [json.loads(out) for out, _err in outputs]
    assert [r["state"] for r in results] == ["success", "success"], [err for _out, err in outputs]
    first, second = (instances(embedded_env, r["run_id"]) for r in results)
    for index in (0, 1, 2):
        assert when(second[index], "start_date") >= when(first[index], "end_date")


def test_embedded_a_run_waiting_on_a_failed_previous_run_says_so_and_goes_on_once_it_is_cleared(embedded_env,
                                                                                                tmp_path):
    gates, fix = write_dag(embedded_env, tmp_path)
    release(gates, FIRST, 0, 1, 2)
    release(gates, SECOND, 0, 1, 2)
    first = run_cli(embedded_env, "run", "dop_runs", "--logical-date", FIRST, "--output", "json")
    assert first.returncode == 1, first.stderr
    run1 = json.loads(first.stdout)["run_id"]
    stderr_path = tmp_path / "second.stderr"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen([CHORDFLOW, "run", "dop_runs", "--logical-date", SECOND, "--output", "json"],
                                env=embedded_env, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                stdin=subprocess.DEVNULL)
    try:
        said = wait_until(lambda: "waits for the DAG's previous run" in stderr_path.read_text()
                          and stderr_path.read_text(), "the second run to say what it waits for")
        assert "'each' at this map index is failed in the previous run " + run1 in said
        fix.touch()
        cleared = run_cli(embedded_env, "tasks", "clear", run1, "--task-id", "each", "--map-index", "1")
        assert cleared.returncode == 0, cleared.stderr
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert json.loads(out)["state"] == "success"
    assert run_state(embedded_env, run1) == "success"
