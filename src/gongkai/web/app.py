"""The FastAPI application: settings, sessions, error pages, static files and offline API docs."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..store import Store, open_store
from ..store.review import ReviewError
from . import auth
from .queries import BadQuery, Facets
from .source import SourceCache, SourceUnavailable
from .stats import StatsCache
from .view import DECISION_ZH, SEVERITY_ZH, STATUS_ZH

PACKAGE = resources.files(__package__)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one file
MAX_UPLOAD_FILES = 200

# Scripts only from this server: a report's text that slipped through escaping still cannot run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


@dataclass(slots=True)
class Settings:
    db_url: str
    anonymous_read: bool = False
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_upload_files: int = MAX_UPLOAD_FILES
    upload_dir: Path | None = None  # where uploads are kept (their path is the source's path)


def _upload_dir(store: Store, configured: Path | None) -> Path:
    """Uploads are kept beside a SQLite database (``<db>.uploads/``), else in the temp folder."""
    if configured is not None:
        return configured
    if store.engine.dialect.name == "sqlite" and store.name:
        return Path(f"{store.name}.uploads")
    return Path(tempfile.gettempdir()) / "gongkai-uploads"


def create_app(db_url: str | Path, *, anonymous_read: bool = False, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               max_upload_files: int = MAX_UPLOAD_FILES, upload_dir: Path | None = None,
               store: Store | None = None) -> FastAPI:
    """The web app over the store at ``db_url`` (opened and migrated here unless ``store`` is given)."""
    from . import api, pages, upload

    store = store or open_store(db_url)
    settings = Settings(str(db_url), anonymous_read, max_upload_bytes, max_upload_files,
                        _upload_dir(store, upload_dir))
    app = FastAPI(title="gongkai 政府信息公开年报审核", version="1",
                  description="政府信息公开工作年度报告：列表、逐格核对、更正与审核留痕、统计。"
                              "页面背后的 JSON 接口。",
                  docs_url=None, redoc_url=None)
    app.state.store = store
    app.state.settings = settings
    app.state.sessions = auth.Sessions(auth.load_secret(store.engine))
    app.state.sources = SourceCache(store.engine)
    app.state.facets = Facets()
    app.state.stats_cache = StatsCache()
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.globals.update(STATUS_ZH=STATUS_ZH, SEVERITY_ZH=SEVERITY_ZH, DECISION_ZH=DECISION_ZH)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")

    @app.middleware("http")
    async def sessions_and_headers(request: Request, call_next: Any) -> Response:
        request.state.session = app.state.sessions.read(request)
        response = await call_next(request)
        session = request.state.session
        if session.changed:
            response.set_cookie(auth.COOKIE, app.state.sessions.cookie(session), max_age=auth.SESSION_SECONDS,
                                httponly=True, samesite="lax", secure=request.url.scheme == "https")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def error_page(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status)

    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, _error: auth.LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        return error_page(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": error.errors()}, status_code=422)
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'][1:])}：{e['msg']}" for e in error.errors())
        return error_page(request, 422, f"请求参数有误：{problems}")

    @app.exception_handler(ReviewError)
    async def _review(request: Request, error: ReviewError) -> Response:
        return error_page(request, 400, str(error))

    @app.exception_handler(BadQuery)
    async def _bad_query(request: Request, error: BadQuery) -> Response:
        return error_page(request, 400, str(error))

    @app.exception_handler(SourceUnavailable)
    async def _no_source(request: Request, error: SourceUnavailable) -> Response:
        return error_page(request, 404, str(error))

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI from the bundled swagger-ui-dist (FastAPI's default loads it from a CDN)."""
        return templates.TemplateResponse(request, "docs.html", {})

    app.include_router(pages.router)
    app.include_router(api.login_router)
    app.include_router(api.router)
    app.include_router(upload.router)
    return app
