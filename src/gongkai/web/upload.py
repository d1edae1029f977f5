"""Upload: files or zip archives dropped in the browser are kept, parsed and stored, one result per
file (or zip member). A bad file gets its reason and never stops the others.

Uploads are written to ``Settings.upload_dir/<batch>/`` and ingested from there, so each
document's source path stays readable (ingest also keeps the bytes in ``blobs``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..store.review import UserRecord
from ..store.schema import Document, ReportRow, Source
from . import auth
from .pages import render

router = APIRouter()
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
CHUNK = 1024 * 1024


@dataclass(slots=True)
class UploadItem:
    name: str  # as uploaded (zip members: archive!/member)
    status: str  # parsed | stored_before | failed | refused
    message: str
    report_id: int | None = None
    agency: str | None = None
    year: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message,
                "report_id": self.report_id, "agency": self.agency, "year": self.year}


def _safe_name(name: str | None, index: int) -> str:
    """The file's own name without any folder part (a name like ``../../x`` must not escape)."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f]", "", base).strip(". ")
    return base[:200] or f"upload-{index}"


async def _save(upload: UploadFile, target: Path, limit: int) -> str | None:
    """Write the upload; the reason it was refused, or None."""
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        target.unlink(missing_ok=True)
        return f"文件超过 {limit // 2**20} MB 上限，未处理"
    if written == 0:
        target.unlink(missing_ok=True)
        return "空文件，未处理"
    return None


_FAILURE_ZH = {"no statistics table": "未找到年报的统计表（不是政府信息公开年报，或表格无法识别）"}


def _explain(reason: str) -> str:
    for start, chinese in _FAILURE_ZH.items():
        if reason.startswith(start):
            return f"{chinese}（{reason}）"
    return reason


def _results(request: Request, folder: Path, started: datetime, shown: dict[str, str]) -> list[UploadItem]:
    """One item per stored source under the batch folder, with the document's outcome."""
    prefix = str(folder) + "/"
    query = (select(Source.path, Document.id, Document.status, Document.error, Document.ingested_at,
                    ReportRow.agency, ReportRow.year)
             .join(Document, Document.id == Source.document_id)
             .join(ReportRow, ReportRow.document_id == Document.id, isouter=True)
             .where(Source.path >= prefix, Source.path < prefix + "\uffff").order_by(Source.path))
    with request.app.state.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    items: list[UploadItem] = []
    for path, doc_id, status, error, ingested_at, agency, year in rows:
        relative = path[len(prefix):]
        file, _, member = relative.partition("!/")
        name = shown.get(file, file) + (f"!/{member}" if member else "")
        if status == "failed":
            items.append(UploadItem(name, "failed", _explain(error or "无法解析")))
        elif ingested_at < started:
            items.append(UploadItem(name, "stored_before", "此前已入库（内容相同）", doc_id, agency, year))
        else:
            items.append(UploadItem(name, "parsed", "已解析入库", doc_id, agency, year))
    return items


async def handle_upload(request: Request) -> list[UploadItem]:
    settings = request.app.state.settings
    limit, max_files = settings.max_upload_bytes, settings.max_upload_files
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit * max_files:
        raise HTTPException(413, f"上传总量超过上限（每个文件 {limit // 2**20} MB，最多 {max_files} 个）")
    # parse the body with limits before anything reads it (the CSRF check then reuses it)
    try:
        form = await request.form(max_files=max_files, max_fields=20)
    except HTTPException:
        raise
    except Exception as error:  # a malformed multipart body
        raise HTTPException(400, f"上传内容无法读取：{error}") from None
    await auth.check_csrf(request)
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not uploads:
        raise HTTPException(400, "请选择要上传的文件（字段名 files）")
    started = datetime.now(UTC).replace(tzinfo=None)
    folder = (settings.upload_dir / f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(4)}").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    refused: list[UploadItem] = []
    saved: list[Path] = []
    shown: dict[str, str] = {}
    for index, upload in enumerate(uploads):
        name = _safe_name(upload.filename, index)
        while name in shown:  # two uploads of one name must not overwrite each other
            name = f"{index}-{name}"
        shown[name] = upload.filename or name
        target = folder / name
        reason = await _save(upload, target, limit)
        if reason:
            refused.append(UploadItem(upload.filename or name, "refused", reason))
        else:
            saved.append(target)
    if saved:
        await run_in_threadpool(request.app.state.store.ingest, saved, workers=1)
        request.app.state.facets.clear()
        request.app.state.stats_cache.clear()
    return refused + _results(request, folder, started, shown)


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_page(request: Request, _user: Reviewer) -> HTMLResponse:
    settings = request.app.state.settings
    return render(request, "upload.html", {"items": None, "limit_mb": settings.max_upload_bytes // 2**20,
                                           "max_files": settings.max_upload_files})


@router.post("/upload", response_class=HTMLResponse, include_in_schema=False)
async def upload_form(request: Request, _user: Reviewer) -> HTMLResponse:
    items = await handle_upload(request)
    settings = request.app.state.settings
    return render(request, "upload.html", {"items": items, "limit_mb": settings.max_upload_bytes // 2**20,
                                           "max_files": settings.max_upload_files})


@router.post("/api/upload", tags=["上传"])
async def api_upload(request: Request, _user: Reviewer) -> dict[str, Any]:
    """Upload report files or zip archives (multipart field ``files``, repeated; CSRF token in
    ``X-CSRF-Token``). One result per file or zip member: parsed, stored_before, failed, refused."""
    items = await handle_upload(request)
    return {"items": [item.to_dict() for item in items]}
