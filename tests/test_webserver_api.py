"""The REST API (/api/v1): the CLI's JSON shapes, and one clear JSON error for every bad input."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from orchestrator.schema import task_instance
from orchestrator.settings import Settings
from orchestrator.store import Store
from tests.conftest import run_cli
from tests.web import HOSTILE, client_of, write_dag


@pytest.fixture
def run_id(embedded_env) -> str:
    """A finished run of the mapped DAG: index 2 fails, the all_done reduce and so the run succeed."""
    dag_file = write_dag(embedded_env)
    result = run_cli(embedded_env, "run", dag_file, "--run-id", "r1", "--output", "json")
    assert json.loads(result.stdout)["state"] == "success", result.stderr
    return "r1"


def cli_json(env, *args):
    result = run_cli(env, *args, "--output", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_health_answers_when_the_store_does(embedded_env):
    with client_of(embedded_env) as client:
        assert client.get("/health").json() == {"status": "ok"}


def test_dags_lists_each_dag_as_the_cli_does_with_its_recent_runs(embedded_env, run_id):
    with client_of(embedded_env) as client:
        dags = client.get("/api/v1/dags").json()
    (cli_row,) = cli_json(embedded_env, "dags", "list")
    (row,) = dags
    assert {k: row[k] for k in cli_row} == cli_row
    assert row["description"] == HOSTILE
    assert [(r["run_id"], r["state"]) for r in row["recent_runs"]] == [(run_id, "success")]


def test_dag_shows_its_tasks_as_the_cli_does_and_its_params(embedded_env, run_id):
    with client_of(embedded_env) as client:
        shown = client.get("/api/v1/dags/mapped").json()
    cli = cli_json(embedded_env, "dags", "show", "mapped")
    assert shown["tasks"] == cli["tasks"]
    assert shown["params"] == {}


def test_runs_list_is_the_cli_json(embedded_env, run_id):
    with client_of(embedded_env) as client:
        assert client.get("/api/v1/runs", params={"dag_id": "mapped"}).json() == cli_json(
            embedded_env, "runs", "list", "--dag-id", "mapped")
        assert client.get("/api/v1/runs", params={"state": "failed"}).json() == []


def test_run_detail_is_runs_show_json_with_map_count_and_state_counts(embedded_env, run_id):
    with client_of(embedded_env) as client:
        shown = client.get(f"/api/v1/runs/{run_id}").json()
    assert shown == cli_json(embedded_env, "runs", "show", run_id)
    double = next(t for t in shown["tasks"] if t["task_id"] == "double")
    assert (double["mapped"], double["map_count"], double["states"]) == (True, 3, {"success": 2, "failed": 1})


@pytest.mark.parametrize(("path", "named"), [("/api/v1/runs/nope", "'nope'"), ("/api/v1/dags/nope", "'nope'"),
                                             ("/api/v1/no-such-route", "/api/v1/no-such-route")])
def test_unknown_things_are_404_with_a_json_error_naming_them(embedded_env, path, named):
    with client_of(embedded_env) as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert list(answer.json()) == ["error"] and named in answer.json()["error"]


@pytest.mark.parametrize("query", ["state=sleeping", "limit=0", "limit=100000", "limit=many"])
def test_bad_query_parameters_are_400_naming_the_parameter(embedded_env, query):
    with client_of(embedded_env) as client:
        answer = client.get(f"/api/v1/runs?{query}")
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.json()["error"]


def test_an_unexpected_failure_is_one_json_line_without_traceback(embedded_env):
    with client_of(embedded_env) as client:
        def broken(**_kwargs):
            raise RuntimeError("secret internals")

        client.app.state.services.store.list_runs = broken
        answer = client.get("/api/v1/runs")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error (RuntimeError); the server log has the details"}


def test_an_unknown_page_is_a_plain_error_page(embedded_env):
    with client_of(embedded_env) as client:
        answer = client.get("/no/such/page")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "nothing at /no/such/page" in answer.text and "Traceback" not in answer.text


def test_the_openapi_schema_documents_the_routes(embedded_env):
    with client_of(embedded_env) as client:
        paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/dags", "/api/v1/runs", "/api/v1/runs/{run_id}", "/api/v1/runs/{run_id}/cancel"} <= set(paths)


def test_grid_has_a_mapped_task_as_one_row_with_its_state_mix(embedded_env, run_id):
    with client_of(embedded_env) as client:
        grid = client.get("/api/v1/dags/mapped/grid").json()
    assert [r["run_id"] for r in grid["runs"]] == [run_id]
    double = next(t for t in grid["tasks"] if t["task_id"] == "double")
    assert double["mapped"] is True
    assert double["cells"] == [{"run_id": run_id, "map_count": 3, "states": {"success": 2, "failed": 1}}]


def test_grid_pages_through_older_runs(embedded_env, run_id):
    dag_file = write_dag(embedded_env)
    for newer in ("r2", "r3"):
        assert run_cli(embedded_env, "run", dag_file, "--run-id", newer).returncode == 0
    with client_of(embedded_env) as client:
        pages = [client.get("/api/v1/dags/mapped/grid", params={"limit": 2, "offset": n}).json() for n in (0, 1, 2, 3)]
        refused = client.get("/api/v1/dags/mapped/grid", params={"offset": -1})
    assert [[r["run_id"] for r in page["runs"]] for page in pages] == [["r2", "r3"], ["r1", "r2"], ["r1"], []]
    assert [len(t["cells"]) for t in pages[2]["tasks"]] == [1] * len(pages[2]["tasks"])
    assert refused.status_code == 400 and "offset" in refused.json()["error"]


def test_instances_page_counts_filters_and_sorts_by_sql(embedded_env, run_id):
    base = f"/api/v1/runs/{run_id}/tasks/double/instances"
    with client_of(embedded_env) as client:
        page = client.get(base, params={"limit": 2}).json()
        failed = client.get(base, params={"state": "failed"}).json()
        by_state = client.get(base, params={"sort": "state", "descending": "true"}).json()
        by_duration = client.get(base, params={"sort": "duration"}).json()
    assert (page["total"], [r["map_index"] for r in page["rows"]]) == (3, [0, 1])
    assert page["states"] == {"success": 2, "failed": 1}
    assert set(page["rows"][0]) >= {"task_id", "map_index", "state", "try_number", "start_date", "end_date",
                                    "hostname", "error", "rendered_map_index", "duration"}
    assert (failed["total"], [r["map_index"] for r in failed["rows"]]) == (1, [2])
    assert [r["state"] for r in by_state["rows"]] == ["success", "success", "failed"]
    assert all(r["duration"] is not None and r["duration"] >= 0 for r in by_duration["rows"])


def test_instances_pages_by_map_index_in_both_directions(embedded_env, run_id):
    """The default order pages by key (a map's indices are 0..N-1): each page starts where the
    offset says, ascending or descending, and a filtered page keeps its own order."""
    base = f"/api/v1/runs/{run_id}/tasks/double/instances"
    with client_of(embedded_env) as client:
        pages = [[r["map_index"] for r in client.get(base, params={"limit": 1, "offset": n}).json()["rows"]]
                 for n in range(4)]
        backwards = [[r["map_index"] for r in client.get(
            base, params={"limit": 2, "offset": n, "descending": "true"}).json()["rows"]] for n in (0, 2)]
        succeeded = client.get(base, params={"state": "success", "offset": 1}).json()
    assert pages == [[0], [1], [2], []]
    assert backwards == [[2, 1], [0]]
    assert (succeeded["total"], [r["map_index"] for r in succeeded["rows"]]) == (2, [1])


def test_instance_shows_its_row_and_tries(embedded_env, run_id):
    with client_of(embedded_env) as client:
        shown = client.get(f"/api/v1/runs/{run_id}/tasks/double/instances/2").json()
        tries = client.get(f"/api/v1/runs/{run_id}/tasks/double/instances/2/tries").json()
    (cli_row,) = cli_json(embedded_env, "tasks", "list", run_id, "--task-id", "double")[2:]
    assert {k: shown[k] for k in cli_row} == cli_row
    assert (shown["mapped"], shown["map_count"], shown["state"]) == (True, 3, "failed")
    assert shown["tries"] == tries and [t["state"] for t in tries] == ["failed"]


def test_log_of_a_try_from_an_offset(embedded_env, run_id):
    url = f"/api/v1/runs/{run_id}/tasks/double/instances/2/logs"
    with client_of(embedded_env) as client:
        whole = client.get(url).json()
        rest = client.get(url, params={"try_number": 1, "offset": 10}).json()
    assert whole["try_number"] == 1 and whole["running"] is False
    assert HOSTILE in whole["content"] and "three is not allowed" in whole["content"]
    assert rest["content"] == whole["content"][10:] and rest["next_offset"] == whole["next_offset"]


def test_xcoms_of_an_instance_with_previews_and_the_whole_value_as_a_download(embedded_env, run_id):
    base = f"/api/v1/runs/{run_id}/tasks/double/instances/1/xcom"
    with client_of(embedded_env) as client:
        (entry,) = client.get(base).json()
        whole = client.get(f"{base}/return_value")
    assert (entry["key"], entry["kind"], entry["truncated"]) == ("return_value", "dict", False)
    assert json.loads(entry["value"]) == {"value": 4, "note": HOSTILE}
    assert whole.json() == cli_json(embedded_env, "xcom", "get", run_id, "double", "--map-index", "1")
    assert whole.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize(("path", "status", "named"), [
    ("/runs/nope/tasks/double/instances", 404, "'nope'"),
    ("/runs/r1/tasks/nope/instances", 404, "'nope'"),
    ("/runs/r1/tasks/double/instances/7", 404, "7"),
    ("/runs/r1/tasks/double/instances/-1", 404, "map index"),
    ("/runs/r1/tasks/double/instances/7/logs", 404, "7"),
    ("/runs/r1/tasks/double/instances/7/xcom", 404, "7"),
    ("/runs/r1/tasks/double/instances/2/xcom/return_value", 404, "return_value"),
    ("/runs/r1/tasks/double/instances/1/xcom/other", 404, "other"),
    ("/runs/r1/tasks/double/instances?sort=color", 400, "sort"),
    ("/runs/r1/tasks/double/instances?state=sleeping", 400, "state"),
    ("/runs/r1/tasks/double/instances?offset=-1", 400, "offset"),
    ("/runs/r1/tasks/double/instances/x", 400, "map_index"),
    ("/runs/r1/tasks/double/instances/1/logs?try_number=0", 400, "try_number"),
    ("/dags/nope/grid", 404, "nope"),
    ("/dags/mapped/grid?limit=0", 400, "limit"),
])
def test_bad_instance_requests_are_named_in_a_json_error(embedded_env, run_id, path, status, named):
    with client_of(embedded_env) as client:
        answer = client.get(f"/api/v1{path}")
    assert answer.status_code == status, answer.text
    assert list(answer.json()) == ["error"] and named in answer.json()["error"]


XCOM_DAG = '''
from datetime import datetime
from orchestrator import dag, task

@task
def frame():
    import pandas as pd
    return pd.DataFrame({"n": list(range(60)), "label": [f"row {i}" for i in range(60)]})

@task
def big():
    return "x" * 50_000

@task
def typed():
    from decimal import Decimal
    return {"when": datetime(2022, 4, 12, 6, 30), "amount": Decimal("1.10"), "tags": {"a"}}

@dag(dag_id="xcoms", schedule=None, start_date=datetime(2022, 1, 1))
def xcoms():
    frame()
    big()
    typed()

xcoms()
'''


def test_a_dataframe_xcom_is_a_table_and_a_big_value_is_cut_with_the_whole_at_its_route(embedded_env):
    result = run_cli(embedded_env, "run", write_dag(embedded_env, "xcoms.py", XCOM_DAG), "--run-id", "x",
                     "--output", "json")
    assert json.loads(result.stdout)["state"] == "success", result.stderr
    with client_of(embedded_env) as client:
        (table,) = client.get("/api/v1/runs/x/tasks/frame/instances/-1/xcom").json()
        (cut,) = client.get("/api/v1/runs/x/tasks/big/instances/-1/xcom").json()
        whole = client.get("/api/v1/runs/x/tasks/big/instances/-1/xcom/return_value").json()
    assert (table["kind"], table["rows"], table["truncated"]) == ("pandas.DataFrame", 60, True)
    assert table["table"]["columns"] == ["n", "label"] and table["table"]["rows"][:2] == [[0, "row 0"], [1, "row 1"]]
    assert len(table["table"]["rows"]) == 50
    assert cut["truncated"] is True and len(cut["value"]) == 20_000
    assert whole == "x" * 50_000
    # typed values show as `xcom get` prints them, not as their stored wrappers
    with client_of(embedded_env) as client:
        (typed,) = client.get("/api/v1/runs/x/tasks/typed/instances/-1/xcom").json()
    printed = json.loads(run_cli(embedded_env, "xcom", "get", "x", "typed", "--output", "json").stdout)
    assert json.loads(typed["value"]) == printed and "__classname__" not in typed["value"]
    assert printed["when"].startswith("2022-04-12T06:30") and printed["tags"] == ["a"]


def test_an_instance_shows_the_rendered_fields_its_worker_recorded(embedded_env, run_id):
    store = Store(Settings.from_env(embedded_env).database_url)
    with store.begin() as conn:  # what a worker records (the column of migration 0006)
        conn.execute(update(task_instance).where(task_instance.c.task_id == "double", task_instance.c.map_index == 1)
                     .values(rendered_fields=json.dumps({"op_kwargs": {"x": 2}, "note": HOSTILE})))
    store.dispose()
    with client_of(embedded_env) as client:
        recorded = client.get(f"/api/v1/runs/{run_id}/tasks/double/instances/1").json()["rendered_fields"]
        as_run = client.get(f"/api/v1/runs/{run_id}/tasks/double/instances/0").json()["rendered_fields"]
    assert recorded == {"op_kwargs": {"x": 2}, "note": HOSTILE}
    assert set(as_run) == {"op_args", "op_kwargs", "templates_dict"} and "x" in as_run["op_kwargs"]
