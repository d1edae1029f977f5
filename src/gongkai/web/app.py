"""The FastAPI application: settings, sessions, limits, error pages, static files and offline API
docs. The limits and who may do what: SECURITY.md."""

from __future__ import annotations

import logging
import secrets
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..store import Store, open_store
from ..store.review import ReviewError, UserRecord
from . import auth
from .cache import SharedGeneration
from .limits import DEFAULT_BODY_BYTES, BodyLimit
from .listing import ExportRefused
from .queries import BadQuery, Facets
from .source import RenderBusy, SourceCache, SourceUnavailable
from .stats import StatsCache
from .throttle import HASH_SLOTS, HashGate, LoginThrottle, StoreLoginThrottle
from .timefmt import iso_local, shown
from .upload import UploadQueue
from .view import DECISION_ZH, SEVERITY_ZH, STATUS_ZH
from .words import ROLE_ZH, problems

log = logging.getLogger("gongkai.web")
PACKAGE = resources.files(__package__)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one file
ERROR_TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到页面", 405: "不支持的请求",
                413: "内容过大", 415: "不支持的内容类型", 422: "请求参数有误", 429: "尝试次数过多",
                500: "服务器内部错误", 503: "服务器繁忙"}
MAX_UPLOAD_FILES = 200
MAX_UPLOAD_TOTAL = 512 * 1024 * 1024  # one upload request, all files together

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
    max_upload_total: int = MAX_UPLOAD_TOTAL
    max_body_bytes: int = DEFAULT_BODY_BYTES


def _upload_dir(store: Store, configured: Path | None) -> Path:
    """Uploads are kept beside a SQLite database (``<db>.uploads/``), else in the temp folder."""
    if configured is not None:
        return configured
    if store.engine.dialect.name == "sqlite" and store.name:
        return Path(f"{store.name}.uploads")
    return Path(tempfile.gettempdir()) / "gongkai-uploads"


