"""The JSON API behind every page (OpenAPI at /openapi.json, Swagger UI at /docs).

Authentication is the page's session cookie: ``POST /api/login`` with a JSON body starts one and
returns the CSRF token, which every POST then sends in ``X-CSRF-Token``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..store.review import MAX_PASSWORD, MAX_REASON, UserRecord, correct, decide, set_password
from . import auth
from .accounts import account_action, account_rows, create_account, reset_password
from .auditlog import AuditQuery, audit_page
from .connection import reading
from .data import PageNumber, ReportId, cell_detail, correction_dict, report_bundle, report_meta, shown_path
from .listing import export_csv, export_name, export_workbook, row_extras
from .pages import XLSX, audit_query, dashboard_params, download, list_query
from .queries import ListQuery, list_reports
from .stats import CHARTS, Params, search_agencies
from .timefmt import iso
from .words import current_lang

router = APIRouter(prefix="/api", dependencies=[Depends(auth.check_csrf)])
# login is the one POST without a token: there is no session yet. A JSON body cannot be sent by
# a cross-site form, which is what a token would otherwise guard against.
login_router = APIRouter(prefix="/api")

Viewer = Annotated[UserRecord | None, Depends(auth.viewer)]
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
Admin = Annotated[UserRecord | None, Depends(auth.admin)]


class Credentials(BaseModel):
    name: str = Field(max_length=100)
    password: str = Field(max_length=MAX_PASSWORD)


class CorrectionIn(BaseModel):
    value: float | None = Field(description="the cell's true value; null: the cell is blank")
    reason: str = Field(max_length=MAX_REASON * 2)


class ReviewIn(BaseModel):
    finding_key: str = Field(description="the finding's `key` from GET /api/reports/{id}", max_length=4000)
    decision: Literal["confirmed", "dismissed"]
    reason: str = Field(max_length=MAX_REASON * 2)


class UserIn(BaseModel):
    name: str = Field(max_length=100)
    password: str = Field(max_length=MAX_PASSWORD)
    role: Literal["viewer", "reviewer", "admin"] = "viewer"


class PasswordIn(BaseModel):
    password: str = Field(max_length=MAX_PASSWORD, description="the new password (8 characters or more)")


class OwnPasswordIn(BaseModel):
    current: str = Field(max_length=MAX_PASSWORD)
    password: str = Field(max_length=MAX_PASSWORD)


def _engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.store.engine


def _user_dict(user: UserRecord | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name, "role": user.role}


@login_router.post("/login", tags=["账号"], responses={429: {"description": "too many failed logins"}})
async def api_login(request: Request, credentials: Credentials) -> dict[str, Any]:
    """Start a session; the answer carries the CSRF token for later POSTs. Failed logins are
    throttled per account and per address (429 with ``Retry-After``)."""
    user = await auth.attempt_login(request, credentials.name, credentials.password)
    if user is None:
        raise HTTPException(401, "用户名或密码错误")
    return {"user": _user_dict(user), "csrf": auth.session(request).csrf}


@router.post("/logout", tags=["账号"])
def api_logout(request: Request) -> dict[str, Any]:
    """End the session on the server: its cookie is refused from now on."""
    auth.logout(request)
    return {"user": None}


@router.post("/me/password", tags=["账号"])
async def api_own_password(request: Request, user: Viewer, body: OwnPasswordIn) -> dict[str, Any]:
    """Change one's own password (the current one is asked again); every session of the account
    ends, and this one starts afresh."""
    if user is None:
        raise auth.LoginRequired()
    if await auth.attempt_login(request, user.name, body.current) is None:
        raise HTTPException(403, "当前密码不正确")
    async with request.app.state.hash_gate.slot_async():
        ended = await run_in_threadpool(set_password, _engine(request), user.name, body.password,
                                        actor=user.name)
    await run_in_threadpool(auth.login, request, user)
    return {"sessions_revoked": ended, "csrf": auth.session(request).csrf}


@router.get("/users", tags=["账号"])
def list_users(request: Request, _admin: Admin) -> dict[str, Any]:
    """Every account with its live sessions (admin only)."""
    return {"items": account_rows(_engine(request))}


@router.post("/users/{name}/password", tags=["账号"])
def user_password(request: Request, name: str, admin: Admin, body: PasswordIn) -> dict[str, Any]:
    """Set an account's password (admin only); its sessions end."""
    assert admin is not None
    return {"sessions_revoked": reset_password(request, admin, name, body.password)}


@router.post("/users/{name}/disable", tags=["账号"])
def user_disable(request: Request, name: str, admin: Admin) -> dict[str, Any]:
    """Disable an account (admin only); its sessions end at once."""
    assert admin is not None
    return {"sessions_revoked": account_action(request, admin, name, "disable")}


