"""The REST API under ``/api/v1``: the CLI's ``--output json`` shapes (keys may be added, never
renamed). Reads are open to whoever reaches the server; actions need :func:`~webserver.auth.authorize_action`.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from orchestrator.states import DagRunState
from webserver import reads
from webserver.app import WebServices, services
from webserver.auth import authorize_action

router = APIRouter(prefix="/api/v1", tags=["api"])

Web = Annotated[WebServices, Depends(services)]
RunState = Annotated[DagRunState | None, Query(description="only runs in this state")]
#: Most rows one list request returns.
MAX_LIMIT = 1000


def acting_user(request: Request, web: Web) -> str:
    """Dependency of every action: who acts (403 read-only, 401 not logged in, 403 bad CSRF)."""
    return authorize_action(request, web.auth)


Actor = Annotated[str, Depends(acting_user)]


@router.get("/dags", summary="DAGs in the DAGs folder, each with its recent runs")
def list_dags(web: Web, recent: Annotated[int, Query(ge=0, le=100)] = 5) -> list[dict[str, Any]]:
    rows, _errors = reads.dag_list(web.dagbag, web.store, recent=recent)
    return rows


@router.get("/import-errors", summary="DAG files that fail to import, each with its error")
def import_errors(web: Web) -> dict[str, str]:
    _rows, errors = web.dagbag.collect()
    return errors


@router.get("/dags/{dag_id}", summary="A DAG's tasks in order, with upstreams, and its params")
def show_dag(dag_id: str, web: Web) -> dict[str, Any]:
    return reads.dag_detail(web.dagbag, dag_id)


@router.get("/runs", summary="Runs, newest first")
def list_runs(web: Web, dag_id: str | None = None, state: RunState = None,
              limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100) -> list[dict[str, Any]]:
    return reads.run_rows(web.store, dag_id=dag_id, state=state.value if state else None, limit=limit)


@router.get("/runs/{run_id}", summary="A run with each task's state counts and [N] for mapped ones")
def show_run(run_id: str, web: Web) -> dict[str, Any]:
    return reads.run_summary(web.store, web.dagbag, run_id)


@router.post("/runs/{run_id}/cancel", summary="End a run now: its unfinished instances fail")
def cancel_run(run_id: str, web: Web, actor: Actor,
               reason: Annotated[str | None, Body(embed=True, max_length=500)] = None) -> dict[str, Any]:
    note = "cancelled" + (f": {reason}" if reason else "") + f" (web, by {actor})"
    counts = web.store.cancel_run(run_id, note, f"the run was {note}")
    return {"run_id": run_id, "state": DagRunState.FAILED.value, "note": note,
            "failed": counts["waiting"] + counts["running"], "stopping": counts["running"]}
