"""The CLI on the embedded default: what a user types and what comes back."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CHORDFLOW, run_cli

FLAKY = """
from datetime import datetime, timedelta
from pathlib import Path
from orchestrator import dag, task, TriggerRule

FLAG = Path(__file__).with_suffix(".fixed")

@task(retries=1, retry_delay=timedelta(0))
def load(x):
    print(f"loading file {x}")
    if x == 2 and not FLAG.exists():
        raise ValueError("file 2 is corrupt")
    return x * 10

@task(trigger_rule=TriggerRule.ALL_DONE)
def total(values):
    return sum(values)

@dag(dag_id="flaky", schedule=None, start_date=datetime(2022, 1, 1))
def flaky():
    total(load.expand(x=[1, 2, 3]))

flaky()
"""


@pytest.fixture
def dag_file(embedded_env) -> Path:
    folder = Path(embedded_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True)
    path = folder / "flaky.py"
    path.write_text(textwrap.dedent(FLAKY))
    return path


def run_json(env, *args):
    result = run_cli(env, *args, "--output", "json")
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_run_prints_the_run_and_exits_by_its_state(embedded_env, dag_file):
    result, summary = run_json(embedded_env, "run", "flaky", "--run-id", "my-run")
    assert set(summary) >= {"run_id", "dag_id", "state"}
    assert summary == {"run_id": "my-run", "dag_id": "flaky", "state": "success"}
    assert result.returncode == 0


def test_tasks_list_has_one_row_per_map_index_with_the_documented_keys(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    result, rows = run_json(embedded_env, "tasks", "list", "r", "--task-id", "load")
    assert [r["map_index"] for r in rows] == [0, 1, 2]
    # DESIGN's keys (keys may be added, never renamed), and the name from map_index_template (none here)
    assert set(rows[0]) == {"task_id", "map_index", "state", "try_number", "start_date", "end_date", "hostname",
                            "error", "rendered_map_index", "pool", "priority_weight"}
    assert rows[0]["rendered_map_index"] is None and rows[0]["pool"] is None  # (not slot-limited)
    failed = rows[1]
    assert (failed["state"], failed["try_number"]) == ("failed", 2)
    assert "file 2 is corrupt" in failed["error"]
    _, page = run_json(embedded_env, "tasks", "list", "r", "--limit", "2", "--offset", "1")
    assert [(r["task_id"], r["map_index"]) for r in page] == [("load", 1), ("load", 2)]


def test_runs_show_gives_counts_and_map_count(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    _, shown = run_json(embedded_env, "runs", "show", "r")
    tasks = {t["task_id"]: t for t in shown["tasks"]}
    assert tasks["load"]["mapped"] is True and tasks["load"]["map_count"] == 3
    assert tasks["load"]["states"] == {"success": 2, "failed": 1}
    assert tasks["total"]["mapped"] is False and tasks["total"]["map_count"] is None
    table = run_cli(embedded_env, "runs", "show", "r")
    assert "load [3]" in table.stdout


def test_logs_are_kept_per_map_index_and_try(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    both = run_cli(embedded_env, "tasks", "logs", "r", "load", "--map-index", "1")
    assert both.stdout.count("loading file 2") == 2 and "try=1" in both.stdout and "try=2" in both.stdout
    second = run_cli(embedded_env, "tasks", "logs", "r", "load", "--map-index", "1", "--try", "2")
    assert "try=1" not in second.stdout and "ValueError: file 2 is corrupt" in second.stdout
    other = run_cli(embedded_env, "tasks", "logs", "r", "load", "--map-index", "0")
    assert "loading file 1" in other.stdout and "loading file 2" not in other.stdout


def test_xcom_get_one_index_or_all_of_a_mapped_task(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    _, one = run_json(embedded_env, "xcom", "get", "r", "load", "--map-index", "2")
    _, everything = run_json(embedded_env, "xcom", "get", "r", "load")
    _, total = run_json(embedded_env, "xcom", "get", "r", "total")
    assert (one, everything, total) == (30, [10, 30], 40)
    missing = run_cli(embedded_env, "xcom", "get", "r", "load", "--map-index", "1")
    assert missing.returncode == 2 and "no XCom" in missing.stderr


def test_clear_only_failed_reruns_that_index_and_the_run_finishes_again(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    dag_file.with_suffix(".fixed").touch()
    result, cleared = run_json(embedded_env, "tasks", "clear", "r", "--task-id", "load", "--only-failed",
                               "--downstream")
    assert result.returncode == 0, result.stderr
    assert cleared == {"run_id": "r", "cleared": 2, "state": "success"}
    _, rows = run_json(embedded_env, "tasks", "list", "r", "--task-id", "load")
    assert [(r["state"], r["try_number"]) for r in rows] == [("success", 1), ("success", 3), ("success", 1)]
    _, total = run_json(embedded_env, "xcom", "get", "r", "total")
    assert total == 60


def test_clear_that_waits_exits_1_when_the_run_ends_failed_again(embedded_env, dag_file):
    dag_file.write_text(dag_file.read_text().replace("@task(trigger_rule=TriggerRule.ALL_DONE)", "@task"))
    assert run_cli(embedded_env, "run", str(dag_file), "--run-id", "r").returncode == 1
    result, cleared = run_json(embedded_env, "tasks", "clear", "r", "--task-id", "load", "--only-failed",
                               "--downstream")  # (not mended: index 2 fails again)
    assert result.returncode == 1, result.stderr
    assert cleared == {"run_id": "r", "cleared": 2, "state": "failed"}
    nothing = run_cli(embedded_env, "tasks", "clear", "r", "--task-id", "load", "--map-index", "0", "--only-failed")
    assert nothing.returncode == 0 and "nothing to clear" in nothing.stderr and "--only-failed" in nothing.stderr


def test_clear_downstream_numbers_the_next_try_after_the_last_and_keeps_its_log(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    dag_file.with_suffix(".fixed").touch()
    run_cli(embedded_env, "tasks", "clear", "r", "--task-id", "load", "--only-failed", "--downstream")
    _, rows = run_json(embedded_env, "tasks", "list", "r", "--task-id", "total")
    assert [(r["state"], r["try_number"]) for r in rows] == [("success", 2)]
    first = run_cli(embedded_env, "tasks", "logs", "r", "total", "--try", "1")
    second = run_cli(embedded_env, "tasks", "logs", "r", "total", "--try", "2")
    assert first.returncode == 0 and "Running total of run r, try 1" in first.stdout
    assert second.returncode == 0 and "try 2" in second.stdout and "try 1" not in second.stdout
    _, tries = run_json(embedded_env, "tasks", "tries", "r", "load", "--map-index", "1")
    assert [(t["try_number"], t["state"]) for t in tries] == [(1, "up_for_retry"), (2, "failed"), (3, "success")]
    assert "file 2 is corrupt" in tries[1]["error"] and tries[2]["error"] is None
    # the retried try is kept as it ended (Airflow 2.10's handle_failure records it), not only its log
    assert "file 2 is corrupt" in tries[0]["error"] and tries[0]["start_date"] and tries[0]["end_date"]
    assert tries[0]["start_date"] < tries[1]["start_date"]


def test_clear_one_map_index_leaves_the_others_alone(embedded_env, dag_file):
    dag_file.with_suffix(".fixed").touch()
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    _, cleared = run_json(embedded_env, "tasks", "clear", "r", "--task-id", "load", "--map-index", "0")
    assert cleared["cleared"] == 1
    _, rows = run_json(embedded_env, "tasks", "list", "r", "--task-id", "load")
    assert [r["try_number"] for r in rows] == [2, 1, 1]


def test_dags_list_and_show(embedded_env, dag_file):
    _, listed = run_json(embedded_env, "dags", "list")
    assert [d["dag_id"] for d in listed] == ["flaky"]
    _, shown = run_json(embedded_env, "dags", "show", "flaky")
    assert [(t["task_id"], t["mapped"], t["upstream"]) for t in shown["tasks"]] == [
        ("load", True, []), ("total", False, ["load"])]


def test_run_records_the_dag_file_relative_to_the_dags_folder(embedded_env, dag_file):
    _, summary = run_json(embedded_env, "run", str(dag_file))
    _, runs = run_json(embedded_env, "runs", "list", "--dag-id", "flaky")
    assert [r["run_id"] for r in runs] == [summary["run_id"]]


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "no_such_dag"], "no_such_dag"),
        (["run", "missing.py"], "missing.py"),
        (["run", "flaky", "--conf", "[1, 2]"], "--conf must be a JSON object"),
        (["run", "flaky", "--conf", "{bad"], "--conf is not valid JSON"),
        (["run", "flaky", "--logical-date", "yesterday"], "--logical-date"),
        (["runs", "show", "nope"], "no run with id 'nope'"),
        (["tasks", "list", "nope"], "no run with id 'nope'"),
        (["xcom", "get", "nope", "load"], "no run with id 'nope'"),
        (["tasks", "logs", "nope", "load"], "no run with id 'nope'"),
        (["tasks", "clear", "nope", "--task-id", "load"], "no run with id 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_leaves_no_run(embedded_env, dag_file, args, words):
    result = run_cli(embedded_env, *args)
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    _, runs = run_json(embedded_env, "runs", "list")
    assert runs == []


def test_unknown_task_and_map_index_are_named(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "r")
    for args, words in [
        (["xcom", "get", "r", "nope"], "no task 'nope'"),
        (["tasks", "logs", "r", "load", "--map-index", "9"], "no map index 9"),
        (["tasks", "clear", "r", "--task-id", "load", "--map-index", "9"], "no map index 9"),
        (["tasks", "list", "r", "--task-id", "nope"], "no task 'nope'"),
    ]:
        result = run_cli(embedded_env, *args)
        assert result.returncode == 2 and words in result.stderr, (args, result.stderr)


def test_duplicate_run_id_is_refused(embedded_env, dag_file):
    run_cli(embedded_env, "run", str(dag_file), "--run-id", "same")
    again = run_cli(embedded_env, "run", str(dag_file), "--run-id", "same")
    assert again.returncode == 2 and "'same' exists already" in again.stderr


def test_bad_output_choice_is_refused(embedded_env):
    result = run_cli(embedded_env, "runs", "list", "--output", "yaml")
    assert result.returncode == 2 and "yaml" in result.stderr


def test_worker_needs_a_broker(embedded_env):
    result = run_cli(embedded_env, "worker")
    assert result.returncode == 2 and "CHORDFLOW_BROKER_URL" in result.stderr


def test_db_upgrade_and_reset(embedded_env, dag_file):
    assert run_cli(embedded_env, "db", "upgrade").returncode == 0
    run_cli(embedded_env, "run", str(dag_file))
    assert run_cli(embedded_env, "db", "reset", "--yes").returncode == 0
    _, runs = run_json(embedded_env, "runs", "list")
    assert runs == []


WAITER = """
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task