class SessionsAndHeaders:
    """The session from the cookie (``request.state.session``), the cookie written back when it
    changed, and the security headers. A plain ASGI middleware: an error raised while the body
    streams (413) reaches the app's handlers as itself, not wrapped in a task group."""

    def __init__(self, app: Any, sessions: auth.Sessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        state = scope.setdefault("state", {})
        if not static:
            state["session"] = self.sessions.read(Request(scope))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not static:
                    session = state["session"]
                    if session.changed:
                        carrier = Response()
                        carrier.set_cookie(auth.COOKIE, self.sessions.cookie(session),
                                           max_age=auth.SESSION_SECONDS, httponly=True, samesite="lax",
                                           secure=scope.get("scheme") == "https")
                        headers.append("set-cookie", carrier.headers["set-cookie"])
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(db_url: str | Path, *, anonymous_read: bool = False, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               max_upload_files: int = MAX_UPLOAD_FILES, upload_dir: Path | None = None,
               store: Store | None = None, max_upload_total: int | None = None,
               max_body_bytes: int = DEFAULT_BODY_BYTES, secret_file: Path | None = None,
               login_throttle: LoginThrottle | StoreLoginThrottle | None = None,
               hash_slots: int = HASH_SLOTS, server_scope: str | None = None) -> FastAPI:
    """The web app over the store at ``db_url`` (opened and migrated here unless ``store`` is given).

    The session key: ``GONGKAI_SECRET``, else ``secret_file`` (``GONGKAI_SECRET_FILE``, else
    ``~/.config/gongkai/session.key``, created 0600). Limits: ``max_upload_bytes`` per file,
    ``max_upload_total`` per upload request (default the smaller of 512 MiB and all files at
    their largest), ``max_body_bytes`` for any other request body. State that several processes
    of one server must share lives in the database: sessions, failed logins (the default
    throttle), upload jobs, and a token that keeps the caches in step (:class:`SharedGeneration`);
    ``hash_slots`` is this process's share of the concurrent password hashes; the processes of one
    server pass the same ``server_scope`` (a new one otherwise: this app is a server of its own)."""
    from . import api, pages, upload

    store = store or open_store(db_url)
    total = max_upload_total or min(MAX_UPLOAD_TOTAL, max_upload_bytes * max_upload_files)
    settings = Settings(str(db_url), anonymous_read, max_upload_bytes, max_upload_files,
                        _upload_dir(store, upload_dir), max(total, max_upload_bytes), max_body_bytes)
    app = FastAPI(title="gongkai 政府信息公开年报审核", version="1",
                  description="政府信息公开工作年度报告：列表、逐格核对、更正与审核留痕、统计。"
                              "页面背后的 JSON 接口。",
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.settings = settings
    app.state.sessions = auth.Sessions(auth.load_secret(secret_file), store.engine)
    app.state.sources = SourceCache(store.engine)
    app.state.facets = Facets()
    app.state.stats_cache = StatsCache()
    # (not `or`: an in-memory throttle with no failures yet has length 0)
    app.state.login_throttle = (StoreLoginThrottle(store.engine, server_scope or secrets.token_hex(8))
                                if login_throttle is None else login_throttle)
    app.state.hash_gate = HashGate(slots=max(1, hash_slots))
    app.state.generation = SharedGeneration(store.engine)
    app.state.generation.on_change += [app.state.facets.clear, app.state.stats_cache.clear]
    app.state.uploads = UploadQueue(store)
    app.state.uploads.on_done.append(app.state.generation.bump)
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
    templates.env.auto_reload = False  # the installed templates do not change: no stat() per page
    templates.env.globals.update(STATUS_ZH=STATUS_ZH, SEVERITY_ZH=SEVERITY_ZH, DECISION_ZH=DECISION_ZH,
                                 ROLE_ZH=ROLE_ZH)
    # every time on every page: Asia/Shanghai with its offset (the store keeps naive UTC)
    templates.env.filters.update(localtime=shown, iso_local=iso_local)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def page_context(request: Request) -> dict[str, Any]:
        """The header's context (who is logged in, the CSRF token) for an error page; an error
        page must render even when the session or the database is what failed."""
        session = getattr(request.state, "session", None)
        try:
            user = auth.current_user(request) if session is not None else None
        except Exception:  # the database itself may be the error being shown
            user = None
        return {"user": user, "csrf": session.csrf if session is not None else "",
                "anonymous_read": settings.anonymous_read}

    def error_page(request: Request, status: int, message: str) -> Response:
        """JSON for the API; for a browser, a page in the app's style with the usual header."""
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        context = {**page_context(request), "status": status, "message": message,
                   "title": ERROR_TITLES.get(status, "出错了")}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, _error: auth.LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)  # fastapi's HTTPException too; and unknown URLs
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        message = str(error.detail)
        if error.detail == "Not Found" or (error.status_code == 404 and not message.strip()):
            message = f"没有这个页面：{request.url.path[:200]}"
        elif error.detail == "Method Not Allowed":
            message = f"此地址不接受 {request.method[:10]} 请求"
        response = error_page(request, error.status_code, message)
        for name, value in (error.headers or {}).items():  # Retry-After of a 429 or 503
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):  # no "input" echoed: it may be bytes, or huge
            from .words import problem

            found = [{"loc": [str(p) for p in e.get("loc", ())], "msg": problem(e),
                      "type": str(e.get("type"))} for e in error.errors()]
            return JSONResponse({"detail": found, "message": f"请求参数有误：{problems(error.errors())}"},
                                status_code=422)
        return error_page(request, 422, f"请求参数有误：{problems(error.errors())}")

    @app.exception_handler(ReviewError)
    async def _review(request: Request, error: ReviewError) -> Response:
        return error_page(request, 400, str(error))

    @app.exception_handler(ExportRefused)
    async def _export_refused(request: Request, error: ExportRefused) -> Response:
        response = error_page(request, error.status, str(error))
        if error.status == 503:
            response.headers["Retry-After"] = "10"
        return response

    @app.exception_handler(BadQuery)
    async def _bad_query(request: Request, error: BadQuery) -> Response:
        return error_page(request, 400, str(error))

    @app.exception_handler(SourceUnavailable)
    async def _no_source(request: Request, error: SourceUnavailable) -> Response:
        return error_page(request, 404, str(error))

    @app.exception_handler(RenderBusy)
    async def _busy(request: Request, error: RenderBusy) -> Response:
        response = error_page(request, 503, str(error))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        """A bug: logged with its traceback; the visitor sees no path, repr or trace."""
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return error_page(request, 500, "服务器内部错误，已记录；请稍后重试或联系管理员")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, _user: Annotated[UserRecord | None, Depends(auth.viewer)]) -> HTMLResponse:
        """Swagger UI from the bundled swagger-ui-dist (FastAPI's default loads it from a CDN);
        like the API itself, only for those who may read."""
        return templates.TemplateResponse(request, "docs.html", {})

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_user: Annotated[UserRecord | None, Depends(auth.viewer)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.include_router(pages.router)
    app.include_router(api.login_router)
    app.include_router(api.router)
    app.include_router(upload.router)
    app.add_middleware(SessionsAndHeaders, sessions=app.state.sessions)
    # outermost: the body limits hold before any other code reads a byte
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_total + 1024 * 1024,
                       body_bytes=settings.max_body_bytes)
    return app


WORKER_SETTINGS_ENV = "GONGKAI_WEB_WORKER"


def worker_app() -> FastAPI:
    """The app of one worker process of ``gongkai serve --workers N`` (uvicorn imports this in each
    process it starts): the settings come as JSON in ``GONGKAI_WEB_WORKER``, written by ``serve``."""
    import json
    import os

    options = json.loads(os.environ[WORKER_SETTINGS_ENV])
    for name in ("upload_dir", "secret_file"):
        if options.get(name):
            options[name] = Path(options[name])
    return create_app(options.pop("db_url"), **options)
