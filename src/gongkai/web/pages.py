"""The HTML pages (server-rendered, Jinja2 with autoescape; htmx loads the cell panel and sections)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..render.form import heading
from ..store.review import MAX_PASSWORD, ROLES, ReviewError, UserRecord, correct, decide
from ..template import TEMPLATE
from . import auth
from .accounts import account_action, account_rows, create_account, live_sessions, reset_password
from .auditlog import AuditQuery, audit_page
from .connection import reading
from .data import ANONYMOUS_AUTHOR, MAX_ID, ReportId, cell_detail, report_bundle, shown_path
from .listing import ReportDetail, export_csv, export_name, export_workbook, list_rows_html, report_extras
from .queries import SORTS, BadQuery, ListQuery, list_reports
from .stats import Params, region_choices, search_agencies
from .words import ACTION_GROUPS, cell_label, current_lang, web

router = APIRouter(dependencies=[Depends(auth.check_csrf)], include_in_schema=False)

Viewer = Annotated[UserRecord | None, Depends(auth.viewer)]
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
Admin = Annotated[UserRecord | None, Depends(auth.admin)]
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    user = auth.current_user(request)
    anonymous = user is None
    context = {"user": user, "csrf": auth.session(request).csrf, "lang": lang_of(request),
               "anonymous_read": request.app.state.settings.anonymous_read,
               # visitors who are not logged in see no reviewer's name and no server path
               "who": (lambda _name: ANONYMOUS_AUTHOR) if anonymous else (lambda name: name),
               "shown_path": shown_path if anonymous else (lambda path: path), **context}
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def lang_of(request: Request) -> str:
    """The page's language (chosen by the app's middleware: ``?lang=``, its cookie, the server's)."""
    return getattr(request.state, "lang", None) or current_lang.get()


def engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.store.engine


# ------------------------------------------------------------------------------ login
def _safe_next(target: str | None) -> str:
    """Only paths of this site: ``//evil.example`` or ``https://…`` would be an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/reports"


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/reports", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request, name: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=MAX_PASSWORD)],
                next: Annotated[str, Form(max_length=2000)] = "/reports") -> Response:
    user = await auth.attempt_login(request, name, password)
    if user is None:
        failed = web("login.failed", lang_of(request))
        return await run_in_threadpool(render, request, "login.html",
                                       {"next": _safe_next(next), "error": failed}, 401)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    auth.logout(request)
    return RedirectResponse("/login", status_code=303)


# ------------------------------------------------------------------------------ list
Text = Annotated[str | None, Query(max_length=200)]


async def list_query(region: Text = None, level: Text = None, year: Text = None,
               template: Text = None, has_errors: Text = None, rule: Text = None,
               q: Text = None, sort: Annotated[str, Query(max_length=20)] = "new",
               after: Annotated[str | None, Query(max_length=400)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> ListQuery:
    """The list's filters from the query string; empty form fields mean "any". (``async``: no I/O
    here, so FastAPI runs it on the event loop instead of sending it to a worker thread.)"""
    year_value = None
    if year:
        digits = year.strip()
        # ASCII digits only: "²".isdigit() is true and int("²") fails
        if not (digits.isascii() and digits.isdecimal() and len(digits) <= 4):
            raise HTTPException(400, web("error.year", current_lang.get(), year=repr(year[:20])))
        year_value = int(digits)
    return ListQuery(region=region or None, level=level or None, year=year_value, template=template or None,
                     has_errors=has_errors in ("1", "true", "on"), rule=rule or None,
                     q=(q or "").strip() or None, sort=sort or "new", after=after or None,  # type: ignore[arg-type]
                     limit=limit)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, user: Viewer, query: Annotated[ListQuery, Depends(list_query)]
                 ) -> HTMLResponse:
    lang, anonymous = lang_of(request), user is None
    with reading(request) as conn:
        page = list_reports(conn, query)
        next_link = f"/reports?{urlencode(query.params(after=page.next_after))}" if page.next_after else None
        first_link = f"/reports?{urlencode(query.params(after=None))}" if query.after else None
        # the rows' HTML is cached (listing.list_rows_html): no user's own data in its context
        rows = {"page": page, "next_link": next_link, "first_link": first_link, "lang": lang,
                "shown_path": shown_path if anonymous else (lambda path: path)}
        key = (tuple(sorted(query.params().items())), query.limit, lang, user.role if user else None)
        rows_html = list_rows_html(conn, page, key, lambda extras: request.app.state.templates.get_template(
            "_report_rows.html").render({**rows, "extras": extras}), anonymous=anonymous, lang=lang)
        # another process may have written since (the token as read with the session, if it was)
        request.app.state.generation.check(conn, read=auth.generation_read(request))
        facets = request.app.state.facets.get(conn)
    filters = urlencode(query.params(after=None, sort=None))
    return render(request, "reports.html", {"page": page, "query": query, "facets": facets, "sorts": SORTS,
                                            "next_link": next_link, "first_link": first_link,
                                            "rows_html": rows_html, "export_query": filters})


def download(data: bytes, name: str, media_type: str) -> Response:
    from urllib.parse import quote

    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/reports.csv")
def reports_csv(request: Request, user: Viewer, query: Annotated[ListQuery, Depends(list_query)]) -> Response:
    """The filtered list as CSV (UTF-8 with BOM, Chinese headers; file names only for visitors)."""
    data = export_csv(engine(request), query, anonymous=user is None, lang=lang_of(request))
    return download(data, export_name(query, "csv"), "text/csv; charset=utf-8")


@router.get("/reports.xlsx")
def reports_workbook(request: Request, user: Viewer, query: Annotated[ListQuery, Depends(list_query)]
                     ) -> Response:
    """The filtered list as the supervisor's workbook (summary, findings, panel, codebook, reports)."""
    data = export_workbook(engine(request), query, anonymous=user is None, lang=lang_of(request))
    return download(data, export_name(query, "xlsx"), XLSX)


