"""The UI's pages: server-rendered shells whose scripts fetch ``/api/v1`` and build the view
(every value from DAGs, logs and XComs is put in the page as text, never as HTML)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from webserver.app import WebServices, services
from webserver.auth import check_csrf, csrf_token, is_logged_in, log_in, log_out

router = APIRouter(include_in_schema=False)

Web = Annotated[WebServices, Depends(services)]


def page(request: Request, web: WebServices, template: str, title: str, **values) -> Response:
    """A page: the template with what every page's scripts need (CSRF token, whether actions work)."""
    context = {"title": title, "csrf_token": csrf_token(request), "read_only": web.auth.read_only,
               "logged_in": is_logged_in(request), **values}
    return request.app.state.templates.TemplateResponse(request, template, context)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/dags", status_code=303)


@router.get("/dags")
def dags_page(request: Request, web: Web) -> Response:
    return page(request, web, "dags.html", "DAGs")


@router.get("/dags/{dag_id}/runs")
def runs_page(request: Request, web: Web, dag_id: str) -> Response:
    return page(request, web, "runs.html", f"Runs of {dag_id}", dag_id=dag_id)


@router.get("/dags/{dag_id}/grid")
def grid_page(request: Request, web: Web, dag_id: str) -> Response:
    return page(request, web, "grid.html", f"Grid of {dag_id}", dag_id=dag_id)


@router.get("/runs/{run_id}/tasks/{task_id}/instances")
def instances_page(request: Request, web: Web, run_id: str, task_id: str) -> Response:
    return page(request, web, "instances.html", f"Mapped Instances of {task_id}", run_id=run_id, task_id=task_id)


@router.get("/runs/{run_id}/tasks/{task_id}/instances/{map_index}")
def instance_page(request: Request, web: Web, run_id: str, task_id: str, map_index: int) -> Response:
    title = task_id if map_index < 0 else f"{task_id} [{map_index}]"
    return page(request, web, "instance.html", title, run_id=run_id, task_id=task_id, map_index=map_index)


@router.get("/runs/{run_id}/graph")
def graph_page(request: Request, web: Web, run_id: str) -> Response:
    return page(request, web, "graph.html", f"Graph of {run_id}", run_id=run_id)


@router.get("/login")
def login_page(request: Request, web: Web, next: str = "/dags") -> Response:
    return page(request, web, "login.html", "Log in", next=_local(next), failed=False)


@router.post("/login")
def login(request: Request, web: Web, password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/dags") -> Response:
    check_csrf(request, csrf_token)
    if not log_in(request, web.auth, password):
        response = page(request, web, "login.html", "Log in", next=_local(next), failed=True)
        response.status_code = 401
        return response
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf_token)
    log_out(request)
    return RedirectResponse("/dags", status_code=303)


def _local(target: str) -> str:
    """Only a path on this server (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/dags"
