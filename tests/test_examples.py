"""The two examples, run as a user would (``chordflow run ... --wait``), on the embedded default
and on Redis + PostgreSQL with two worker processes."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ROOT, free_port, run_cli

ELT = ROOT / "examples" / "mapping_elt.py"
ML = ROOT / "examples" / "ml_multimodel.py"
SAMPLES = ROOT / "examples" / "data" / "20220412"
SAMPLE_ROWS = sum(len(p.read_text().splitlines()) - 1 for p in SAMPLES.glob("*.csv"))
MODELS = 5


def run(env: dict[str, str], dag: Path, *args: str, timeout: float = 120) -> dict:
    result = run_cli(env, "run", str(dag), "--wait", "--output", "json", *args, timeout=timeout)
    assert result.returncode in (0, 1), result.stderr
    summary = json.loads(result.stdout)
    if summary["state"] != "success":  # say why in the assertion that follows
        listed = json.loads(run_cli(env, "tasks", "list", summary["run_id"], "--output", "json").stdout)
        summary["errors"] = [(r["task_id"], r["map_index"], r["error"]) for r in listed if r["error"]]
    return summary


def shown(env: dict[str, str], run_id: str) -> dict[str, dict]:
    result = run_cli(env, "runs", "show", run_id, "--output", "json")
    return {t["task_id"]: t for t in json.loads(result.stdout)["tasks"]}


def xcom(env: dict[str, str], run_id: str, task_id: str, *args: str):
    result = run_cli(env, "xcom", "get", run_id, task_id, *args, "--output", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def warehouse_rows(env: dict[str, str], sql: str) -> list[tuple]:
    url = env.get("CHORDFLOW_DATABASE_URL")
    if url is None:
        with sqlite3.connect(Path(env["CHORDFLOW_HOME"]) / "warehouse.db") as conn:
            return conn.execute(sql).fetchall()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def names_under(env: dict[str, str], url: str) -> list[str]:
    """The objects under ``url`` (a folder or s3://), relative to it, read as the workers would."""
    import fsspec

    options = {"endpoint_url": env["AWS_ENDPOINT_URL"], "key": env["AWS_ACCESS_KEY_ID"],
               "secret": env["AWS_SECRET_ACCESS_KEY"]} if url.startswith("s3://") else {}
    fs, root = fsspec.core.url_to_fs(url, **options)
    fs.invalidate_cache()
    return sorted(path[len(root.rstrip("/")) + 1:] for path in fs.find(root)) if fs.exists(root) else []


def check_elt(env: dict[str, str], storage: str) -> None:
    summary = run(env, ELT, "--logical-date", "2022-04-12")
    assert summary["state"] == "success", summary
    tasks = shown(env, summary["run_id"])
    assert tasks["wait_for_landing"]["states"] == {"success": 1}
    assert tasks["load_files_to_warehouse"]["map_count"] == 3
    assert tasks["load_files_to_warehouse"]["states"] == {"success": 3}
    # every landed row is in the warehouse once, with the file it came from
    assert warehouse_rows(env, "SELECT COUNT(*), COUNT(DISTINCT source_file) FROM homes_raw") == [(SAMPLE_ROWS, 3)]
    by_rooms = warehouse_rows(env, "SELECT SUM(homes) FROM homes_summary WHERE ds = '2022-04-12'")
    assert by_rooms == [(SAMPLE_ROWS,)]
    loaded = [xcom(env, summary["run_id"], "load_files_to_warehouse", "--map-index", str(i))["rows"] for i in range(3)]
    assert sorted(loaded) == sorted(len(p.read_text().splitlines()) - 1 for p in SAMPLES.glob("*.csv"))
    # files: copied to processed/, the landing folder deleted, the shipped samples untouched
    assert names_under(env, f"{storage}/processed/20220412") == sorted(p.name for p in SAMPLES.glob("*.csv"))
    assert names_under(env, f"{storage}/landing/20220412") == []
    assert len(list(SAMPLES.glob("*.csv"))) == 3

    # the same day again: the loads replace their own rows, nothing is duplicated
    again = run(env, ELT, "--logical-date", "2022-04-12")
    assert again["state"] == "success"
    assert warehouse_rows(env, "SELECT COUNT(*) FROM homes_raw") == [(SAMPLE_ROWS,)]
    assert warehouse_rows(env, "SELECT SUM(homes) FROM homes_summary") == [(SAMPLE_ROWS,)]

    # a day with no files: nothing to load or transform; the cleanup still runs
    empty = run(env, ELT, "--logical-date", "2022-04-13")
    assert empty["state"] == "success", empty
    tasks = shown(env, empty["run_id"])
    assert (tasks["load_files_to_warehouse"]["map_count"], tasks["load_files_to_warehouse"]["states"]) == (
        0, {"skipped": 1})
    assert tasks["wait_for_landing"]["states"] == {"skipped": 1}  # soft_fail: nothing landed in time
    assert tasks["transform"]["states"] == {"skipped": 1}
    assert tasks["copy_to_processed"]["states"] == {"skipped": 1}
    assert tasks["delete_landing_folder"]["states"] == {"success": 1}
    assert warehouse_rows(env, "SELECT COUNT(*) FROM homes_summary WHERE ds = '2022-04-13'") == [(0,)]


def check_ml(env: dict[str, str], objects: str) -> None:
    summary = run(env, ML)
    assert summary["state"] == "success", summary
    run_id = summary["run_id"]
    tasks = shown(env, run_id)
    assert (tasks["train"]["map_count"], tasks["train"]["states"]) == (MODELS, {"success": MODELS})
    results = xcom(env, run_id, "train")
    assert len({r["model"] for r in results}) == MODELS
    assert all(0.5 < r["test_f1"] <= 1 for r in results)
    best = xcom(env, run_id, "pick_best")
    top = max(results, key=lambda r: (r["test_f1"], r["cv_f1"]))
    assert best["best_model"] == top["model"] and best["test_f1"] == top["test_f1"]
    assert sorted(best["ranking"]) == sorted(r["model"] for r in results)
    metrics = xcom(env, run_id, "train", "--map-index", "0", "--key", "metrics")
    assert metrics["test_f1"] == results[0]["test_f1"]
    # the DataFrames went to the object store as Parquet; xcom get shows their rows
    frame = xcom(env, run_id, "feature_engineering")
    assert len(frame) == 569 and "compactness_ratio" in frame[0] and "target" in frame[0]
    parquet = sorted(name.split("/")[1] for name in names_under(env, objects) if name.endswith(".parquet"))
    assert parquet == ["feature_engineering", "load_data", "preprocess"]


def test_elt_example_on_the_embedded_default(embedded_env):
    check_elt(embedded_env, embedded_env["CHORDFLOW_HOME"] + "/elt-storage")


def test_ml_example_on_the_embedded_default(embedded_env):
    check_ml(embedded_env, embedded_env["CHORDFLOW_HOME"] + "/xcom-objects")


@pytest.fixture
def s3(tmp_path) -> Iterator[dict[str, str]]:
    """A local S3 endpoint (moto's server, spoken to over HTTP like AWS) with one bucket; the
    environment that points boto, s3fs and so the examples at it."""
    import fsspec

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-p", str(port)],
                              stdout=open(tmp_path / "moto.log", "wb"), stderr=subprocess.STDOUT)
    env = {"AWS_ACCESS_KEY_ID": "chordflow", "AWS_SECRET_ACCESS_KEY": "chordflow", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "moto.log").read_text()
            time.sleep(0.1)
    fs = fsspec.filesystem("s3", key="chordflow", secret="chordflow", endpoint_url=env["AWS_ENDPOINT_URL"])
    fs.mkdir("chordflow-examples")
    yield env
    server.terminate()
    server.wait(timeout=10)


def test_both_examples_on_redis_postgres_and_s3_with_two_workers(distributed_env, s3, workers):
    """Workers on several hosts share Redis, PostgreSQL and the object storage: the landing
    files and the XCom objects are on S3, switched to by configuration only."""
    distributed_env.update(s3)
    distributed_env["ELT_STORAGE_URL"] = "s3://chordflow-examples/elt"
    distributed_env["CHORDFLOW_XCOM_OBJECTS_URL"] = "s3://chordflow-examples/xcom"
    workers.start("w1")
    workers.start("w2")
    workers.wait_ready()
    check_elt(distributed_env, distributed_env["ELT_STORAGE_URL"])
    check_ml(distributed_env, distributed_env["CHORDFLOW_XCOM_OBJECTS_URL"])
    hosts = {r["hostname"].split("@")[0] for r in json.loads(
        run_cli(distributed_env, "tasks", "list", run(distributed_env, ML)["run_id"], "--output", "json").stdout)}
    assert hosts <= {"w1", "w2"} and hosts