# ------------------------------------------------------------------------------ one report
@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: ReportId, _user: Viewer) -> HTMLResponse:
    lang = lang_of(request)
    with reading(request) as conn:
        # its cells' titles in the page's words; its text with it when new here (signature date)
        bundle = report_bundle(conn, report_id, lang, sections=True)
        # the list's columns of this report (timeliness, format), from what the page has read
        detail = ReportDetail(**{k: bundle.meta[k] for k in ("document_id", "published", "level", "year",
                                                              "agency", "source")},
                              sha256=bundle.document["sha256"], batch=bundle.document["batch"],
                              media_type=bundle.document["media_type"])
        extras = report_extras(conn, detail, collected=bundle.document["n_collected"] > 0, lang=lang,
                               sections=bundle.document["sections"])
    return render(request, "report.html", {"b": bundle, "report": bundle.effective.report,
                                           "meta": bundle.meta, "x": extras,
                                           "label": lambda path: cell_label(path, lang)})


@router.get("/reports/{report_id}/cells/{path}", response_class=HTMLResponse)
def cell_panel(request: Request, report_id: ReportId, path: str, _user: Viewer) -> HTMLResponse:
    """The panel a click on a cell opens: value, status, source around it, history, correction."""
    from .source import SourceUnavailable

    with reading(request) as conn:
        detail = cell_detail(conn, report_id, path)
        source, problem = None, None
        if detail.cell.line is not None or detail.cell.locator:
            try:
                source = request.app.state.sources.cell(conn, report_id, detail.cell.line,
                                                        detail.cell.locator)
            except SourceUnavailable as error:
                problem = str(error)
    return render(request, "_cell.html", {"d": detail, "report_id": report_id, "source": source,
                                          "problem": problem})


