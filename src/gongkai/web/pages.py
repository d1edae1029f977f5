"""The HTML pages (server-rendered, Jinja2 with autoescape; htmx loads the cell panel and sections)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..render.form import heading
from ..store.review import (
    MAX_PASSWORD,
    ROLES,
    ReviewError,
    UserRecord,
    add_user,
    correct,
    decide,
    end_sessions,
    set_active,
    set_password,
)
from ..template import TEMPLATE
from . import auth
from .accounts import account_rows
from .data import ANONYMOUS_AUTHOR, ReportId, cell_detail, report_bundle, shown_path
from .queries import SORTS, ListQuery, list_reports

router = APIRouter(dependencies=[Depends(auth.check_csrf)], include_in_schema=False)

Viewer = Annotated[UserRecord | None, Depends(auth.viewer)]
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
Admin = Annotated[UserRecord | None, Depends(auth.admin)]
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    user = auth.current_user(request)
    anonymous = user is None
    context = {"user": user, "csrf": auth.session(request).csrf,
               "anonymous_read": request.app.state.settings.anonymous_read,
               # visitors who are not logged in see no reviewer's name and no server path
               "who": (lambda _name: ANONYMOUS_AUTHOR) if anonymous else (lambda name: name),
               "shown_path": shown_path if anonymous else (lambda path: path), **context}
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


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
        return await run_in_threadpool(render, request, "login.html",
                                       {"next": _safe_next(next), "error": "用户名或密码错误"}, 401)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    auth.logout(request)
    return RedirectResponse("/login", status_code=303)


# ------------------------------------------------------------------------------ list
Text = Annotated[str | None, Query(max_length=200)]


def list_query(region: Text = None, level: Text = None, year: Text = None,
               template: Text = None, has_errors: Text = None, rule: Text = None,
               q: Text = None, sort: Annotated[str, Query(max_length=20)] = "new",
               after: Annotated[str | None, Query(max_length=400)] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> ListQuery:
    """The list's filters from the query string; empty form fields mean "any"."""
    year_value = None
    if year:
        digits = year.strip()
        # ASCII digits only: "²".isdigit() is true and int("²") fails
        if not (digits.isascii() and digits.isdecimal() and len(digits) <= 4):
            raise HTTPException(400, f"年度应为数字：{year[:20]!r}")
        year_value = int(digits)
    return ListQuery(region=region or None, level=level or None, year=year_value, template=template or None,
                     has_errors=has_errors in ("1", "true", "on"), rule=rule or None,
                     q=(q or "").strip() or None, sort=sort or "new", after=after or None,  # type: ignore[arg-type]
                     limit=limit)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, _user: Viewer, query: Annotated[ListQuery, Depends(list_query)]
                 ) -> HTMLResponse:
    with engine(request).connect() as conn:
        page = list_reports(conn, query)
        facets = request.app.state.facets.get(conn)
    next_link = f"/reports?{urlencode(query.params(after=page.next_after))}" if page.next_after else None
    first_link = f"/reports?{urlencode(query.params(after=None))}" if query.after else None
    return render(request, "reports.html", {"page": page, "query": query, "facets": facets, "sorts": SORTS,
                                      "next_link": next_link, "first_link": first_link})


# ------------------------------------------------------------------------------ one report
@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: ReportId, _user: Viewer) -> HTMLResponse:
    with engine(request).connect() as conn:
        bundle = report_bundle(conn, report_id)
    return render(request, "report.html", {"b": bundle, "report": bundle.effective.report,
                                           "meta": bundle.meta, "label": TEMPLATE.cell_label})


@router.get("/reports/{report_id}/cells/{path}", response_class=HTMLResponse)
def cell_panel(request: Request, report_id: ReportId, path: str, _user: Viewer) -> HTMLResponse:
    """The panel a click on a cell opens: value, status, source around it, history, correction."""
    from .source import SourceUnavailable

    with engine(request).connect() as conn:
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

    with engine(request).connect() as conn:
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
        raise ReviewError(f"不是数字：{text[:40]}") from None


@router.post("/reports/{report_id}/cells/{path}/correct")
def correct_cell(request: Request, report_id: ReportId, path: str, user: Reviewer,
                 value: Annotated[str, Form(max_length=100)] = "",
                 reason: Annotated[str, Form(max_length=4000)] = "") -> RedirectResponse:
    assert user is not None  # reviewer role required
    correct(engine(request), report_id, path, parse_value(value), author=user.name, reason=reason)
    request.app.state.stats_cache.clear()
    return RedirectResponse(f"/reports/{report_id}#audit", status_code=303)


@router.post("/reports/{report_id}/findings/review")
def review_finding(request: Request, report_id: ReportId, user: Reviewer,
                   key: Annotated[str, Form(max_length=4000)], decision: Annotated[str, Form(max_length=20)],
                   reason: Annotated[str, Form(max_length=4000)] = "") -> RedirectResponse:
    assert user is not None
    decide(engine(request), report_id, key, decision, author=user.name, reason=reason)
    return RedirectResponse(f"/reports/{report_id}#audit", status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, _admin: Admin, message: Annotated[str | None, Query(max_length=200)] = None
               ) -> HTMLResponse:
    return render(request, "users.html", {"users": account_rows(engine(request)), "roles": ROLES,
                                          "message": message})


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?{urlencode({'message': message})}", status_code=303)


@router.post("/admin/users")
def create_user(request: Request, admin: Admin, name: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=MAX_PASSWORD)],
                role: Annotated[str, Form(max_length=10)] = "viewer") -> RedirectResponse:
    assert admin is not None
    with request.app.state.hash_gate.slot():
        user = add_user(engine(request), name, password, role=role, actor=admin.name)  # type: ignore[arg-type]
    return _done(f"已创建 {user.name}")


@router.post("/admin/users/{name}/password")
def user_password(request: Request, name: str, admin: Admin,
                  password: Annotated[str, Form(max_length=MAX_PASSWORD)]) -> RedirectResponse:
    assert admin is not None
    with request.app.state.hash_gate.slot():
        ended = set_password(engine(request), name, password, actor=admin.name)
    return _done(f"已修改 {name} 的密码，结束其 {ended} 个会话")


@router.post("/admin/users/{name}/{action}")
def user_action(request: Request, name: str, action: str, admin: Admin) -> RedirectResponse:
    """disable, enable, or revoke (every session of the account)."""
    assert admin is not None
    if action == "disable":
        ended = set_active(engine(request), name, False, actor=admin.name)
        return _done(f"已停用 {name}，结束其 {ended} 个会话")
    if action == "enable":
        set_active(engine(request), name, True, actor=admin.name)
        return _done(f"已启用 {name}")
    if action == "revoke":
        return _done(f"已结束 {name} 的 {end_sessions(engine(request), name, actor=admin.name)} 个会话")
    raise HTTPException(404, "未知操作")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, _user: Viewer) -> HTMLResponse:
    with engine(request).connect() as conn:
        facets = request.app.state.facets.get(conn)
    return render(request, "dashboard.html", {"facets": facets})