@router.post("/users/{name}/enable", tags=["账号"])
def user_enable(request: Request, name: str, admin: Admin) -> dict[str, Any]:
    assert admin is not None
    account_action(request, admin, name, "enable")
    return {"active": True}


@router.post("/users/{name}/sessions/revoke", tags=["账号"])
def user_revoke(request: Request, name: str, admin: Admin) -> dict[str, Any]:
    """End every session of an account (admin only)."""
    assert admin is not None
    return {"sessions_revoked": account_action(request, admin, name, "revoke")}


@router.get("/me", tags=["账号"])
def me(request: Request) -> dict[str, Any]:
    return {"user": _user_dict(auth.current_user(request)), "csrf": auth.session(request).csrf,
            "anonymous_read": request.app.state.settings.anonymous_read}


@router.post("/users", tags=["账号"], status_code=201)
def create_user(request: Request, admin: Admin, body: UserIn) -> dict[str, Any]:
    """Create an account (admin only)."""
    assert admin is not None
    return _user_dict(create_account(request, admin, body.name, body.password, body.role)) or {}


@router.get("/reports", tags=["报告"])
def api_reports(request: Request, user: Viewer, query: Annotated[ListQuery, Depends(list_query)]
                ) -> dict[str, Any]:
    """A page of the report list. Pass ``next`` back as ``after`` for the following page."""
    with reading(request) as conn:
        page = list_reports(conn, query)
        extras = row_extras(conn, page, anonymous=user is None)
    rows = page.rows if user is not None else [{**r, "source": shown_path(r["source"])} for r in page.rows]
    rows = [{**r, **(extras[r["document_id"]].to_dict() if r["document_id"] in extras else {})} for r in rows]
    return {"items": rows, "next": page.next_after, "count": page.count,
            "count_capped": page.count_capped}


