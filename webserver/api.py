"""The REST API under ``/api/v1``: the CLI's ``--output json`` shapes (keys may be added, never
renamed). Reads are open to whoever reaches the server; actions need :func:`~webserver.auth.authorize_action`.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from orchestrator import read_models
from orchestrator.states import DagRunState, TaskInstanceState
from webserver import page_data
from webserver.app import WebServices, services
from webserver.auth import authorize_action

router = APIRouter(prefix="/api/v1", tags=["api"])

Web = Annotated[WebServices, Depends(services)]
#: Most rows one list request returns.
MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0)]
MapIndex = Annotated[int, Path(ge=-1, description="-1 for an unmapped task")]
INSTANCE = "/runs/{run_id}/tasks/{task_id}/instances/{map_index}"


def acting_user(request: Request, web: Web) -> str:
    """Dependency of every action: who acts (403 read-only, 401 not logged in, 403 bad CSRF)."""
    return authorize_action(request, web.auth)


Actor = Annotated[str, Depends(acting_user)]


# -- DAGs -------------------------------------------------------------------------------------
@router.get("/dags", summary="DAGs in the DAGs folder, each with its recent runs (newest first)")
def list_dags(web: Web, recent: Annotated[int, Query(ge=0, le=100)] = 5) -> list[dict[str, Any]]:
    rows, _errors = page_data.dags_with_recent_runs(web.store, web.dagbag, recent)
    return rows


@router.get("/import-errors", summary="DAG files that fail to import: {path: error}")
def import_errors(web: Web) -> dict[str, str]:
    return read_models.dag_rows(web.dagbag)[1]


@router.get("/dags/{dag_id}", summary="A DAG's tasks in order with upstreams (dags show), and its params")
def show_dag(dag_id: str, web: Web) -> dict[str, Any]:
    return {**read_models.dag_details(web.dagbag, dag_id), "params": page_data.dag_params(web.dagbag, dag_id)}


@router.get("/dags/{dag_id}/grid",
            summary="A page of runs (oldest first; offset: how many newer runs come before it) x tasks, "
                    "a mapped task as one row")
def grid(dag_id: str, web: Web, limit: Annotated[int, Query(ge=1, le=100)] = read_models.DEFAULT_GRID_RUNS,
         offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    return read_models.grid(web.store, web.dagbag, dag_id, limit, offset)


@router.post("/dags/{dag_id}/runs", summary="Trigger a run with a conf (validated against the DAG's params)")
def trigger_run(dag_id: str, web: Web, actor: Actor,
                conf: Annotated[dict[str, Any], Body(embed=True)] = None,
                run_id: Annotated[str | None, Body(embed=True, min_length=1, max_length=250)] = None,
                logical_date: Annotated[str | None, Body(embed=True)] = None) -> dict[str, Any]:
    return web.driver.trigger(dag_id, conf or {}, run_id, logical_date)


@router.get("/pools", summary="Pools: slots, slots taken by running, queued and scheduled instances, open slots "
                               "(pools list)")
def list_pools(web: Web) -> list[dict[str, Any]]:
    return web.store.list_pools()


# -- runs -------------------------------------------------------------------------------------
@router.get("/runs", summary="Runs, newest first (runs list)")
def list_runs(web: Web, dag_id: str | None = None, state: DagRunState | None = None,
              limit: Limit = 100) -> list[dict[str, Any]]:
    return read_models.run_rows(web.store, dag_id=dag_id, state=state.value if state else None, limit=limit)


@router.get("/runs/{run_id}", summary="A run with each task's state counts and [N] for mapped ones (runs show)")
def show_run(run_id: str, web: Web) -> dict[str, Any]:
    return read_models.run_summary(web.store, web.dagbag, run_id)


@router.post("/runs/{run_id}/cancel", summary="End a run now: its unfinished instances fail (runs cancel)")
def cancel_run(run_id: str, web: Web, actor: Actor,
               reason: Annotated[str | None, Body(embed=True, max_length=500)] = None) -> dict[str, Any]:
    note = "cancelled" + (f": {reason}" if reason else "") + f" (web, by {actor})"
    counts = web.store.cancel_run(run_id, note, f"the run was {note}")
    return {"run_id": run_id, "state": DagRunState.FAILED.value, "note": note,
            "failed": counts["waiting"] + counts["running"], "stopping": counts["running"]}


@router.post("/runs/{run_id}/tasks/{task_id}/clear", summary="Run instances again (tasks clear)")
def clear_instances(run_id: str, task_id: str, web: Web, actor: Actor,
                    map_indices: Annotated[list[Annotated[int, Field(ge=0)]], Body(embed=True)] = None,
                    only_failed: Annotated[bool, Body(embed=True)] = False,
                    downstream: Annotated[bool, Body(embed=True)] = False) -> dict[str, Any]:
    return web.driver.clear(run_id, task_id, map_indices or [], only_failed, downstream)


# -- task instances ---------------------------------------------------------------------------
@router.get("/runs/{run_id}/tasks/{task_id}/instances", summary="A page of a task's instances, sorted and filtered")
def list_instances(run_id: str, task_id: str, web: Web, limit: Limit = read_models.DEFAULT_PAGE_SIZE,
                   offset: Offset = 0, state: TaskInstanceState | None = None,
                   sort: Annotated[str, Query(pattern="^(" + "|".join(page_data.SORTS) + ")$")] = "map_index",
                   descending: bool = False) -> dict[str, Any]:
    return page_data.instance_page(web.store, run_id, task_id, limit, offset, state.value if state else None,
                                   sort, descending)


@router.get(INSTANCE, summary="One instance (tasks list row) with duration, map count and its tries")
def show_instance(run_id: str, task_id: str, map_index: MapIndex, web: Web) -> dict[str, Any]:
    return page_data.instance_detail(web.store, run_id, task_id, map_index)


@router.get(INSTANCE + "/tries", summary="Every try of an instance, oldest first (tasks tries)")
def list_tries(run_id: str, task_id: str, map_index: MapIndex, web: Web) -> list[dict[str, Any]]:
    return read_models.try_rows(web.store, run_id, task_id, map_index)


@router.get(INSTANCE + "/logs", summary="A try's log from a character offset on (follow: ask again from next_offset)")
def show_log(run_id: str, task_id: str, map_index: MapIndex, web: Web,
             try_number: Annotated[int | None, Query(ge=1)] = None, offset: Offset = 0) -> dict[str, Any]:
    return page_data.log_since(web.store, run_id, task_id, map_index, try_number, offset)


@router.get(INSTANCE + "/xcom", summary="Every XCom of an instance with a preview (DataFrames as tables)")
def list_xcoms(run_id: str, task_id: str, map_index: MapIndex, web: Web) -> list[dict[str, Any]]:
    return page_data.xcom_entries(web.store, run_id, task_id, map_index)


@router.get(INSTANCE + "/xcom/{key}", summary="The whole value of one XCom (xcom get), as a download")
def get_xcom(run_id: str, task_id: str, map_index: MapIndex, key: str, web: Web) -> JSONResponse:
    value = read_models.xcom_json(web.store, run_id, task_id, map_index, key)
    filename = f"{run_id}_{task_id}_{map_index}_{key}.json".replace('"', "_").replace("/", "_")
    return JSONResponse(value, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
