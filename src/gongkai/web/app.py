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
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..messages import WEB, language
from ..store import Store, open_store
from ..store.review import ReviewError, UserRecord
from . import auth
from .cache import SharedGeneration
from .connection import release
from .limits import DEFAULT_BODY_BYTES, BodyLimit
from .listing import ExportRefused
from .queries import BadQuery, Facets
from .source import RenderBusy, SourceCache, SourceUnavailable
from .stats import StatsCache
from .throttle import HASH_SLOTS, HashGate, LoginThrottle, StoreLoginThrottle
from .timefmt import iso_local, shown
from .upload import UploadQueue
from .words import (
    LANG_COOKIE,
    FiguresInLanguage,
    asked_language,
    current_lang,
    level_word,
    page_language,
    problem,
    problems,
    web,
    web_english,
)

log = logging.getLogger("gongkai.web")
PACKAGE = resources.files(__package__)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # one file
ERROR_TITLES = (400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503)  # error.<status> in the catalogue
LANG_COOKIE_SECONDS = 365 * 24 * 3600
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
    lang: str = "zh"  # the server's language; a visitor may choose the other (?lang=, kept in a cookie)


def _upload_dir(store: Store, configured: Path | None) -> Path:
    """Uploads are kept beside a SQLite database (``<db>.uploads/``), else in the temp folder."""
    if configured is not None:
        return configured
    if store.engine.dialect.name == "sqlite" and store.name:
        return Path(f"{store.name}.uploads")
    return Path(tempfile.gettempdir()) / "gongkai-uploads"


class SessionsAndHeaders:
    """The session from the cookie (``request.state.session``), the cookie written back when it
    changed, the page's language (``request.state.lang`` and :data:`current_lang`: ``?lang=``,
    remembered in a cookie, else the server's), the security headers, and the request's database
    connection given back at the end (:mod:`gongkai.web.connection`). A plain ASGI middleware:
    an error raised while the body streams (413) reaches the app's handlers as itself, not wrapped
    in a task group."""

    def __init__(self, app: Any, sessions: auth.Sessions, lang: str = "zh") -> None:
        self.app = app
        self.sessions = sessions
        self.lang = lang

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        state = scope.setdefault("state", {})
        asked = None
        if not static:
            request = Request(scope)
            state["session"] = self.sessions.read(request)
            asked = asked_language(scope)
            remembered = request.cookies.get(LANG_COOKIE)
            state["lang"] = page_language(asked, remembered, self.lang)
            current_lang.set(state["lang"])
            asked = asked if asked == state["lang"] and asked != remembered else None  # a new choice

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
                    if asked:  # the visitor chose a language: remember it
                        carrier = Response()
                        carrier.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_SECONDS, samesite="lax",
                                           secure=scope.get("scheme") == "https")
                        headers.append("set-cookie", carrier.headers["set-cookie"])
                    headers.setdefault("Content-Language", "en" if state["lang"] == "en" else "zh-CN")
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if not static:
                await release(scope)  # the request's database connection, back to the pool