GO = Path(__file__).with_suffix(".go")

@task
def wait(x):
    print(f"waiting {x}", flush=True)
    for tick in range(600):  # until GO exists, at most a minute
        if GO.exists():
            break
        if tick % 5 == 0:
            print(f"still waiting {x}: {tick}", flush=True)
        time.sleep(0.1)
    print(f"done {x}")
    return x

@task
def total(values):
    return sum(values)

@dag(dag_id="waiter", schedule=None, start_date=datetime(2022, 1, 1))
def waiter():
    total(wait.expand(x=[1, 2]))

waiter()
"""


@pytest.fixture
def waiter(embedded_env) -> Path:
    folder = Path(embedded_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "waiter.py"
    path.write_text(textwrap.dedent(WAITER))
    return path


@contextlib.contextmanager
def background(env, *args) -> Iterator[subprocess.Popen]:
    """`chordflow ARGS` running meanwhile, killed with its process group if still alive at the end."""
    proc = subprocess.Popen([CHORDFLOW, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def wait_until(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.1)
    return found


def instance(env, run_id, task_id, map_index):
    result, rows = run_json(env, "tasks", "list", run_id, "--task-id", task_id)
    return next((r for r in rows or [] if r["map_index"] == map_index), {})


def test_tasks_logs_prints_the_log_so_far_of_a_running_try(embedded_env, waiter):
    with background(embedded_env, "run", "waiter", "--run-id", "r") as run:
        so_far = wait_until(lambda: (lambda r: r.returncode == 0 and "still waiting 1" in r.stdout and r)(
            run_cli(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0")), "log while running")
        assert instance(embedded_env, "r", "wait", 0)["state"] == "running"
        assert "--- wait map_index=0 try=1 on " in so_far.stdout and "Running wait[0] of run r" in so_far.stdout
        assert "done 1" not in so_far.stdout
        assert "try 1 is running" in so_far.stderr
        waiter.with_suffix(".go").touch()
        assert run.wait(timeout=60) == 0
    final = run_cli(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0")
    assert final.stdout.startswith(so_far.stdout) and "done 1" in final.stdout and final.stderr == ""


def test_tasks_logs_follow_prints_the_try_until_it_ends(embedded_env, waiter):
    with background(embedded_env, "run", "waiter", "--run-id", "r") as run:
        wait_until(lambda: instance(embedded_env, "r", "wait", 0).get("state") == "running", "running instance")
        with background(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0", "--follow") as follow:
            wait_until(lambda: run_cli(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0").stdout.count(
                "still waiting 1") >= 2, "two lines written while running")
            waiter.with_suffix(".go").touch()
            out, err = follow.communicate(timeout=60)
            assert follow.returncode == 0, err
        assert run.wait(timeout=60) == 0
    final = run_cli(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0").stdout
    assert out == final  # every line once, in order, header included
    assert out.count("--- wait map_index=0 try=1") == 1 and out.rstrip().endswith("Marking wait[0] as SUCCESS")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_embedded_run_ends_failed_at_once_and_tasks_clear_completes_it(embedded_env, waiter, signum):
    name = signal.Signals(signum).name
    with background(embedded_env, "run", "waiter", "--run-id", "r") as run:
        wait_until(lambda: instance(embedded_env, "r", "wait", 0).get("state") == "running", "running instance")
        run.send_signal(signum)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 128 + signum
    assert len(err.strip().splitlines()) == 1 and f"run r interrupted by {name}" in err, err
    _, shown = run_json(embedded_env, "runs", "show", "r")
    assert shown["state"] == "failed" and f"interrupted by {name}" in shown["note"]
    _, rows = run_json(embedded_env, "tasks", "list", "r")
    assert {(r["task_id"], r["state"]) for r in rows} == {("wait", "failed"), ("total", "failed")}
    assert all(f"the run was interrupted by {name}" in r["error"] for r in rows)
    stopped = run_cli(embedded_env, "tasks", "logs", "r", "wait", "--map-index", "0").stdout
    assert "Terminating try 1 of wait[0]" in stopped and "done 1" not in stopped
    waiter.with_suffix(".go").touch()
    result, cleared = run_json(embedded_env, "tasks", "clear", "r", "--task-id", "wait", "--downstream")
    assert result.returncode == 0, result.stderr
    assert cleared["state"] == "success"
    _, total = run_json(embedded_env, "xcom", "get", "r", "total")
    assert total == 3
    _, shown = run_json(embedded_env, "runs", "show", "r")
    assert shown["note"] is None


def test_cancel_from_another_process_stops_the_embedded_run_and_its_tries(embedded_env, waiter):
    env = {**embedded_env, "CHORDFLOW_HEARTBEAT_INTERVAL": "1"}
    with background(env, "run", "waiter", "--run-id", "r", "--output", "json") as run:
        wait_until(lambda: instance(env, "r", "wait", 1).get("state") == "running", "running instance")
        cancelled = run_cli(env, "runs", "cancel", "r", "--reason", "wrong input")
        assert cancelled.returncode == 0, cancelled.stderr
        assert "run r cancelled: 3 unfinished task instance(s) failed, 2 of them running" in cancelled.stdout
        out, _err = run.communicate(timeout=60)
    assert run.returncode == 1 and json.loads(out)["state"] == "failed"
    _, rows = run_json(env, "tasks", "list", "r")
    assert all(r["state"] == "failed" and r["error"] == "the run was cancelled: wrong input" for r in rows)
    for index in (0, 1):
        log = run_cli(env, "tasks", "logs", "r", "wait", "--map-index", str(index)).stdout
        assert "Terminating try 1" in log and "done" not in log


def test_runs_list_and_show_give_why_a_run_was_cancelled(embedded_env, waiter):
    with background(embedded_env, "run", "waiter", "--run-id", "r"):
        wait_until(lambda: instance(embedded_env, "r", "wait", 0).get("state") == "running", "running instance")
        assert run_cli(embedded_env, "runs", "cancel", "r", "--reason", "wrong input").returncode == 0
    _, runs = run_json(embedded_env, "runs", "list")
    _, shown = run_json(embedded_env, "runs", "show", "r")
    assert (runs[0]["state"], runs[0]["note"]) == ("failed", "cancelled: wrong input") == (shown["state"],
                                                                                            shown["note"])
    wide = {**embedded_env, "COLUMNS": "250"}  # a table's cells wrap at a terminal's width
    assert "cancelled: wrong input" in run_cli(wide, "runs", "show", "r").stdout
    assert "cancelled: wrong input" in run_cli(wide, "runs", "list").stdout


def test_cancelling_an_ended_run_is_one_line_exit_2(embedded_env, waiter):
    waiter.with_suffix(".go").touch()
    assert run_cli(embedded_env, "run", "waiter", "--run-id", "r").returncode == 0
    for run_id, words in (("r", "run 'r' has ended already (success)"), ("nope", "no run with id 'nope'")):
        result = run_cli(embedded_env, "runs", "cancel", run_id)
        assert result.returncode == 2 and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    _, shown = run_json(embedded_env, "runs", "show", "r")
    assert (shown["state"], shown["note"]) == ("success", None)


def test_runs_delete_removes_the_run_its_instances_and_logs_and_leaves_other_runs(embedded_env, waiter):
    waiter.with_suffix(".go").touch()
    for run_id in ("gone", "kept"):
        assert run_cli(embedded_env, "run", "waiter", "--run-id", run_id).returncode == 0
    declined = subprocess.run([CHORDFLOW, "runs", "delete", "gone"], env=embedded_env, input="n\n",
                              capture_output=True, text=True, timeout=60)
    assert declined.returncode != 0
    result = run_cli(embedded_env, "runs", "delete", "gone", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deleted run gone: 3 task instance(s), 3 XCom(s), 3 log(s)"
    _, runs = run_json(embedded_env, "runs", "list")
    assert [r["run_id"] for r in runs] == ["kept"]
    assert run_cli(embedded_env, "tasks", "logs", "gone", "wait", "--map-index", "0").returncode == 2
    assert "done 1" in run_cli(embedded_env, "tasks", "logs", "kept", "wait", "--map-index", "0").stdout
    _, total = run_json(embedded_env, "xcom", "get", "kept", "total")
    assert total == 3


def test_deleting_a_running_run_is_refused_saying_to_cancel_it_first(embedded_env, waiter):
    with background(embedded_env, "run", "waiter", "--run-id", "r"):
        wait_until(lambda: instance(embedded_env, "r", "wait", 0).get("state") == "running", "running instance")
        result = run_cli(embedded_env, "runs", "delete", "r", "--yes")
        assert result.returncode == 2 and "chordflow runs cancel r" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        _, shown = run_json(embedded_env, "runs", "show", "r")
        assert shown["state"] == "running"


BREAKS_ITS_FILE = """
import os
import time
from datetime import datetime
from pathlib import Path
from orchestrator import dag, task

