"""The JSON API behind every page (OpenAPI at /openapi.json, Swagger UI at /docs).

Authentication is the page's session cookie: ``POST /api/login`` with a JSON body starts one and
returns the CSRF token, which every POST then sends in ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..store.review import UserRecord, add_user, authenticate, correct, decide
from . import auth
from .data import cell_detail, correction_dict, report_bundle, report_meta
from .pages import list_query
from .queries import ListQuery, list_reports
from .source import SourceUnavailable, page_png
from .stats import CHARTS, Params

router = APIRouter(prefix="/api", dependencies=[Depends(auth.check_csrf)])
# login is the one POST without a token: there is no session yet. A JSON body cannot be sent by
# a cross-site form, which is what a token would otherwise guard against.
login_router = APIRouter(prefix="/api")

Viewer = Annotated[UserRecord | None, Depends(auth.viewer)]
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
Admin = Annotated[UserRecord | None, Depends(auth.admin)]


class Credentials(BaseModel):
    name: str
    password: str


class CorrectionIn(BaseModel):
    value: float | None = Field(description="the cell's true value; null: the cell is blank")
    reason: str


class ReviewIn(BaseModel):
    finding_key: str = Field(description="the finding's `key` from GET /api/reports/{id}")
    decision: Literal["confirmed", "dismissed"]
    reason: str


class UserIn(BaseModel):
    name: str
    password: str
    role: Literal["viewer", "reviewer", "admin"] = "viewer"


def _engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.store.engine


def _user_dict(user: UserRecord | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name, "role": user.role}


@login_router.post("/login", tags=["账号"])
def api_login(request: Request, credentials: Credentials) -> dict[str, Any]:
    """Start a session; the answer carries the CSRF token for later POSTs."""
    user = authenticate(_engine(request), credentials.name, credentials.password)
    if user is None:
        raise HTTPException(401, "用户名或密码错误")
    auth.login(request, user)
    return {"user": _user_dict(user), "csrf": auth.session(request).csrf}


@router.post("/logout", tags=["账号"])
def api_logout(request: Request) -> dict[str, Any]:
    auth.logout(request)
    return {"user": None}


@router.get("/me", tags=["账号"])
def me(request: Request) -> dict[str, Any]:
    return {"user": _user_dict(auth.current_user(request)), "csrf": auth.session(request).csrf,
            "anonymous_read": request.app.state.settings.anonymous_read}


@router.post("/users", tags=["账号"], status_code=201)
def create_user(request: Request, _admin: Admin, body: UserIn) -> dict[str, Any]:
    """Create an account (admin only)."""
    return _user_dict(add_user(_engine(request), body.name, body.password, role=body.role)) or {}


@router.get("/reports", tags=["报告"])
def api_reports(request: Request, _user: Viewer, query: Annotated[ListQuery, Depends(list_query)]
                ) -> dict[str, Any]:
    """A page of the report list. Pass ``next`` back as ``after`` for the following page."""
    with _engine(request).connect() as conn:
        page = list_reports(conn, query)
    return {"items": page.rows, "next": page.next_after, "count": page.count,
            "count_capped": page.count_capped}


@router.get("/facets", tags=["报告"])
def api_facets(request: Request, _user: Viewer) -> dict[str, Any]:
    """The values the list's filters offer (years, rules present, levels, templates)."""
    with _engine(request).connect() as conn:
        return request.app.state.facets.get(conn)


@router.get("/reports/{report_id}", tags=["报告"])
def api_report(request: Request, report_id: int, _user: Viewer) -> dict[str, Any]:
    """The report JSON (report-json.md) with corrections applied, findings with their review
    ``key`` and decision, and the audit trail."""
    with _engine(request).connect() as conn:
        return report_bundle(conn, report_id).to_dict()


@router.get("/reports/{report_id}/sections", tags=["报告"])
def api_sections(request: Request, report_id: int, _user: Viewer) -> dict[str, str]:
    with _engine(request).connect() as conn:
        report_meta(conn, report_id)  # 404 for an unknown report
        return request.app.state.sources.sections(conn, report_id)


