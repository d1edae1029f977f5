"""Upload: files or zip archives dropped in the browser are kept, then parsed and stored by a
background worker, one result per file (or zip member). A bad file gets its reason and never
stops the others.

Why a background worker: a 0.8 MB zip of 300 members once held a request (and a server thread)
for 136 s. Now the request only checks the account and the CSRF token (before reading the body),
saves the files and answers at once with a job; one worker thread per server parses the jobs in
order, in a parser *process* (memory-limited, it dies with the server) so that a hostile file
cannot take the server down, and the page shows its progress. Jobs are kept in the database (the
last :data:`MAX_JOBS_KEPT`), so that any process of the server shows any job's progress.

Uploads are written to ``Settings.upload_dir/<batch>/`` and ingested from there, so each
document's source path stays readable (ingest also keeps the bytes in ``blobs``).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import delete, func, insert, select, update
from starlette.datastructures import UploadFile

from ..store import Store
from ..store.review import UserRecord
from ..store.schema import Document, ReportRow, Source, UploadJobRow
from ..store.transactions import writing
from . import auth
from .pages import render
from .words import current_lang, web

log = logging.getLogger("gongkai.web")
router = APIRouter()
Reviewer = Annotated[UserRecord | None, Depends(auth.reviewer)]
CHUNK = 1024 * 1024
MAX_JOBS_KEPT = 200
MAX_QUEUED = 20
UPLOAD_WORKER_MEMORY = 2 * 1024**3  # address space of the parser process
PROGRESS_SECONDS = 0.5  # progress is written to the database at most this often


@dataclass(slots=True)
class UploadItem:
    name: str  # as uploaded (zip members: archive!/member)
    status: str  # parsed | stored_before | failed | refused
    message: str  # Chinese
    report_id: int | None = None
    agency: str | None = None
    year: int | None = None
    message_en: str = ""  # the same in English (jobs kept from before it existed have none)

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return self.message_en if lang == "en" and self.message_en else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message,
                "message_en": self.message_en or self.message, "report_id": self.report_id,
                "agency": self.agency, "year": self.year}


@dataclass(slots=True)
class UploadJob:
    """One upload: its files saved, then parsed by the worker. ``state``: queued, running, done or
    failed (the worker itself failed; ``error`` says why)."""

    id: str
    owner: int
    folder: Path
    started: datetime
    shown: dict[str, str]
    saved: list[Path]
    refused: list[UploadItem]
    state: str = "queued"
    done: int = 0
    total: int = 0
    items: list[UploadItem] = field(default_factory=list)
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.id, "state": self.state, "done": self.done, "total": self.total,
                "error": self.error, "items": [item.to_dict() for item in self.items],
                "url": f"/api/upload/{self.id}"}


# kept in Chinese in the database (the API's ``error``); pages show it in their language
ORPHANED = web("upload.orphaned", "zh")


def _said(key: str, **values: object) -> tuple[str, str]:
    """A message of the catalogue in both languages: (Chinese, English)."""
    return web(key, "zh", **values), web(key, "en", **values)


def _item(data: dict[str, Any]) -> UploadItem:
    return UploadItem(data["name"], data["status"], data["message"], data.get("report_id"),
                      data.get("agency"), data.get("year"), data.get("message_en") or "")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class UploadQueue:
    """The upload jobs, kept in the database (``upload_jobs``) so that every process of the server
    (``gongkai serve --workers N``) shows the same job; the process that received an upload
    parses it in its worker thread, one job at a time. At most ``max_queued`` jobs wait or run
    at once over all processes; the newest ``kept`` finished jobs are kept."""

    def __init__(self, store: Store, *, max_queued: int = MAX_QUEUED, kept: int = MAX_JOBS_KEPT,
                 worker_memory: int = UPLOAD_WORKER_MEMORY) -> None:
        self.store = store
        self.max_queued = max_queued
        self.kept = kept
        self.worker_memory = worker_memory
        self.worker = f"{socket.gethostname()[:60]}:{os.getpid()}"
        self._queue: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.on_done: list[Any] = []  # callables run after each job (cache invalidation)
        self._fail_orphans()

    def _fail_orphans(self) -> None:
        """Jobs of a process of this host that is gone (killed, restarted) will never finish:
        say so instead of showing them queued for ever."""
        host = self.worker.rsplit(":", 1)[0]
        with writing(self.store.engine) as conn:
            rows = conn.execute(select(UploadJobRow.id, UploadJobRow.worker).where(
                UploadJobRow.state.in_(("queued", "running")))).all()
            for job_id, worker in rows:
                name, _, pid = worker.rpartition(":")
                if name == host and pid.isdecimal() and not _alive(int(pid)):
                    conn.execute(update(UploadJobRow).where(UploadJobRow.id == job_id)
                                 .values(state="failed", error=ORPHANED))

    def submit(self, job: UploadJob) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="gongkai-uploads", daemon=True)
                self._thread.start()
        with writing(self.store.engine) as conn:
            waiting = conn.execute(select(func.count()).select_from(UploadJobRow).where(
                UploadJobRow.state.in_(("queued", "running")))).scalar_one()
            if waiting >= self.max_queued:
                raise HTTPException(503, web("upload.queue_full", current_lang.get()),
                                    headers={"Retry-After": "30"})
            conn.execute(insert(UploadJobRow).values(
                id=job.id, owner=job.owner, folder=str(job.folder), state=job.state, done=job.done,
                total=job.total, error=job.error, detail=self._detail(job), worker=self.worker,
                started=job.started))
            # the newest `kept` finished jobs stay; their results are in the database anyway
            old = conn.execute(select(UploadJobRow.id).where(UploadJobRow.state.in_(("done", "failed")))
                               .order_by(UploadJobRow.started.desc()).offset(self.kept)).scalars().all()
            if old:
                conn.execute(delete(UploadJobRow).where(UploadJobRow.id.in_(old)))
        self._queue.put(job.id)

    @staticmethod
    def _detail(job: UploadJob) -> str:
        return json.dumps({"shown": job.shown, "saved": [str(p) for p in job.saved],
                           "refused": [i.to_dict() for i in job.refused],
                           "items": [i.to_dict() for i in job.items]}, ensure_ascii=False)

    def get(self, job_id: str) -> UploadJob | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(*UploadJobRow.__table__.columns)
                               .where(UploadJobRow.id == job_id)).first()
        if row is None:
            return None
        detail = json.loads(row.detail)
        return UploadJob(row.id, row.owner, Path(row.folder), row.started, detail["shown"],
                         [Path(p) for p in detail["saved"]], [_item(i) for i in detail["refused"]],
                         row.state, row.done, row.total, [_item(i) for i in detail["items"]], row.error)

    def _save(self, job: UploadJob) -> None:
        with writing(self.store.engine) as conn:
            conn.execute(update(UploadJobRow).where(UploadJobRow.id == job.id).values(
                state=job.state, done=job.done, total=job.total, error=job.error, detail=self._detail(job)))

    def wait(self, job: UploadJob, timeout: float) -> bool:
        """Block until the job is finished (tests, scripts); whether it is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.get(job.id)
            if current is None or current.finished:
                return current is not None
            time.sleep(0.05)
        return False

    def _work(self) -> None:
        while True:
            job = self.get(self._queue.get())
            if job is None or job.state != "queued":
                continue
            job.state = "running"
            try:
                self._save(job)
                self._run(job)
                job.items = job.refused + _results(self.store, job.folder, job.started, job.shown)
                job.done = job.total = max(job.total, len(job.items))
                job.state = "done"
            except Exception:  # the worker goes on with the next job; the reason is logged
                log.exception("upload %s failed", job.id)
                job.error = web("upload.job_failed", "zh")  # stored in Chinese, shown in the page's language
                job.items = job.refused
                job.state = "failed"
            try:
                self._save(job)
            except Exception:
                log.exception("upload %s: its state could not be saved", job.id)
            for callback in self.on_done:
                callback()

    def _run(self, job: UploadJob) -> None:
        """Ingest the saved files in a parser process of its own (memory-limited, dying with the
        server), counting progress."""
        from .. import report as report_module
        from ..store.ingest import _LocalParser, ensure_paths, ingest, template_paths

        if not job.saved:
            return
        store = self.store
        if not store._path_ids:
            with store._begin() as conn:
                ensure_paths(conn, template_paths(), store._path_ids)

        written = [0.0]

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if time.monotonic() - written[0] >= PROGRESS_SECONDS:  # the page polls once a second
                written[0] = time.monotonic()
                self._save(job)

        parser = _LocalParser(1, True, isolate=True, memory_bytes=self.worker_memory)
        ingest(store.engine, job.saved, workers=1, batch_size=20, path_ids=store._path_ids,
               begin=store._begin, version=report_module.PARSER_VERSION, parser=parser, on_progress=progress)


