"""Ingest: walk folders and zip files, parse in worker processes, write in batched transactions.

Why it is safe to kill and to run twice:

* a document is keyed by the sha256 of its bytes; what is already stored is skipped;
* each batch (document rows, reports, cells, findings, sources) is written in ONE transaction, so a
  ``kill -9`` loses at most the batch in flight, which the next run parses again: nothing is lost
  and nothing doubled;
* document rows are inserted with ``ON CONFLICT (sha256) DO NOTHING`` and tagged with the
  batch's token, so two ingests into the same database at once each write only the documents
  they inserted themselves.

Parsing is a pure function of the bytes, so workers get bytes and return plain tuples; only the
main process touches the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, text, update

from ..readers import MAX_FILE_BYTES, sniff
from ..template import TEMPLATE, Layout
from .schema import Cell, CellPath, Document, FindingRow, ReportRow

# Zip-bomb guards: refuse a member by its declared size and compression ratio before reading it,
# and never read more than the declared size (a lying header cannot inflate past it).
MAX_ZIP_RATIO = 100
ZIP_RATIO_FREE_BYTES = 1024 * 1024  # small members may compress as well as they like
MAX_ZIP_TOTAL = 4 * 1024**3  # declared bytes expanded from one archive

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "text": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "ole": "application/x-ole-storage",
    "image": "image/*",
}

# the four cells ``reports`` copies for ``stats`` (see schema.py)
STAT_CELLS = {"received": "applications.new_received.total", "granted": "applications.granted.total",
              "partly_granted": "applications.partly_granted.total",
              "results_total": "applications.total.total"}

# ------------------------------------------------------------------------------ agency key
_CITY_PREFIX = re.compile(r"^(?:.{2,7}?(?:省|自治区))?.{2,7}?市(?=.{1,6}?(?:区|县|市|旗)(?:人民政府)?$)")


def agency_key(agency: str | None) -> str | None:
    """A conservative key to match one agency across years (a stopgap until normalisation).

    Removes whitespace and a trailing 人民政府, then a leading province/city name only when what
    follows is itself a whole district, county or county-level city (淮安市洪泽区人民政府 and
    洪泽区人民政府 → 洪泽区; 淮安市人民政府 → 淮安市; 淮安市财政局 stays whole, because 财政局 alone
    would match every city's). Known limit: two cities' districts of the same name (鼓楼区) share
    a key.
    """
    if not agency:
        return None
    key = re.sub(r"\s+", "", agency)
    key = _CITY_PREFIX.sub("", key)
    key = re.sub(r"人民政府$", "", key)
    return key or None


# ------------------------------------------------------------------------------ walking
@dataclass(slots=True)
class Item:
    """One thing to ingest: a file, or a member of a zip file (``member`` set)."""

    path: str  # shown and stored: the file path, or "archive.zip!/member"
    file: Path
    member: str | None = None
    size: int = 0
    refused: str | None = None  # why it is not read at all (zip bomb, too big, unreadable)


def _is_archive(path: Path) -> bool:
    """A zip that is not itself a document (DOCX/XLSX are zips too)."""
    try:
        with path.open("rb") as handle:
            if handle.read(4) != b"PK\x03\x04":
                return False
        names = zipfile.ZipFile(path).namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return not any(n.startswith(("word/", "xl/")) for n in names)


def _zip_items(path: Path) -> Iterator[Item]:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            shown = f"{path}!/{info.filename}"
            total += info.file_size
            refused = None
            if info.file_size > MAX_FILE_BYTES:
                refused = f"zip member declares {info.file_size} bytes (limit {MAX_FILE_BYTES})"
            elif (info.file_size > ZIP_RATIO_FREE_BYTES
                  and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)):
                refused = (f"zip member compression ratio {info.file_size // max(info.compress_size, 1)}:1 "
                           f"exceeds {MAX_ZIP_RATIO}:1 (zip bomb?)")
            elif total > MAX_ZIP_TOTAL:
                refused = f"archive expands to more than {MAX_ZIP_TOTAL} bytes (zip bomb?)"
            yield Item(shown, path, info.filename, info.file_size, refused)


def walk(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Every file under the paths (folders recursively, in name order; hidden files skipped);
    zip archives are opened and their members yielded instead."""
    for root in paths:
        root = Path(root)
        files = (sorted(p for p in root.rglob("*") if p.is_file()
                        and not any(part.startswith(".") for part in p.relative_to(root).parts))
                 if root.is_dir() else [root])
        for file in files:
            if not file.exists():
                yield Item(str(file), file, refused="no such file")
            elif _is_archive(file):
                try:
                    yield from _zip_items(file)
                except (OSError, zipfile.BadZipFile, RuntimeError) as error:  # encrypted, damaged
                    yield Item(str(file), file, refused=f"unreadable zip archive: {error}")
            else:
                size = file.stat().st_size
                yield Item(str(file), file, size=size,
                           refused=f"file of {size} bytes exceeds {MAX_FILE_BYTES}"
                           if size > MAX_FILE_BYTES else None)


def _load(item: Item) -> tuple[bytes | None, str | None]:
    """The bytes of an item, or the reason they could not be read."""
    if item.refused:
        return None, item.refused
    try:
        if item.member is None:
            return item.file.read_bytes(), None
        with zipfile.ZipFile(item.file) as archive, archive.open(item.member) as handle:
            data = handle.read(item.size + 1)
        if len(data) > item.size:
            return None, "zip member larger than its declared size (zip bomb?)"
        return data, None
    except (OSError, zipfile.BadZipFile, RuntimeError, EOFError) as error:
        return None, f"unreadable: {error}"


def _refused_key(item: Item, reason: str) -> str:
    """Documents are keyed by the sha256 of their bytes; one whose bytes were never read is keyed
    by its path and declared size instead, so its failure is recorded once, not once per run."""
    return hashlib.sha256(f"unread\0{item.path}\0{item.size}\0{reason}".encode()).hexdigest()


# ------------------------------------------------------------------------------ parsing
Parsed = tuple[Any, ...]  # ("ok", meta, cells, findings) | ("failed", reason, media_type)


def parse_bytes(data: bytes, name: str) -> Parsed:
    """Parse one document into plain tuples ready for the database (runs in the workers)."""
    from ..errors import ParseError
    from ..pipeline import parse

    try:
        kind = sniff(data)
    except Exception:  # sniffing never should fail; a document still must not stop the batch
        kind = "text"
    media_type = MEDIA_TYPES.get(kind)
    try:
        report = parse(data, name=name)
    except ParseError as error:
        return ("failed", error.reason, media_type)
    except Exception as error:  # a parser bug is this document's failure, not the batch's
        return ("failed", f"internal error: {type(error).__name__}: {error}", media_type)
    stats = {k: (report.cells[p].value if p in report.cells else None) for k, p in STAT_CELLS.items()}
    meta = {"source": name, "agency": report.agency, "agency_key": agency_key(report.agency),
            "year": report.year, "template": report.template, "hybrid": bool(report.hybrid),
            "title": report.title, "published": report.published,
            "n_errors": sum(f.severity == "error" for f in report.findings),
            "n_warnings": sum(f.severity == "warning" for f in report.findings),
            "media_type": report.media_type or media_type, **stats}
    dumps = json.dumps
    cells = [(path, c.value, type(c.value) is int, c.status, c.raw, c.line,
              dumps(c.locator, ensure_ascii=False, separators=(",", ":")) if c.locator else None,
              c.rule, c.note) for path, c in report.cells.items()]
    findings = [(f.rule, f.severity, f.message, f.message_en,
                 dumps(f.cells, ensure_ascii=False) if f.cells else None,
                 dumps(f.values, ensure_ascii=False) if f.values else None, f.line, f.evidence)
                for f in report.findings]
    return ("ok", meta, cells, findings)


def _parse_chunk(chunk: list[tuple[bytes, str]]) -> list[Parsed]:
    return [parse_bytes(data, name) for data, name in chunk]


# ------------------------------------------------------------------------------ writing
@dataclass
class IngestResult:
    """What one ingest did. ``skipped`` were stored already; ``outdated`` were stored by an
    older parser version and kept (pass ``reparse=True`` to parse them again)."""

    seen: int = 0
    parsed: int = 0
    failed: int = 0
    reparsed: int = 0
    skipped: int = 0
    duplicates: int = 0
    outdated: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of this run

    @property
    def rate(self) -> float:
        return self.seen / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class _Job:
    item: Item
    sha256: str
    size: int
    replace: int | None = None  # the document id to re-parse in place
    result: Parsed | None = None
    data: bytes | None = None


def _insert(conn: Connection):  # type: ignore[no-untyped-def]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def ensure_paths(conn: Connection, paths: Iterable[str], cache: dict[str, int]) -> None:
    """Give every cell path an id (``cell_paths``), updating ``cache``."""
    new = sorted(set(paths) - cache.keys())
    if not new:
        return
    insert = _insert(conn)
    conn.execute(insert(CellPath).on_conflict_do_nothing(index_elements=["path"]),
                 [{"path": p} for p in new])
    cache.update(conn.execute(select(CellPath.path, CellPath.id).where(CellPath.path.in_(new))).all())


def template_paths() -> list[str]:
    paths: dict[str, None] = {}
    for fmt in ("2021", "2019"):
        for hybrid in (False, True):
            try:
                paths.update(dict.fromkeys(TEMPLATE.cell_paths(Layout(fmt, hybrid))))  # type: ignore[arg-type]
            except (ValueError, AssertionError):  # a format without a hybrid variant
                continue
    return list(paths)


def _copy_or_insert(conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Bulk rows: COPY on PostgreSQL, executemany with positional parameters on SQLite."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


_CELL_COLUMNS = ("report_id", "path_id", "value", "is_int", "status", "raw", "line", "locator", "rule",
                 "note")
_FINDING_COLUMNS = ("report_id", "seq", "rule", "severity", "message", "message_en", "cells", "values",
                    "line", "evidence")
_SOURCES_SQL = text("INSERT INTO sources (document_id, path) SELECT id, :path FROM documents "
                    "WHERE sha256 = :sha ON CONFLICT (document_id, path) DO NOTHING")


def _write(engine: Engine, jobs: list[_Job], sources: list[tuple[str, str]], version: str,
           path_ids: dict[str, int], begin: Callable[[], Any]) -> set[str]:
    """Write one batch in one transaction; the sha256s written (not those another ingest
    running at the same time stored first)."""
    token = uuid.uuid4().hex
    now = datetime.now(UTC).replace(tzinfo=None)

    def doc_row(job: _Job) -> dict[str, Any]:
        assert job.result is not None
        ok = job.result[0] == "ok"
        return {"sha256": job.sha256, "size": job.size,
                "media_type": job.result[1]["media_type"] if ok else job.result[2],
                "status": "parsed" if ok else "failed", "error": None if ok else job.result[1],
                "parser_version": version, "batch": token, "ingested_at": now}

    with begin() as conn:
        replaced = [j for j in jobs if j.replace is not None]
        if replaced:
            ids = [j.replace for j in replaced]
            for table in (Cell, FindingRow):
                conn.execute(delete(table).where(table.report_id.in_(ids)))
            conn.execute(delete(ReportRow).where(ReportRow.document_id.in_(ids)))
            conn.execute(update(Document).where(Document.id == bindparam("doc_id")).values(
                {k: bindparam(k) for k in ("status", "error", "media_type", "parser_version", "batch",
                                           "ingested_at")}),
                [{**doc_row(j), "doc_id": j.replace} for j in replaced])
        fresh = [j for j in jobs if j.replace is None]
        if fresh:
            conn.execute(_insert(conn)(Document).on_conflict_do_nothing(index_elements=["sha256"]),
                         [doc_row(j) for j in fresh])
        mine: dict[str, int] = {}
        shas = [j.sha256 for j in jobs]
        for start in range(0, len(shas), 500):  # stay under bound-parameter limits
            mine.update(conn.execute(select(Document.sha256, Document.id).where(
                Document.sha256.in_(shas[start:start + 500]), Document.batch == token)).all())
        reports, cells, findings = [], [], []
        ensure_paths(conn, {c[0] for j in jobs if j.result and j.result[0] == "ok" for c in j.result[2]},
                     path_ids)
        for job in jobs:
            doc_id = mine.get(job.sha256)
            if doc_id is None or job.result is None or job.result[0] != "ok":
                continue  # another ingest stored it first, or it failed
            _, meta, job_cells, job_findings = job.result
            reports.append({**{k: v for k, v in meta.items() if k != "media_type"},
                            "document_id": doc_id, "parser_version": version})
            cells.extend((doc_id, path_ids[c[0]], *c[1:]) for c in job_cells)
            findings.extend((doc_id, seq, *f) for seq, f in enumerate(job_findings))
        if reports:
            conn.execute(ReportRow.__table__.insert(), reports)
        _copy_or_insert(conn, "cells", _CELL_COLUMNS, cells)
        _copy_or_insert(conn, "findings", _FINDING_COLUMNS, findings)
        if sources:
            conn.execute(_SOURCES_SQL, [{"path": p, "sha": s} for p, s in sources])
    return set(mine) | {j.sha256 for j in replaced}


# ------------------------------------------------------------------------------ the loop
class _Parser:
    """Parses lists of (bytes, name) in worker processes (or in-process for workers ≤ 1),
    surviving a worker that crashes: the chunk is retried one document at a time."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers)
        return self.pool

    def submit(self, work: list[tuple[bytes, str]]) -> list[Future[list[Parsed]]]:
        if self.workers <= 1:
            future: Future[list[Parsed]] = Future()
            future.set_result(_parse_chunk(work))
            return [future]
        size = max(1, -(-len(work) // (self.workers * 2)))
        return [self._pool().submit(_parse_chunk, work[i:i + size]) for i in range(0, len(work), size)]

    def gather(self, work: list[tuple[bytes, str]], futures: list[Future[list[Parsed]]]) -> list[Parsed]:
        try:
            return [parsed for future in futures for parsed in future.result()]
        except BrokenProcessPool:  # a worker died (a crash in a native reader): find the culprit
            return self._retry(work)

    def _retry(self, work: list[tuple[bytes, str]]) -> list[Parsed]:
        self.close()
        results: list[Parsed] = []
        for data, name in work:
            try:
                results.append(self._pool().submit(_parse_chunk, [(data, name)]).result()[0])
            except BrokenProcessPool:
                self.close()
                results.append(("failed", "the parser process crashed on this document", None))
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def ingest(engine: Engine, paths: Iterable[str | Path], *, workers: int | None = None,
           reparse: bool = False, progress: bool = False, batch_size: int = 1000,
           path_ids: dict[str, int], begin: Callable[[], Any], version: str) -> IngestResult:
    """Ingest every document under ``paths`` (see module docstring)."""
    started = time.perf_counter()
    items = list(walk(paths))
    result = IngestResult()
    parser = _Parser(workers if workers is not None else (os.cpu_count() or 1))
    bar = _Bar(len(items)) if progress else None
    seen_run: set[str] = set()
    pending: list[tuple[list[_Job], list[tuple[str, str]], list[Future[list[Parsed]]], list]] = []
    try:
        for start in range(0, len(items), batch_size):
            pending.append(_prepare(engine, items[start:start + batch_size], reparse, version,
                                    seen_run, result, parser))
            if len(pending) > 1:  # parse batch k+1 while batch k is written
                _finish(engine, pending.pop(0), parser, version, path_ids, begin, result, bar)
        while pending:
            _finish(engine, pending.pop(0), parser, version, path_ids, begin, result, bar)
    finally:
        parser.close()
        if bar:
            bar.close()
    result.seconds = time.perf_counter() - started
    return result


def _prepare(engine: Engine, items: list[Item], reparse: bool, version: str, seen_run: set[str],
             result: IngestResult, parser: _Parser):  # type: ignore[no-untyped-def]
    loaded: list[tuple[Item, bytes | None, str, str | None]] = []
    for item in items:
        data, reason = _load(item)
        sha = hashlib.sha256(data).hexdigest() if data is not None else _refused_key(item, reason or "")
        loaded.append((item, data, sha, reason))
    shas = list({sha for _, _, sha, _ in loaded})
    known: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for start in range(0, len(shas), 500):
            for sha, doc_id, ver in conn.execute(select(Document.sha256, Document.id, Document.parser_version)
                                                 .where(Document.sha256.in_(shas[start:start + 500]))):
                known[sha] = (doc_id, ver)
    jobs: list[_Job] = []
    sources: list[tuple[str, str]] = []
    for item, data, sha, reason in loaded:
        result.seen += 1
        sources.append((item.path, sha))
        if sha in seen_run:
            result.duplicates += 1
            continue
        seen_run.add(sha)
        replace = None
        if sha in known:
            doc_id, stored_version = known[sha]
            if stored_version == version or not reparse:
                result.skipped += 1
                result.outdated += stored_version != version
                continue
            replace = doc_id
        job = _Job(item, sha, len(data) if data is not None else item.size, replace)
        if data is None:
            job.result = ("failed", reason, None)
        else:
            job.data = data
        jobs.append(job)
    work = [(j.data, j.item.path) for j in jobs if j.data is not None]
    futures = parser.submit(work)  # type: ignore[arg-type]
    return jobs, sources, futures, work


def _finish(engine: Engine, batch, parser: _Parser, version: str,  # type: ignore[no-untyped-def]
            path_ids: dict[str, int], begin: Callable[[], Any], result: IngestResult,
            bar: _Bar | None) -> None:
    jobs, sources, futures, work = batch
    parsed = iter(parser.gather(work, futures))
    for job in jobs:
        if job.data is not None:
            job.result = next(parsed)
            job.data = None  # free the bytes before writing
    written = _write(engine, jobs, sources, version, path_ids, begin)
    for job in jobs:
        assert job.result is not None
        if job.sha256 not in written:
            result.skipped += 1  # a concurrent ingest stored it first
        elif job.replace is not None:
            result.reparsed += 1
        elif job.result[0] == "ok":
            result.parsed += 1
        if job.sha256 in written and job.result[0] != "ok":
            result.failed += 1
            result.failures.append((job.item.path, job.result[1]))
    if bar:
        bar.advance(len(sources))


class _Bar:
    """A rich progress bar on stderr: done/total, rate and time left."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                                 TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=Console(stderr=True))
        self.task = self.progress.add_task("ingest", total=total, rate="")
        self.progress.start()

    def advance(self, n: int) -> None:
        speed = self.progress.tasks[0].speed
        self.progress.update(self.task, advance=n, rate=f"{speed:,.0f} docs/s" if speed else "")

    def close(self) -> None:
        self.progress.stop()