@router.get("/reports/{report_id}/sections", response_class=HTMLResponse)
def sections_fragment(request: Request, report_id: ReportId, _user: Viewer) -> HTMLResponse:
    from .source import SourceUnavailable

    with reading(request) as conn:
        try:
            sections = request.app.state.sources.sections(conn, report_id)
            problem = None
        except SourceUnavailable as error:
            sections, problem = {}, str(error)
    # the prose: sections 二–四 are the tables, shown above as the official form lays them out
    prose = {s.key: (heading(s.key), sections[s.key]) for s in TEMPLATE.sections
             if s.key in sections and s.key not in TABLE_SECTIONS}
    return render(request, "_sections.html", {"sections": prose, "problem": problem})


def parse_value(text: str) -> float | None:
    """A reviewer's value: empty means the cell is blank in truth; full-width digits are fine."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text or "").strip().replace(",", "")
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise ReviewError(web("error.not_number", current_lang.get(), text=text[:40])) from None


@router.post("/reports/{report_id}/cells/{path}/correct")
def correct_cell(request: Request, report_id: ReportId, path: str, user: Reviewer,
                 value: Annotated[str, Form(max_length=100)] = "",
                 reason: Annotated[str, Form(max_length=4000)] = "") -> RedirectResponse:
    assert user is not None  # reviewer role required
    correct(engine(request), report_id, path, parse_value(value), author=user.name, reason=reason)
    request.app.state.generation.bump()  # this process's caches and every other's
    return RedirectResponse(f"/reports/{report_id}#audit", status_code=303)


@router.post("/reports/{report_id}/findings/review")
def review_finding(request: Request, report_id: ReportId, user: Reviewer,
                   key: Annotated[str, Form(max_length=4000)], decision: Annotated[str, Form(max_length=20)],
                   reason: Annotated[str, Form(max_length=4000)] = "") -> RedirectResponse:
    assert user is not None
    decide(engine(request), report_id, key, decision, author=user.name, reason=reason)
    return RedirectResponse(f"/reports/{report_id}#audit", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, _admin: Admin, message: Annotated[str | None, Query(max_length=200)] = None,
               error: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    accounts = account_rows(engine(request))
    sessions = {a["name"]: live_sessions(engine(request), a["name"]) for a in accounts if a["sessions"]}
    return render(request, "users.html", {"users": accounts, "roles": ROLES, "message": message,
                                          "error": error, "sessions": sessions})


def _done(message: str, *, error: bool = False) -> RedirectResponse:
    """Back to the accounts page with ``message`` (already in the admin's language) shown."""
    return RedirectResponse(f"/admin/users?{urlencode({'error' if error else 'message': message})}",
                            status_code=303)


@router.post("/admin/users")
def create_user(request: Request, admin: Admin, name: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=MAX_PASSWORD)],
                role: Annotated[str, Form(max_length=10)] = "viewer") -> RedirectResponse:
    assert admin is not None
    user = create_account(request, admin, name, password, role)  # type: ignore[arg-type]
    return _done(web("users.created", lang_of(request), name=user.name))


@router.post("/admin/users/{name}/password")
def user_password(request: Request, name: str, admin: Admin,
                  password: Annotated[str, Form(max_length=MAX_PASSWORD)]) -> RedirectResponse:
    assert admin is not None
    ended = reset_password(request, admin, name, password)
    return _done(web("users.password_changed", lang_of(request), name=name, ended=ended))


@router.post("/admin/users/{name}/{action}")
def user_action(request: Request, name: str, action: str, admin: Admin) -> RedirectResponse:
    """disable, enable, or revoke (every session of the account)."""
    assert admin is not None
    lang = lang_of(request)
    if action == "disable" and name == admin.name:
        return _done(web("users.cannot_disable_self", lang), error=True)
    done = {"disable": "users.disabled_done", "enable": "users.enabled_done", "revoke": "users.revoked"}
    if action not in done:
        raise HTTPException(404, web("error.unknown_action", lang))
    ended = account_action(request, admin, name, action)  # type: ignore[arg-type]
    return _done(web(done[action], lang, name=name, ended=ended))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, _user: Viewer) -> HTMLResponse:
    with reading(request) as conn:
        # another process may have written since (the token as read with the session, if it was)
        request.app.state.generation.check(conn, read=auth.generation_read(request))
        facets = request.app.state.facets.get(conn)
        regions = region_choices(conn)
    return render(request, "dashboard.html", {"facets": facets, "regions": regions})


