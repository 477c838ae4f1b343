"""The CLI on the embedded default: what a user types and what comes back."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

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
                            "error", "rendered_map_index"}
    assert rows[0]["rendered_map_index"] is None
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
    assert missing.returncode == 1 and "no XCom" in missing.stderr


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