def _safe_name(name: str | None, index: int) -> str:
    """The file's own name without any folder part (a name like ``../../x`` must not escape)."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f]", "", base).strip(". ")
    return base[:200] or f"upload-{index}"


def _shown_name(name: str | None, index: int) -> str:
    return re.sub(r"[\x00-\x1f]", "", name or "")[:300] or f"upload-{index}"


async def _save(upload: UploadFile, target: Path, limit: int) -> tuple[str, str] | None:
    """Write the upload; the reason it was refused (Chinese, English), or None."""
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        target.unlink(missing_ok=True)
        return _said("upload.too_large", mb=limit // 2**20)
    if written == 0:
        target.unlink(missing_ok=True)
        return _said("upload.empty")
    return None


# the start of a parser's failure → its words in the catalogue; the first two keep no detail
_FAILURES = {"internal error": "upload.internal", "unreadable": "upload.unreadable",
             "no statistics table": "upload.no_table", "the parser process crashed": "upload.crashed"}
_PATHS = re.compile(r"(/[^\s'\"]+)+")  # any other absolute path


def _explain(reason: str, folder: Path) -> tuple[str, str]:
    """The failure in Chinese and in English, without the server's paths or Python's reprs."""
    from ..messages import reason as in_chinese  # a reader's English reason, said in Chinese

    reason = reason.replace(str(folder) + "/", "").replace(str(folder), "")
    for start, key in _FAILURES.items():
        if reason.startswith(start):
            if start in ("internal error", "unreadable"):
                return _said(key)
            return f"{web(key, 'zh')}（{reason}）", _PATHS.sub("…", reason)
    return _PATHS.sub("…", in_chinese(reason, "zh")), _PATHS.sub("…", in_chinese(reason, "en"))


def _results(store: Store, folder: Path, started: datetime, shown: dict[str, str]) -> list[UploadItem]:
    """One item per stored source under the batch folder, with the document's outcome."""
    prefix = str(folder) + "/"
    query = (select(Source.path, Document.id, Document.status, Document.error, Document.ingested_at,
                    ReportRow.agency, ReportRow.year)
             .join(Document, Document.id == Source.document_id)
             .join(ReportRow, ReportRow.document_id == Document.id, isouter=True)
             .where(Source.path >= prefix, Source.path < prefix + "\uffff").order_by(Source.path))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    items: list[UploadItem] = []
    for path, doc_id, status, error, ingested_at, agency, year in rows:
        relative = path[len(prefix):]
        file, _, member = relative.partition("!/")
        name = shown.get(file, file) + (f"!/{member}" if member else "")
        if status == "failed":
            zh, en = _explain(error, folder) if error else _said("upload.unparsed")
            items.append(UploadItem(name, "failed", zh, message_en=en))
        elif ingested_at < started:
            zh, en = _said("upload.was_stored")
            items.append(UploadItem(name, "stored_before", zh, doc_id, agency, year, en))
        else:
            zh, en = _said("upload.stored")
            items.append(UploadItem(name, "parsed", zh, doc_id, agency, year, en))
    return items


