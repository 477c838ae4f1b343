"""Actions through the API: trigger a run with a conf, clear instances; on the embedded default
the web server's own in-process worker runs them. The server runs as a process of the test's own
(one Celery app per process, as in production)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import OWN_ACCEPTANCE, run_cli
from tests.web import client_of, web_server, write_dag

PASSWORD = "s3cret-for-tests"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}

PARAMS_DAG = '''
from datetime import datetime
from orchestrator import dag, task, Param

@task
def repeat(word, times):
    return [word] * times

@dag(dag_id="params", schedule=None, start_date=datetime(2022, 1, 1),
     params={"times": Param(2, type="integer", minimum=1)})
def params_dag():
    repeat("hi", "{{ params.times }}")

params_dag()
'''


@pytest.fixture
def served(embedded_env, tmp_path: Path):
    """``served()``: a client of the web server (with actions enabled) over ``embedded_env``'s store."""

    @contextmanager
    def start() -> Iterator[httpx.Client]:
        env = {**embedded_env, "CHORDFLOW_WEB_PASSWORD": PASSWORD}
        with web_server(env, tmp_path / "webserver.log") as url, httpx.Client(base_url=url, timeout=30) as client:
            yield client

    return start


def wait_for_end(client, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = client.get(f"/api/v1/runs/{run_id}").json()
        if run["state"] in ("success", "failed") or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


def test_trigger_starts_a_run_that_the_embedded_worker_finishes(embedded_env, served):
    write_dag(embedded_env)
    with served() as client:
        started = client.post("/api/v1/dags/mapped/runs", json={"run_id": "web1", "conf": {}}, headers=AUTH)
        assert started.status_code == 200, started.text
        assert {k: started.json()[k] for k in ("run_id", "dag_id")} == {"run_id": "web1", "dag_id": "mapped"}
        run = wait_for_end(client, "web1")
    assert run["state"] == "success"
    double = next(t for t in run["tasks"] if t["task_id"] == "double")
    assert (double["map_count"], double["states"]) == (3, {"success": 2, "failed": 1})


def test_clearing_a_failed_index_runs_it_again_with_the_next_try(embedded_env, served):
    write_dag(embedded_env)
    with served() as client:
        client.post("/api/v1/dags/mapped/runs", json={"run_id": "web1"}, headers=AUTH)
        wait_for_end(client, "web1")
        cleared = client.post("/api/v1/runs/web1/tasks/double/clear", json={"map_indices": [2]}, headers=AUTH)
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["cleared"] == 1
        wait_for_end(client, "web1")
        tries = client.get("/api/v1/runs/web1/tasks/double/instances/2/tries").json()
    assert [t["try_number"] for t in tries] == [1, 2]
    assert [t["state"] for t in tries] == ["failed", "failed"]


@pytest.mark.parametrize(("body", "status", "named"), [
    ({"conf": {"times": 0}}, 400, "times"),
    ({"conf": {"times": "many"}}, 400, "times"),
    ({"conf": [1, 2]}, 400, "conf"),
    ({"logical_date": "yesterday"}, 400, "logical_date"),
])
def test_a_bad_conf_or_date_is_400_and_starts_nothing(embedded_env, served, body, status, named):
    write_dag(embedded_env, "params.py", PARAMS_DAG)
    with served() as client:
        answer = client.post("/api/v1/dags/params/runs", json=body, headers=AUTH)
        assert answer.status_code == status, answer.text
        assert named in answer.json()["error"]
        assert client.get("/api/v1/runs").json() == []


def test_triggering_an_unknown_dag_is_404(embedded_env, served):
    write_dag(embedded_env)
    with served() as client:
        answer = client.post("/api/v1/dags/nope/runs", json={}, headers=AUTH)
    assert answer.status_code == 404 and "nope" in answer.json()["error"]


@pytest.mark.parametrize(("run_id", "named"), [("a/b", "allowed_run_id_pattern"), ("has space", "pattern"),
                                                ("x" * 251, "at most 250")])
def test_a_run_id_airflow_would_refuse_is_400_and_starts_nothing(embedded_env, served, run_id, named):
    """Airflow's DagRun.validate_run_id with its allowed_run_id_pattern default: a run id with a
    slash could not be reached by its own URL."""
    write_dag(embedded_env)
    with served() as client:
        answer = client.post("/api/v1/dags/mapped/runs", json={"run_id": run_id}, headers=AUTH)
        assert answer.status_code == 400 and named in answer.json()["error"]
        assert client.get("/api/v1/runs").json() == []
    refused = run_cli(embedded_env, "run", "mapped", "--run-id", run_id)
    assert refused.returncode == 2 and named in refused.stderr and "Traceback" not in refused.stderr


def test_a_run_id_taken_already_is_409(embedded_env, served):
    write_dag(embedded_env)
    with served() as client:
        client.post("/api/v1/dags/mapped/runs", json={"run_id": "same"}, headers=AUTH)
        wait_for_end(client, "same")
        answer = client.post("/api/v1/dags/mapped/runs", json={"run_id": "same"}, headers=AUTH)
    assert answer.status_code == 409 and "same" in answer.json()["error"]


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/runs/nope/tasks/double/clear", {}, 404),
    ("/runs/web1/tasks/nope/clear", {}, 404),
    ("/runs/web1/tasks/double/clear", {"map_indices": [9]}, 404),
    ("/runs/web1/tasks/double/clear", {"map_indices": [-3]}, 400),
    ("/runs/web1/tasks/double/clear", {"only_failed": "perhaps"}, 400),
])
def test_bad_clears_are_refused_with_a_json_error(embedded_env, served, path, body, status):
    write_dag(embedded_env)
    with served() as client:
        client.post("/api/v1/dags/mapped/runs", json={"run_id": "web1"}, headers=AUTH)
        wait_for_end(client, "web1")
        answer = client.post(f"/api/v1{path}", json=body, headers=AUTH)
    assert answer.status_code == status, answer.text
    assert list(answer.json()) == ["error"]


def test_actions_are_refused_on_a_read_only_server(embedded_env):
    write_dag(embedded_env)
    with client_of(embedded_env) as client:
        assert client.post("/api/v1/dags/mapped/runs", json={}).status_code == 403
        assert client.post("/api/v1/runs/x/tasks/double/clear", json={}).status_code == 403


def test_triggering_a_dag_whose_task_names_an_unknown_pool_is_400_and_starts_nothing(embedded_env, served):
    write_dag(embedded_env, "unknown_pool.py", (OWN_ACCEPTANCE / "unknown_pool.py").read_text())
    with served() as client:
        answer = client.post("/api/v1/dags/unknown_pool/runs", json={}, headers=AUTH)
        assert answer.status_code == 400, answer.text
        assert "pool 'rate_limited_api'" in answer.json()["error"] and "'call'" in answer.json()["error"]
        assert client.get("/api/v1/runs").json() == []
