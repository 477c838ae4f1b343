"""`chordflow dags backfill` (Airflow 2's backfill): a backfill run per data interval in the range, existing
runs kept, failed ones run again with --reset-failed, at most max_active_runs at once; bad input exit 2."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.conftest import run_cli

DAG_FILE = """
import os
from datetime import datetime
from pathlib import Path
from orchestrator import DAG, task

@task
def load(ds=None):
    if (Path(os.environ["CHORDFLOW_HOME"]) / f"fail-{ds}").exists():
        raise RuntimeError(f"no files for {ds}")
    return ds

with DAG("daily", schedule="@daily", start_date=datetime(2022, 1, 1), max_active_runs=1) as dag:
    load()

with DAG("manual_only", schedule=None, start_date=datetime(2022, 1, 1)) as other:
    load()
"""


def setup(env) -> Path:
    folder = Path(env["CHORDFLOW_DAGS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "daily.py").write_text(textwrap.dedent(DAG_FILE))
    home = Path(env["CHORDFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    return home


def backfill(env, *args):
    return run_cli(env, "dags", "backfill", *args, "--output", "json")


def runs(env):
    return sorted(json.loads(run_cli(env, "runs", "list", "--output", "json").stdout), key=lambda r: r["logical_date"])


def test_backfill_runs_each_interval_once_one_at_a_time_and_reset_failed_runs_failures_again(embedded_env):
    env = embedded_env
    home = setup(env)
    (home / "fail-2022-01-02").touch()
    first = backfill(env, "daily", "--start-date", "2022-01-01", "--end-date", "2022-01-03")
    assert first.returncode == 1, first.stderr                     # one run failed
    report = json.loads(first.stdout)
    assert report["created"] == [f"backfill__2022-01-0{d}T00:00:00+00:00__daily" for d in (1, 2, 3)]
    listed = runs(env)
    assert [(r["run_type"], r["logical_date"][:10], r["data_interval_end"][:10], r["state"]) for r in listed] == [
        ("backfill", "2022-01-01", "2022-01-02", "success"), ("backfill", "2022-01-02", "2022-01-03", "failed"),
        ("backfill", "2022-01-03", "2022-01-04", "success")]
    # max_active_runs=1: each run started after the one before ended.
    assert all(later["start_date"] >= earlier["end_date"] for earlier, later in zip(listed, listed[1:], strict=False))

    again = backfill(env, "daily", "--start-date", "2022-01-01", "--end-date", "2022-01-03")
    assert again.returncode == 0 and len(json.loads(again.stdout)["kept"]) == 3 and len(runs(env)) == 3

    (home / "fail-2022-01-02").unlink()
    reset = backfill(env, "daily", "--start-date", "2022-01-02", "--end-date", "2022-01-02", "--reset-failed")
    assert reset.returncode == 0, reset.stderr
    assert json.loads(reset.stdout)["reset"] == ["backfill__2022-01-02T00:00:00+00:00__daily"]
    assert [r["state"] for r in runs(env)] == ["success"] * 3


def test_backfill_bad_input_is_one_line_and_exit_2(embedded_env):
    env = embedded_env
    setup(env)
    cases = [
        (("nope", "-s", "2022-01-01", "-e", "2022-01-02"), "nope"),
        (("daily", "-s", "yesterday", "-e", "2022-01-02"), "--start-date"),
        (("daily", "-s", "2022-01-05", "-e", "2022-01-02"), "before"),
        (("manual_only", "-s", "2022-01-01", "-e", "2022-01-02"), "nothing to backfill"),
    ]
    for args, named in cases:
        result = backfill(env, *args)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and named in result.stderr, result.stderr
    assert runs(env) == []


def test_the_elt_example_backfills_its_days_from_the_dags_folder(embedded_env):
    env = {**embedded_env, "CHORDFLOW_DAGS_FOLDER": str(Path(__file__).resolve().parents[1] / "examples")}
    result = backfill(env, "mapping_elt", "--start-date", "2022-04-11", "--end-date", "2022-04-13")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == [
        f"backfill__2022-04-1{d}T00:00:00+00:00__mapping_elt" for d in (1, 2, 3)]
    loads = json.loads(run_cli(env, "tasks", "list", "backfill__2022-04-12T00:00:00+00:00__mapping_elt",
                               "--task-id", "load_files_to_warehouse", "--output", "json").stdout)
    assert [row["state"] for row in loads] == ["success"] * 3     # the three sample files of 2022-04-12