def create_app(db_url: str | Path, *, anonymous_read: bool = False, max_upload_bytes: int = MAX_UPLOAD_BYTES,
               max_upload_files: int = MAX_UPLOAD_FILES, upload_dir: Path | None = None,
               store: Store | None = None, max_upload_total: int | None = None,
               max_body_bytes: int = DEFAULT_BODY_BYTES, secret_file: Path | None = None,
               login_throttle: LoginThrottle | StoreLoginThrottle | None = None,
               hash_slots: int = HASH_SLOTS, server_scope: str | None = None,
               lang: str | None = None) -> FastAPI:
    """The web app over the store at ``db_url`` (opened and migrated here unless ``store`` is given).

    The session key: ``GONGKAI_SECRET``, else ``secret_file`` (``GONGKAI_SECRET_FILE``, else
    ``~/.config/gongkai/session.key``, created 0600). Limits: ``max_upload_bytes`` per file,
    ``max_upload_total`` per upload request (default the smaller of 512 MiB and all files at
    their largest), ``max_body_bytes`` for any other request body. State that several processes
    of one server must share lives in the database: sessions, failed logins (the default
    throttle), upload jobs, and a token that keeps the caches in step (:class:`SharedGeneration`);
    ``hash_slots`` is this process's share of the concurrent password hashes; the processes of one
    server pass the same ``server_scope`` (a new one otherwise: this app is a server of its own).
    ``lang``: the pages' language unless a visitor chooses the other (``?lang=``); default
    ``GONGKAI_LANG``, else Chinese."""
    from . import api, pages, upload

    store = store or open_store(db_url)
    total = max_upload_total or min(MAX_UPLOAD_TOTAL, max_upload_bytes * max_upload_files)
    settings = Settings(str(db_url), anonymous_read, max_upload_bytes, max_upload_files,
                        _upload_dir(store, upload_dir), max(total, max_upload_bytes), max_body_bytes,
                        language(lang))
    app = FastAPI(title=f"gongkai {WEB['app.title'][0]}", version="1", description=WEB["app.description"][0],
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.settings = settings
    app.state.sessions = auth.Sessions(auth.load_secret(secret_file), store.engine)
    app.state.sources = SourceCache(store.engine)
    app.state.facets = Facets()
    # one copy of each figure for both languages, worded in the request's on the way out
    app.state.stats_cache = FiguresInLanguage(StatsCache())
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
    templates.env.globals.update(t=_t, lang_switch=_lang_switch)
    templates.env.filters.update(level=_level, english=_english)
    # every time on every page: Asia/Shanghai with its offset (the store keeps naive UTC)
    templates.env.filters.update(localtime=shown, iso_local=iso_local)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def lang_of(request: Request) -> str:
        return getattr(request.state, "lang", None) or settings.lang

    def page_context(request: Request) -> dict[str, Any]:
        """The header's context (who is logged in, the CSRF token) for an error page; an error
        page must render even when the session or the database is what failed."""
        session = getattr(request.state, "session", None)
        try:
            user = auth.current_user(request) if session is not None else None
        except Exception:  # the database itself may be the error being shown
            user = None
        return {"user": user, "csrf": session.csrf if session is not None else "",
                "anonymous_read": settings.anonymous_read, "lang": lang_of(request)}

    def error_page(request: Request, status: int, message: str) -> Response:
        """JSON for the API; for a browser, a page in the app's style with the usual header."""
        lang = lang_of(request)
        message = web_english(message, lang)  # other modules word their errors in Chinese
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=status)
        title = web(f"error.{status}" if status in ERROR_TITLES else "error.title", lang)
        context = {**page_context(request), "status": status, "message": message, "title": title}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, _error: auth.LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": web("error.login_required", lang_of(request))}, status_code=401)
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)  # fastapi's HTTPException too; and unknown URLs
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        message, lang = str(error.detail), lang_of(request)
        if error.detail == "Not Found" or (error.status_code == 404 and not message.strip()):
            message = web("error.no_page", lang, path=request.url.path[:200])
        elif error.detail == "Method Not Allowed":
            message = web("error.method", lang, method=request.method[:10])
        response = error_page(request, error.status_code, message)
        for name, value in (error.headers or {}).items():  # Retry-After of a 429 or 503
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        lang = lang_of(request)
        message = web("error.invalid", lang, problems=problems(error.errors(), lang))
        if wants_json(request):  # no "input" echoed: it may be bytes, or huge
            found = [{"loc": [str(p) for p in e.get("loc", ())], "msg": problem(e, lang),
                      "type": str(e.get("type"))} for e in error.errors()]
            return JSONResponse({"detail": found, "message": message}, status_code=422)
        return error_page(request, 422, message)

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
        return error_page(request, 500, web("error.internal", lang_of(request)))

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, _user: Annotated[UserRecord | None, Depends(auth.viewer)]) -> HTMLResponse:
        """Swagger UI from the bundled swagger-ui-dist (FastAPI's default loads it from a CDN);
        like the API itself, only for those who may read."""
        return templates.TemplateResponse(request, "docs.html", {"lang": lang_of(request)})

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request, _user: Annotated[UserRecord | None, Depends(auth.viewer)]) -> JSONResponse:
        return JSONResponse(_openapi_in(app.openapi(), lang_of(request)))

    app.include_router(pages.router)
    app.include_router(api.login_router)
    app.include_router(api.router)
    app.include_router(upload.router)
    app.add_middleware(SessionsAndHeaders, sessions=app.state.sessions, lang=settings.lang)
    # outermost: the body limits hold before any other code reads a byte
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_total + 1024 * 1024,
                       body_bytes=settings.max_body_bytes, lang=settings.lang)
    return app


# ------------------------------------------------------------------------------ the pages' language
def _lang_of_context(context: Any) -> str:
    lang = context.get("lang")
    if lang is None and context.get("request") is not None:
        lang = getattr(context["request"].state, "lang", None)
    return lang or current_lang.get()


# the catalogue's words escaped once, per language (a report page says ~30 of them, the list ~60)
_ESCAPED = {"zh": {key: escape(zh) for key, (zh, _en) in WEB.items()},
            "en": {key: escape(en) for key, (_zh, en) in WEB.items()}}


@pass_context
def _t(context: Any, key: str, **values: Any) -> Markup:
    """``{{ t("nav.reports") }}``: the catalogue's word in the page's language; the values are
    escaped (a Markup value, such as a link, is kept as it is)."""
    word = _ESCAPED["en" if _lang_of_context(context) == "en" else "zh"][key]
    return word.format(**values) if values else word


@pass_context
def _level(context: Any, level: str | None) -> str:
    return level_word(level, _lang_of_context(context))


@pass_context
def _english(context: Any, text: str | None) -> str:
    """A message another module words in Chinese, in the page's language."""
    return web_english(text or "", _lang_of_context(context))


def _lang_switch(request: Request, lang: str) -> str:
    """This page's address with ``lang`` chosen (the other query parameters kept)."""
    from urllib.parse import urlencode

    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"


def _openapi_in(schema: dict[str, Any], lang: str) -> dict[str, Any]:
    """The OpenAPI document (its title, description and tags) in ``lang``; FastAPI's own copy is
    left alone."""
    if lang != "en":
        return schema
    import copy

    schema = copy.deepcopy(schema)
    schema["info"]["title"] = f"gongkai {WEB['app.title'][1]}"
    schema["info"]["description"] = WEB["app.description"][1]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = [web_english(tag, "en") for tag in operation["tags"]]
    return schema


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
    app = create_app(options.pop("db_url"), **options)
    settle_heap()
    return app


def settle_heap() -> None:
    """Called once a server process has built its app: what it holds now (modules, templates, the
    catalogue) lives as long as the process, so the garbage collector stops scanning it
    (``gc.freeze``). Each full collection scanned ~300,000 objects (~140 ms); under load that was
    ~1 ms of CPU a report page."""
    import gc

    gc.collect()
    gc.freeze()