@router.get("/reports/{report_id}/cells/{path}/source", tags=["报告"])
def api_cell_source(request: Request, report_id: int, path: str, _user: Viewer) -> dict[str, Any]:
    """One cell: value, status, its history, and the source around it (lines, table grid, PDF
    page and box; ``image`` is the page as PNG with the box drawn)."""
    with _engine(request).connect() as conn:
        detail = cell_detail(conn, report_id, path)
        source = request.app.state.sources.cell(conn, report_id, detail.cell.line, detail.cell.locator)
    data = source.to_dict()
    if source.page is not None:
        bbox = ",".join(str(v) for v in source.bbox or [])
        data["image"] = f"/api/reports/{report_id}/pages/{source.page}.png?bbox={bbox}"
    return {"path": path, "label": detail.label, "cell": detail.cell.to_dict(),
            "parsed": detail.parsed.to_dict() if detail.parsed else None,
            "history": [correction_dict(c) for c in detail.history], "source": data}


@router.get("/reports/{report_id}/pages/{page}.png", tags=["报告"], response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def api_page_image(request: Request, report_id: int, page: int, _user: Viewer,
                   bbox: Annotated[str | None, Query(description="x0,top,x1,bottom in PDF points")] = None
                   ) -> Response:
    """A page of a PDF source as PNG, with a box drawn (the cell's)."""
    box = None
    if bbox:
        try:
            box = [float(v) for v in bbox.split(",")]
        except ValueError:
            raise HTTPException(400, f"bbox 应为四个数：{bbox!r}") from None
        if len(box) != 4:
            raise HTTPException(400, f"bbox 应为四个数：{bbox!r}")
    with _engine(request).connect() as conn:
        report_meta(conn, report_id)
        data, _, document = request.app.state.sources.document(conn, report_id)
    if document.media_type != "application/pdf":
        raise SourceUnavailable("原文不是 PDF，没有页面图像")
    return Response(page_png(data, page, box), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


@router.post("/reports/{report_id}/cells/{path}/corrections", tags=["审核"], status_code=201)
def api_correct(request: Request, report_id: int, path: str, user: Reviewer, body: CorrectionIn
                ) -> dict[str, Any]:
    """Correct a cell (reviewer or admin). The previous value stays in the audit trail."""
    assert user is not None
    record = correct(_engine(request), report_id, path, body.value, author=user.name, reason=body.reason)
    request.app.state.stats_cache.clear()
    return correction_dict(record)


@router.post("/reports/{report_id}/reviews", tags=["审核"], status_code=201)
def api_review(request: Request, report_id: int, user: Reviewer, body: ReviewIn) -> dict[str, Any]:
    """Confirm or dismiss a finding (reviewer or admin)."""
    assert user is not None
    record = decide(_engine(request), report_id, body.finding_key, body.decision, author=user.name,
                    reason=body.reason)
    return {"id": record.id, "finding_key": record.finding_key, "decision": record.decision,
            "author": record.author, "reason": record.reason, "created_at": record.created_at.isoformat()}


@router.get("/stats/{name}", tags=["统计"])
def api_stats(request: Request, name: str, _user: Viewer, region: str | None = None, level: str | None = None,
              year: int | None = None, agency: str | None = None,
              format: Literal["json", "csv"] = "json") -> Any:
    """A dashboard figure as JSON (columns + rows) or CSV: counts_year, counts_region, counts_level,
    rules, outcomes, correction_rates, missing, agency (needs ``agency``), region."""
    if name not in CHARTS:
        raise HTTPException(404, f"没有名为 {name} 的统计图；可选：{'、'.join(CHARTS)}")
    params = Params(region or None, level or None, year, agency or None)
    with _engine(request).connect() as conn:
        figure = request.app.state.stats_cache.get(conn, name, params)
    if format == "csv":
        return Response(figure.to_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="gongkai-{name}.csv"'})
    return figure.to_dict()