@task
def breaker():
    path = Path(__file__)
    path.write_text(path.read_text() + "\\nthis is not python\\n")
    later = time.time() + 5
    os.utime(path, (later, later))
    return 1

@task
def later(x):
    return x

@dag(dag_id="breaks", schedule=None, start_date=datetime(2022, 1, 1))
def breaks():
    later(breaker())

breaks()
"""


def test_a_run_whose_dag_file_no_longer_imports_ends_failed_saying_why(embedded_env):
    """Nothing can be decided without the DAG: once nothing is on its way, the run ends failed,
    the reason in its note and in the errors of what was still to run -- not running forever."""
    folder = Path(embedded_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True)
    (folder / "breaks.py").write_text(textwrap.dedent(BREAKS_ITS_FILE))
    result = run_cli(embedded_env, "run", "breaks", "--run-id", "b", timeout=60)
    assert result.returncode == 1, result.stderr
    _, shown = run_json(embedded_env, "runs", "show", "b")
    assert shown["state"] == "failed"
    assert "could not be loaded" in shown["note"] and "does not import" in shown["note"]
    _, rows = run_json(embedded_env, "tasks", "list", "b", "--task-id", "later")
    assert rows[0]["state"] == "failed" and "could not be loaded" in rows[0]["error"]
    _, first = run_json(embedded_env, "tasks", "list", "b", "--task-id", "breaker")
    assert first[0]["state"] == "success"


def test_logs_of_an_instance_that_never_ran_say_why_there_are_none(embedded_env):
    folder = Path(embedded_env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True)
    (folder / "em.py").write_text(textwrap.dedent("""
        from datetime import datetime
        from orchestrator import dag, task

        @task
        def make():
            return []

        @task
        def work(x):
            return x

        @dag(dag_id="em", schedule=None, start_date=datetime(2022, 1, 1))
        def em():
            work.expand(x=make())

        em()
    """))
    assert run_cli(embedded_env, "run", "em", "--run-id", "e").returncode == 0
    skipped = run_cli(embedded_env, "tasks", "logs", "e", "work")
    assert skipped.returncode == 2 and "it never ran: it is skipped" in skipped.stderr
    later = run_cli(embedded_env, "tasks", "logs", "e", "make", "--try", "3")
    assert later.returncode == 2 and "numbered 1 to 1" in later.stderr