@router.get("/reports.{format}", tags=["报告"], response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def api_reports_export(request: Request, user: Viewer, query: Annotated[ListQuery, Depends(list_query)],
                       format: Literal["csv", "xlsx"]) -> Response:
    """The filtered list (the same filters as ``GET /api/reports``) as CSV (UTF-8 with BOM,
    Chinese headers) or as the supervisor's workbook (XLSX: summary of every roster unit, findings,
    panel, codebook, each report in the official layout); at most 10,000 reports as CSV, 300 as a
    workbook (413 beyond: narrow the filters or use ``gongkai export``)."""
    if format == "csv":
        data = export_csv(_engine(request), query, anonymous=user is None, lang=current_lang.get())
        return download(data, export_name(query, "csv"), "text/csv; charset=utf-8")
    data = export_workbook(_engine(request), query, anonymous=user is None, lang=current_lang.get())
    return download(data, export_name(query, "xlsx"), XLSX)


@router.get("/audit", tags=["审核"])
def api_audit(request: Request, user: Reviewer, query: Annotated[AuditQuery, Depends(audit_query)]
              ) -> dict[str, Any]:
    """The audit log (reviewers and admins), newest first: corrections, reviews, re-parses and —
    for admins — account and session changes. Filters: ``user`` (who acted), ``report``, ``since``
    and ``until`` (days in Asia/Shanghai, both included), ``action`` (correction, review, reparse,
    account). Pass ``next`` back as ``after`` for the following page."""
    assert user is not None
    with reading(request) as conn:
        page = audit_page(conn, query, with_accounts=user.role == "admin")
    items = [{"source": {"e": "audit_events", "c": "corrections", "r": "reviews"}[r["src"]], "id": r["id"],
              "at": iso(r["at"]), "actor": r["actor"], "action": r["action"], "report_id": r["report_id"],
              "agency": r["agency"], "year": r["year"], "subject": r["subject"],
              "description": r["description"], "reason": r["reason"]} for r in page.rows]
    return {"items": items, "next": page.next_after, "actors": page.actors}


@router.get("/agencies", tags=["统计"])
def api_agencies(request: Request, _user: Viewer, params: Annotated[Params, Depends(dashboard_params)],
                 q: Annotated[str, Query(max_length=100)] = "") -> dict[str, Any]:
    """Agencies whose name or key contains ``q`` (within ``region`` and ``level``), most reports
    first: pass one's ``key`` as ``agency`` to ``/api/stats/agency``."""
    with reading(request) as conn:
        return {"items": search_agencies(conn, params, q)}


@router.get("/facets", tags=["报告"])
def api_facets(request: Request, _user: Viewer) -> dict[str, Any]:
    """The values the list's filters offer (years, rules present, levels, templates)."""
    with reading(request) as conn:
        # another process may have written since (the token as read with the session, if it was)
        request.app.state.generation.check(conn, read=auth.generation_read(request))
        return request.app.state.facets.get(conn)


@router.get("/reports/{report_id}", tags=["报告"])
def api_report(request: Request, report_id: ReportId, user: Viewer) -> dict[str, Any]:
    """The report JSON (report-json.md) with corrections applied, findings with their review
    ``key`` and decision, and the audit trail (reviewers' names only for those logged in)."""
    with reading(request) as conn:
        return report_bundle(conn, report_id).to_dict(anonymous=user is None)


@router.get("/reports/{report_id}/sections", tags=["报告"])
def api_sections(request: Request, report_id: ReportId, _user: Viewer) -> dict[str, str]:
    with reading(request) as conn:
        report_meta(conn, report_id)  # 404 for an unknown report
        return request.app.state.sources.sections(conn, report_id)


@router.get("/reports/{report_id}/cells/{path}/source", tags=["报告"])
def api_cell_source(request: Request, report_id: ReportId, path: str, user: Viewer) -> dict[str, Any]:
    """One cell: value, status, its history, and the source around it (lines, table grid, PDF
    page and box; ``image`` is the page as PNG with the box drawn)."""
    with reading(request) as conn:
        detail = cell_detail(conn, report_id, path)
        source = request.app.state.sources.cell(conn, report_id, detail.cell.line, detail.cell.locator)
    data = source.to_dict()
    if source.page is not None:
        bbox = ",".join(str(v) for v in source.bbox or [])
        data["image"] = f"/api/reports/{report_id}/pages/{source.page}.png?bbox={bbox}"
    return {"path": path, "label": detail.label, "cell": detail.cell.to_dict(),
            "parsed": detail.parsed.to_dict() if detail.parsed else None,
            "history": [correction_dict(c, user is None) for c in detail.history], "source": data}


@router.get("/reports/{report_id}/pages/{page}.png", tags=["报告"], response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def api_page_image(request: Request, report_id: ReportId, page: PageNumber, _user: Viewer,
                   bbox: Annotated[str | None, Query(description="x0,top,x1,bottom in PDF points",
                                                     max_length=200)] = None
                   ) -> Response:
    """A page of a PDF source as PNG, with a box drawn (the cell's); large pages are drawn
    smaller (at most 4 million pixels)."""
    box = None
    if bbox:
        try:
            box = [round(float(v), 2) for v in bbox.split(",")]
        except ValueError:
            raise HTTPException(400, "bbox 应为四个数（x0,top,x1,bottom）") from None
        if len(box) != 4 or not all(math.isfinite(v) and abs(v) <= 1e5 for v in box):
            raise HTTPException(400, "bbox 应为四个数（x0,top,x1,bottom）")
    with reading(request) as conn:
        report_meta(conn, report_id)
        png = request.app.state.sources.page(conn, report_id, page, box)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/reports/{report_id}/cells/{path}/corrections", tags=["审核"], status_code=201)
def api_correct(request: Request, report_id: ReportId, path: str, user: Reviewer, body: CorrectionIn
                ) -> dict[str, Any]:
    """Correct a cell (reviewer or admin). The previous value stays in the audit trail."""
    assert user is not None
    record = correct(_engine(request), report_id, path, body.value, author=user.name, reason=body.reason)
    request.app.state.generation.bump()  # this process's caches and every other's
    return correction_dict(record)


@router.post("/reports/{report_id}/reviews", tags=["审核"], status_code=201)
def api_review(request: Request, report_id: ReportId, user: Reviewer, body: ReviewIn) -> dict[str, Any]:
    """Confirm or dismiss a finding (reviewer or admin)."""
    assert user is not None
    record = decide(_engine(request), report_id, body.finding_key, body.decision, author=user.name,
                    reason=body.reason)
    return {"id": record.id, "finding_key": record.finding_key, "decision": record.decision,
            "author": record.author, "reason": record.reason, "created_at": iso(record.created_at)}


@router.get("/stats/{name}", tags=["统计"])
def api_stats(request: Request, name: str, _user: Viewer,
              region: Annotated[str | None, Query(max_length=100)] = None,
              level: Annotated[str | None, Query(max_length=10)] = None,
              year: Annotated[int | None, Query(ge=1900, le=9999)] = None,
              agency: Annotated[str | None, Query(max_length=200)] = None,
              format: Literal["json", "csv"] = "json") -> Any:
    """A dashboard figure as JSON (columns + rows) or CSV: counts_year, counts_region, counts_level,
    rules, outcomes, correction_rates, missing (every roster unit and every unit with a report ×
    years: files per year, 0 = missing), agency (needs ``agency``, see ``/api/agencies``), region."""
    if name not in CHARTS:
        raise HTTPException(404, f"没有名为 {name} 的统计图；可选：{'、'.join(CHARTS)}")
    params = Params(region or None, level or None, year, agency or None)
    with reading(request) as conn:
        # another process may have written since (the token as read with the session, if it was)
        request.app.state.generation.check(conn, read=auth.generation_read(request))
        figure = request.app.state.stats_cache.get(conn, name, params)
    if format == "csv":
        return Response(figure.to_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="gongkai-{name}.csv"'})
    return figure.to_dict()

