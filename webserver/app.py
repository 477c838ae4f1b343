"""The web server: a FastAPI app serving the UI's pages, its static files and the REST API (/api/v1).

:func:`create_app` builds the app from the settings; :func:`serve` runs it with uvicorn (what
``chordflow webserver`` calls).
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from orchestrator.dag_loader import DagBag
from orchestrator.errors import (
    BadInput,
    ChordflowError,
    DagNotFound,
    DuplicateRunError,
    RunNotFound,
    RunStateError,
    TaskNotFound,
    XComNotFound,
)
from orchestrator.settings import Settings
from orchestrator.store import Store
from webserver.actions import RunDriver
from webserver.auth import AuthError, AuthSettings

log = logging.getLogger("chordflow.webserver")

#: Where the server listens unless told otherwise: this host only.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8793
#: Name of the signed session cookie.
SESSION_COOKIE = "chordflow_session"
#: Seconds a login lasts.
SESSION_MAX_AGE = 12 * 3600

PACKAGE_DIR = Path(__file__).resolve().parent
#: Pages run only the package's own scripts and styles; nothing is fetched from elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")

#: HTTP status of each error a user can fix.
ERROR_STATUS: list[tuple[type[ChordflowError], int]] = [
    (RunNotFound, 404), (TaskNotFound, 404), (DagNotFound, 404), (XComNotFound, 404),
    (DuplicateRunError, 409), (RunStateError, 409), (BadInput, 400), (ChordflowError, 400),
]


class WebServices:
    """What requests share: settings, authentication, the store, the DAG bag, and what acts on runs.

    :param settings: the configuration (the same store as every other Chordflow process).
    :param auth: how requests authenticate (default: from ``CHORDFLOW_WEB_PASSWORD``).
    """

    def __init__(self, settings: Settings, auth: AuthSettings | None = None):
        self.settings = settings
        self.auth = auth or AuthSettings.from_env()
        self.dagbag = DagBag(settings.dags_folder)
        self.store = Store(settings.database_url, retry_for=settings.store_retry_for)
        self.driver = RunDriver(settings)

    def open(self) -> None:
        self.store.ensure_schema()

    def close(self) -> None:
        self.driver.close()
        self.store.dispose()


def services(request: Request) -> WebServices:
    return request.app.state.services


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str) -> Response:
    """``{"error": message}`` for the API, a plain page saying it for the UI; never a traceback."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 and wants_json(request) else None
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChordflowError)
    async def _chordflow_error(request: Request, exc: ChordflowError) -> Response:
        status = next(code for kind, code in ERROR_STATUS if isinstance(exc, kind))
        return error_response(request, status, str(exc))

    @app.exception_handler(AuthError)
    async def _auth_error(request: Request, exc: AuthError) -> Response:
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                             for e in exc.errors())
        return error_response(request, 400, f"bad request: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if exc.status_code != 404 else f"nothing at {request.url.path}"
        return error_response(request, exc.status_code, str(message))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")


def create_app(settings: Settings, auth: AuthSettings | None = None) -> FastAPI:
    """The web UI and REST API over the store ``settings`` name.

    :param settings: the configuration.
    :param auth: authentication (default: ``CHORDFLOW_WEB_PASSWORD`` from the environment).
    """
    from webserver import api, pages

    web = WebServices(settings, auth)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web.open()
        log.info("web UI %s; store %s", "read-only" if web.auth.read_only else "with actions (password set)",
                 settings.database_url.split("://", 1)[0])
        try:
            yield
        finally:
            web.close()

    # No Swagger/ReDoc pages: FastAPI loads their assets from a CDN, and the UI must work offline.
    app = FastAPI(title="Chordflow", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.services = web
    app.state.templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    app.add_middleware(SessionMiddleware, secret_key=web.auth.secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="strict")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    _install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        web.store.schema_revision()  # answers only when the store does
        return {"status": "ok"}

    return app


def serve(settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the web server until interrupted (``chordflow webserver``)."""
    import uvicorn

    auth = AuthSettings.from_env()
    if host not in ("127.0.0.1", "localhost", "::1") and auth.read_only:
        log.warning("listening on %s without CHORDFLOW_WEB_PASSWORD: anyone who reaches it can read every run", host)
    uvicorn.run(create_app(settings, auth), host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False)