def _year(year: str | None) -> int | None:
    if not year or not year.strip():
        return None
    digits = year.strip()
    if not (digits.isascii() and digits.isdecimal() and len(digits) == 4):
        raise BadQuery(web("error.year4", current_lang.get(), year=repr(year[:20])))
    return int(digits)


def dashboard_params(region: Text = None, level: Text = None, year: Text = None,
                     agency: Text = None) -> Params:
    """The dashboard's filters from its form (empty fields: any)."""
    if level and level not in ("省", "市", "县", "乡镇", "部门"):
        raise BadQuery(web("error.level", current_lang.get(), level=repr(level)))
    return Params((region or "").strip() or None, level or None, _year(year), (agency or "").strip() or None)


@router.get("/dashboard/agencies", response_class=HTMLResponse)
def agency_matches(request: Request, _user: Viewer, params: Annotated[Params, Depends(dashboard_params)],
                   q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """The search box's suggestions (htmx): agencies whose name or key contains ``q``."""
    with reading(request) as conn:
        matches = search_agencies(conn, params, q)
    return render(request, "_agency_matches.html", {"matches": matches, "q": q.strip()})


@router.get("/dashboard/missing", response_class=HTMLResponse)
def missing_fragment(request: Request, _user: Viewer, params: Annotated[Params, Depends(dashboard_params)]
                     ) -> HTMLResponse:
    """The missing-reports matrix (htmx): roster units and units with reports × years."""
    from .stats import MATRIX_UNITS

    with reading(request) as conn:
        # another process may have written since (the token as read with the session, if it was)
        request.app.state.generation.check(conn, read=auth.generation_read(request))
        figure = request.app.state.stats_cache.get(conn, "missing", Params(params.region, params.level,
                                                                             params.year))
    csv_query = urlencode({k: v for k, v in (("region", params.region), ("level", params.level),
                                             ("year", params.year), ("format", "csv")) if v})
    return render(request, "_missing.html", {"figure": figure, "limit": MATRIX_UNITS, "csv_query": csv_query,
                                             "region": params.region})


# ------------------------------------------------------------------------------ audit log
def _date(value: str | None, what: str):  # type: ignore[no-untyped-def]
    from datetime import date

    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadQuery(web("error.date", current_lang.get(), what=what, value=repr(value[:20]))) from None


def audit_query(user: Text = None, report: Text = None, since: Text = None, until: Text = None,
                action: Text = None, after: Annotated[str | None, Query(max_length=400)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50) -> AuditQuery:
    """The audit log's filters from the query string; empty form fields mean "any"."""
    report_id = None
    if report and report.strip():
        digits = report.strip()
        if not (digits.isascii() and digits.isdecimal() and len(digits) <= 10 and 0 < int(digits) <= MAX_ID):
            raise BadQuery(web("error.report_id", current_lang.get(), value=repr(report[:20])))
        report_id = int(digits)
    lang = current_lang.get()
    return AuditQuery(user=(user or "").strip() or None, report=report_id,
                      since=_date(since, web("field.since", lang)),
                      until=_date(until, web("field.until", lang)),
                      action=action or None, after=after or None, limit=limit)


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, user: Reviewer, query: Annotated[AuditQuery, Depends(audit_query)]
              ) -> HTMLResponse:
    """Every correction, review, re-parse and (for admins) account change, newest first."""
    assert user is not None
    with reading(request) as conn:
        page = audit_page(conn, query, with_accounts=user.role == "admin", lang=lang_of(request))
    next_link = f"/audit?{urlencode(query.params(after=page.next_after))}" if page.next_after else None
    first_link = f"/audit?{urlencode(query.params(after=None))}" if query.after else None
    groups = [k for k in ACTION_GROUPS if k != "account" or user.role == "admin"]
    return render(request, "audit.html", {"page": page, "query": query, "next_link": next_link,
                                          "first_link": first_link, "groups": groups})