async def start_upload(request: Request, user: UserRecord) -> UploadJob:
    """Read the multipart body (the account and the CSRF token were checked before; its size is
    capped while it streams, :mod:`gongkai.web.limits`), save the files and queue the job."""
    settings = request.app.state.settings
    limit, max_files = settings.max_upload_bytes, settings.max_upload_files
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, web("upload.not_multipart", current_lang.get()))
    try:
        form = await request.form(max_files=max_files, max_fields=20)
    except HTTPException:
        raise
    except Exception:  # a malformed multipart body
        raise HTTPException(400, web("upload.bad_multipart", current_lang.get())) from None
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            raise HTTPException(400, web("upload.no_files", current_lang.get()))
        started = datetime.now(UTC).replace(tzinfo=None)
        job_id = secrets.token_hex(8)
        folder = (settings.upload_dir / f"{started:%Y%m%d-%H%M%S}-{job_id}").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        refused: list[UploadItem] = []
        saved: list[Path] = []
        shown: dict[str, str] = {}
        for index, upload in enumerate(uploads):
            name = _safe_name(upload.filename, index)
            while name in shown:  # two uploads of one name must not overwrite each other
                name = f"{index}-{name}"
            shown[name] = _shown_name(upload.filename, index)
            reason = await _save(upload, folder / name, limit)
            if reason:
                refused.append(UploadItem(shown[name], "refused", reason[0], message_en=reason[1]))
            else:
                saved.append(folder / name)
    finally:
        await form.close()
    job = UploadJob(job_id, user.id, folder, started, shown, saved, refused, total=len(saved))
    request.app.state.uploads.submit(job)
    return job


def _job(request: Request, user: UserRecord, job_id: str) -> UploadJob:
    job = request.app.state.uploads.get(job_id) if re.fullmatch(r"[0-9a-f]{16}", job_id) else None
    if job is None or (job.owner != user.id and user.role != "admin"):
        raise HTTPException(404, web("upload.no_job", current_lang.get()))
    return job


def _page(request: Request, job: UploadJob | None) -> HTMLResponse:
    settings = request.app.state.settings
    return render(request, "upload.html", {"job": job, "limit_mb": settings.max_upload_bytes // 2**20,
                                           "max_files": settings.max_upload_files})


@router.get("/upload", response_class=HTMLResponse, include_in_schema=False)
def upload_page(request: Request, _user: Reviewer) -> HTMLResponse:
    return _page(request, None)


@router.post("/upload", include_in_schema=False, dependencies=[Depends(auth.check_csrf_unread)])
async def upload_form(request: Request, user: Reviewer) -> RedirectResponse:
    assert user is not None
    job = await start_upload(request, user)
    return RedirectResponse(f"/upload/{job.id}", status_code=303)


@router.get("/upload/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def upload_job_page(request: Request, job_id: str, user: Reviewer) -> HTMLResponse:
    assert user is not None
    return _page(request, _job(request, user, job_id))


@router.get("/upload/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def upload_progress(request: Request, job_id: str, user: Reviewer) -> HTMLResponse:
    """The results block, polled by the page (htmx) until the job is finished."""
    assert user is not None
    return render(request, "_upload_job.html", {"job": _job(request, user, job_id)})


@router.post("/api/upload", tags=["上传"], status_code=202, dependencies=[Depends(auth.check_csrf_unread)])
async def api_upload(request: Request, user: Reviewer) -> dict[str, Any]:
    """Upload report files or zip archives (multipart field ``files``, repeated; CSRF token in
    ``X-CSRF-Token``). Answers at once with the job; ``GET url`` until ``state`` is ``done``:
    then one result per file or zip member: parsed, stored_before, failed, refused."""
    assert user is not None
    return (await start_upload(request, user)).to_dict()


@router.get("/api/upload/{job_id}", tags=["上传"])
def api_upload_job(request: Request, job_id: str, user: Reviewer) -> dict[str, Any]:
    """An upload's progress (``done`` of ``total`` documents) and, once done, its results."""
    assert user is not None
    return _job(request, user, job_id).to_dict()
