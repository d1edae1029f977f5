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
main process touches the database. The workers are local processes, a Ray cluster (Ray Data) or a
dask.distributed cluster (``engine``): the same writer stores the same rows whichever parsed.
The source bytes are kept zlib-compressed in ``blobs`` (up to :data:`MAX_BLOB_BYTES`) unless
``keep_source`` is off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import pickle
import threading
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, bindparam, delete, select, text, update

from ..agency import identify
from ..errors import GongkaiError
from ..readers import MAX_FILE_BYTES, sniff
from ..template import TEMPLATE, Layout
from .schema import Blob, Cell, CellPath, Document, FindingRow, ReportRow
from .stats import STAT_COLUMNS, finding_figures, stat_values

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

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
    "json": "application/json",  # a report JSON gongkai wrote, read back (other JSON is refused)
}

# source bytes kept in ``blobs`` up to this size (the web app shows a cell in its source)
MAX_BLOB_BYTES = 20 * 1024 * 1024

ENGINES: tuple[str, ...] = ("local", "ray", "dask")


def agency_key(agency: str | None) -> str | None:
    """The key that links one agency across years (:func:`gongkai.agency.identify`)."""
    return identify(agency).key if agency and agency.strip() else None


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


def walk(paths: Iterable[str | Path | Item]) -> Iterator[Item]:
    """Every file under the paths (folders recursively, in name order; hidden files skipped);
    zip archives are opened and their members yielded instead. An :class:`Item` is yielded as it
    is (a collected file under its URL: ``gongkai.collect``)."""
    for root in paths:
        if isinstance(root, Item):
            yield root
            continue
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
# ("ok", meta, cells, findings) | ("failed", reason, media_type); cells are columns (paths, values,
# is_int, status, raw, line, locator, rule, note), findings rows
Parsed = tuple[Any, ...]


def parse_bytes(data: bytes, name: str) -> Parsed:
    """Parse one document into plain tuples ready for the database (runs in the workers): the
    JSON of locators, findings and sections and the agency identity are made here, so the main
    process only writes."""
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
    dumps = json.dumps
    who = identify(report.agency) if report.agency and report.agency.strip() else None
    meta = {"source": name, "agency": report.agency, "agency_key": who.key if who else None,
            "year": report.year, "template": report.template, "hybrid": bool(report.hybrid),
            "title": report.title, "published": report.published,
            **finding_figures(report.findings),
            "agency_name": who.name if who else None, "region_code": who.region_code if who else None,
            "province": who.province if who else None, "city": who.city if who else None,
            "county": who.county if who else None, "township": who.township if who else None,
            "level": who.level if who else None,
            "sections": dumps(report.sections, ensure_ascii=False) if report.sections else None,
            **stat_values(report.layout, report.value),
            # a report JSON keeps its original's media type; the document stored is the JSON
            "media_type": media_type if kind == "json" else report.media_type or media_type}
    # column-wise, so that the writer builds the rows in C (zip) rather than a tuple per cell here
    values = tuple(report.cells.values())
    cells = (tuple(report.cells), [c.value for c in values], [type(c.value) is int for c in values],
             [c.status for c in values], [c.raw for c in values], [c.line for c in values],
             [dumps(c.locator, ensure_ascii=False, separators=(",", ":")) if c.locator else None
              for c in values], [c.rule for c in values], [c.note for c in values])
    findings = [(f.rule, f.severity, f.message, f.message_en,
                 dumps(f.cells, ensure_ascii=False) if f.cells else None,
                 dumps(f.values, ensure_ascii=False) if f.values else None, f.line, f.evidence)
                for f in report.findings]
    return ("ok", meta, cells, findings)


Work = list[tuple[bytes, str]]
Done = tuple[Parsed, bytes | None]  # the parse and the zlib-compressed source (None: not kept)


def parse_work(work: Work, keep_source: bool, on_parsed: Callable[[], None] | None = None) -> list[Done]:
    """Parse documents and compress their bytes for ``blobs``: a pure function of the bytes, so
    any engine's workers can run it without a database. ``on_parsed()`` after each document (the
    progress of an ingest moves per file, not per batch)."""
    done: list[Done] = []
    for data, name in work:
        done.append((parse_bytes(data, name),
                     zlib.compress(data, 6) if keep_source and len(data) <= MAX_BLOB_BYTES else None))
        if on_parsed is not None:
            on_parsed()
    return done


# In a local parser worker: the pipe on which it tells the ingest each document it has parsed
# (one byte each: a write of one byte is atomic, and needs no lock a crashing worker could hold).
_PARSED_FD: int | None = None


def _tell_parsed() -> None:
    if _PARSED_FD is not None:
        with contextlib.suppress(OSError):  # the ingest stopped listening: parsing goes on
            os.write(_PARSED_FD, b"\x01")


def _parse_work_telling(work: Work, keep_source: bool) -> list[Done]:
    return parse_work(work, keep_source, _tell_parsed if _PARSED_FD is not None else None)


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
    blob: bytes | None = None  # zlib-compressed source bytes


def _insert(conn: Connection) -> Callable[[Any], PostgresInsert | SqliteInsert]:
    """The dialect's INSERT (both have the ON CONFLICT calls used here)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert
        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert


def ensure_paths(conn: Connection, paths: Iterable[str], cache: dict[str, int]) -> None:
    """Give every cell path an id (``cell_paths``), updating ``cache``. Ids follow the order given
    (the template's reading order): a report's cells then arrive in primary-key order, so the
    clustered ``cells`` index is appended to rather than split."""
    new = [p for p in dict.fromkeys(paths) if p not in cache]
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


_REPORT_COLUMNS = ("document_id", "parser_version", "source", "agency", "agency_key", "year", "template",
                   "hybrid", "title", "published", "n_errors", "n_warnings", "agency_name", "region_code",
                   "province", "city", "county", "township", "level", "sections", "failed_rules",
                   *STAT_COLUMNS)
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
            kept = [{"document_id": j.replace, "codec": "zlib", "data": j.blob} for j in replaced if j.blob]
            if kept:  # documents stored before sources were kept get theirs now
                conn.execute(_insert(conn)(Blob).on_conflict_do_nothing(index_elements=["document_id"]),
                             kept)
        fresh = [j for j in jobs if j.replace is None]
        if fresh:
            conn.execute(_insert(conn)(Document).on_conflict_do_nothing(index_elements=["sha256"]),
                         [doc_row(j) for j in fresh])
        mine: dict[str, int] = {}
        shas = [j.sha256 for j in jobs]
        for start in range(0, len(shas), 500):  # stay under bound-parameter limits
            mine.update(conn.execute(select(Document.sha256, Document.id).where(
                Document.sha256.in_(shas[start:start + 500]), Document.batch == token)).all())
        reports: list[tuple[Any, ...]] = []
        cells: list[tuple[Any, ...]] = []
        findings: list[tuple[Any, ...]] = []
        blobs: list[tuple[Any, ...]] = []
        ensure_paths(conn, set().union(*(j.result[2][0] for j in jobs if j.result and j.result[0] == "ok")),
                     path_ids)
        path_id = path_ids.__getitem__
        for job in jobs:
            doc_id = mine.get(job.sha256)
            if doc_id is None or job.result is None:
                continue  # another ingest stored it first
            if job.blob is not None and job.replace is None:
                blobs.append((doc_id, "zlib", job.blob))
            if job.result[0] != "ok":
                continue
            _, meta, job_cells, job_findings = job.result
            reports.append((doc_id, version, *(meta[c] for c in _REPORT_COLUMNS[2:])))
            cells.extend(zip(repeat(doc_id), map(path_id, job_cells[0]), *job_cells[1:]))
            findings.extend((doc_id, seq, *f) for seq, f in enumerate(job_findings))
        _copy_or_insert(conn, "reports", _REPORT_COLUMNS, reports)
        _copy_or_insert(conn, "cells", _CELL_COLUMNS, cells)
        _copy_or_insert(conn, "findings", _FINDING_COLUMNS, findings)
        _copy_or_insert(conn, "blobs", ("document_id", "codec", "data"), blobs)
        if replaced:  # corrections survive a re-parse (keyed by document): their values count again
            from .review import recompute_effective

            recompute_effective(conn, [j.replace for j in replaced if j.replace is not None])
        if sources:
            conn.execute(_SOURCES_SQL, [{"path": p, "sha": s} for p, s in sources])
    return set(mine) | {j.sha256 for j in replaced}


# ------------------------------------------------------------------------------ engines
class EngineError(GongkaiError, RuntimeError):
    """An ingest engine cannot be used (its optional dependency is missing, or its cluster)."""


class Parser(Protocol):
    """Parses batches of (bytes, name) somewhere: ``submit`` starts a batch, ``gather`` waits for
    its results in the same order. Workers need no database: parsing is a pure function.
    A parser may also have ``watch(on_parsed)``: it then calls ``on_parsed(n)`` (from any thread)
    as documents finish, so that progress moves per file; without it, per gathered batch."""

    def submit(self, work: Work) -> Any: ...
    def gather(self, work: Work, handle: Any) -> list[Done]: ...
    def close(self) -> None: ...


# The parser workers' address-space limit in MiB (unset: none): a hostile file then fails alone
# (MemoryError, or the worker dies and the document is recorded as crashing it).
WORKER_MEMORY_ENV = "GONGKAI_WORKER_MEMORY_MB"
# Source bytes read into one batch, in MiB: with a batch parsed while the previous one is written,
# an ingest holds at most about twice this much source, whatever the sizes of the files.
BATCH_MEMORY_ENV = "GONGKAI_INGEST_BATCH_MB"
DEFAULT_BATCH_BYTES = 128 * 1024 * 1024
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _env_mib(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) * 1024 * 1024 if value.isdecimal() and int(value) > 0 else None


def _worker_init(parent: int, memory_bytes: int | None, parsed_fd: int | None = None) -> None:
    """In each parser worker: die with the ingest (a ``kill -9`` of it must leave no orphan of
    hundreds of MB), stay under the memory limit, and tell ``parsed_fd`` of each document parsed."""
    import signal
    import sys

    global _PARSED_FD
    _PARSED_FD = parsed_fd

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    if memory_bytes:
        import resource

        # on top of what the worker already maps: a worker forked from a big process (a web
        # server with OCR models loaded) starts with gigabytes of address space it never touches
        try:
            with open("/proc/self/statm") as statm:
                mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            mapped = 0
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class _LocalParser:
    """Worker processes on this machine (in-process for workers ≤ 1 unless ``isolate``),
    surviving a worker that crashes: the batch is retried one document at a time. Workers die
    with this process (PR_SET_PDEATHSIG) and are limited to ``memory_bytes`` of address space
    (default: ``GONGKAI_WORKER_MEMORY_MB``)."""

    def __init__(self, workers: int, keep_source: bool, *, isolate: bool = False,
                 memory_bytes: int | None = None) -> None:
        self.workers = max(workers, 1)
        self.in_process = workers <= 1 and not isolate
        self.memory_bytes = memory_bytes or _env_mib(WORKER_MEMORY_ENV)
        self.keep_source = keep_source
        self.run = partial(_parse_work_telling, keep_source=keep_source)
        self.pool: ProcessPoolExecutor | None = None
        self.on_parsed: Callable[[int], None] | None = None
        self.listener: _ParsedListener | None = None

    def watch(self, on_parsed: Callable[[int], None]) -> None:
        """Call ``on_parsed(n)`` as the workers finish documents (on a listening thread)."""
        self.on_parsed = on_parsed

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # forked workers inherit the pipe they tell; other start methods: progress per batch
            if self.on_parsed is not None and multiprocessing.get_start_method() == "fork":
                self.listener = _ParsedListener(self.on_parsed)
            self.pool = ProcessPoolExecutor(self.workers, initializer=_worker_init,
                                            initargs=(os.getpid(), self.memory_bytes,
                                                      self.listener.write_fd if self.listener else None))
        return self.pool

    def submit(self, work: Work) -> list[Future[list[Done]]]:
        if self.in_process:
            future: Future[list[Done]] = Future()
            on_parsed = self.on_parsed
            future.set_result(parse_work(work, self.keep_source,
                                         (lambda: on_parsed(1)) if on_parsed is not None else None))
            return [future]
        # one chunk per worker: fewer, bigger messages between the processes
        size = max(1, -(-len(work) // self.workers))
        return [self._pool().submit(self.run, work[i:i + size]) for i in range(0, len(work), size)]

    def gather(self, work: Work, futures: list[Future[list[Done]]]) -> list[Done]:
        try:
            return [done for future in futures for done in future.result()]
        except BrokenProcessPool:  # a worker died (a crash in a native reader): find the culprit
            return self._retry(work)

    def _retry(self, work: Work) -> list[Done]:
        self.close()
        results: list[Done] = []
        for data, name in work:
            try:
                results.append(self._pool().submit(self.run, [(data, name)]).result()[0])
            except BrokenProcessPool:
                self.close()
                results.append((("failed", "the parser process crashed on this document", None), None))
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None


class _ParsedListener:
    """Reads the bytes the local workers write as they finish documents, on a daemon thread, and
    passes their count on. A pipe rather than a multiprocessing queue: a worker killed in the
    middle of a write leaves no lock held."""

    def __init__(self, on_parsed: Callable[[int], None]) -> None:
        self.on_parsed = on_parsed
        self.read_fd, self.write_fd = os.pipe()
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._listen, name="gongkai-ingest-progress", daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        import select

        while True:
            ready, _, _ = select.select([self.read_fd], [], [], 0.2)
            if not ready:
                if self.closed.is_set():
                    break
                continue
            try:
                chunk = os.read(self.read_fd, 65536)
            except OSError:
                break
            if not chunk:  # every writer closed its end
                break
            for _ in chunk:  # each document its own step, also when two finished together
                self.on_parsed(1)
        os.close(self.read_fd)

    def close(self) -> None:
        """After the pool has shut down (its workers told everything they parsed)."""
        os.close(self.write_fd)
        self.closed.set()
        self.thread.join(timeout=2)


def _ray_batch(batch: dict[str, Any], keep_source: bool) -> dict[str, Any]:
    """A Ray Data batch: pickled results, since a parse's nested tuples are no Arrow type."""
    done = parse_work(list(zip(batch["data"], batch["name"], strict=True)), keep_source)
    return {"i": batch["i"], "result": [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in done]}


class _ClusterParser:
    """What the Ray and dask engines share: a batch whose gathering fails (a worker lost, a
    native crash) is parsed again one document at a time, so that only the culprit is recorded
    as failed and the ingest goes on."""

    def _submit(self, work: Work) -> Any:
        raise NotImplementedError

    def _results(self, handle: Any) -> list[Done]:
        raise NotImplementedError

    on_parsed: Callable[[int], None] | None = None

    def watch(self, on_parsed: Callable[[int], None]) -> None:
        """Call ``on_parsed(n)`` as the cluster reports documents done (per chunk or per block)."""
        self.on_parsed = on_parsed

    def _tell(self, count: int) -> None:
        if self.on_parsed is not None and count:
            self.on_parsed(count)

    def submit(self, work: Work) -> Any:
        return self._submit(work) if work else None

    def gather(self, work: Work, handle: Any) -> list[Done]:
        if handle is None:
            return []
        try:
            return self._results(handle)
        except Exception:  # the cluster's error types vary; each document below gets its own
            return [self._one(item) for item in work]

    def _one(self, item: tuple[bytes, str]) -> Done:
        try:
            return self._results(self._submit([item]))[0]
        except Exception as error:
            return (("failed", f"the parser worker failed on this document: {type(error).__name__}: "
                               f"{error}", None), None)


class _RayParser(_ClusterParser):
    """Ray Data: each batch becomes a dataset mapped over the cluster (``ray.init`` is called
    with ``address`` or ``RAY_ADDRESS`` unless Ray is already initialised in this process;
    without either, a local cluster of ``workers`` CPUs)."""

    def __init__(self, workers: int, keep_source: bool, address: str | None) -> None:
        try:
            import ray
            import ray.data
        except ImportError as error:
            raise EngineError(f"--engine ray needs Ray Data ({error.name} is missing): "
                              "pip install 'gongkai[ray]'") from None
        self.ray = ray
        self.keep_source = keep_source
        self.started = not ray.is_initialized()
        if self.started:
            address = address or os.environ.get("RAY_ADDRESS")
            ray.init(address=address, num_cpus=None if address else max(workers, 1),
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
        self.per_block = max(1, 2 * max(workers, 1))
        # an ingest has its own progress bar: Ray Data's per-dataset bars and INFO lines are noise
        import logging

        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)

    def _submit(self, work: Work) -> Any:
        items = [{"i": i, "data": data, "name": name} for i, (data, name) in enumerate(work)]
        dataset = self.ray.data.from_items(items, override_num_blocks=min(len(items), self.per_block))
        return dataset.map_batches(_ray_batch, fn_kwargs={"keep_source": self.keep_source},
                                   batch_format="numpy", batch_size=None)

    def _results(self, dataset: Any) -> list[Done]:
        # rows stream in as blocks finish (in any order): progress moves per finished block
        rows = []
        for row in dataset.iter_rows():
            rows.append(row)
            self._tell(1)
        rows.sort(key=lambda row: row["i"])
        return [pickle.loads(row["result"]) for row in rows]

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False


class _DaskParser(_ClusterParser):
    """dask.distributed: chunks submitted to the scheduler at ``address``, to the client already
    open in this process, or to a local cluster of ``workers`` processes started for the ingest."""

    def __init__(self, workers: int, keep_source: bool, address: str | None) -> None:
        try:
            from distributed import Client, LocalCluster, get_client
        except ImportError as error:
            raise EngineError(f"--engine dask needs dask.distributed ({error.name} is missing): "
                              "pip install 'gongkai[dask]'") from None
        self.keep_source = keep_source
        self.owned: list[Any] = []
        if address:
            self.client = Client(address)
            self.owned.append(self.client)
        else:
            try:
                self.client = get_client()
            except ValueError:
                cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
                self.client = Client(cluster)
                self.owned += [self.client, cluster]
        self.chunks = max(1, 2 * sum(self.client.nthreads().values()))

    def _submit(self, work: Work) -> list[Any]:
        size = max(1, -(-len(work) // self.chunks))
        futures = []
        for i in range(0, len(work), size):
            future = self.client.submit(parse_work, work[i:i + size], self.keep_source, pure=False)
            count = len(work[i:i + size])
            # called on the client's thread when the chunk is done: progress per finished chunk
            future.add_done_callback(lambda done, count=count: self._tell(count) if done.status == "finished"
                                     else None)
            futures.append(future)
        return futures

    def _results(self, futures: list[Any]) -> list[Done]:
        return [done for chunk in self.client.gather(futures) for done in chunk]

    def close(self) -> None:
        for owned in self.owned:
            owned.close()
        self.owned = []


def make_parser(engine: str, workers: int, keep_source: bool, address: str | None = None) -> Parser:
    if engine == "local":
        return _LocalParser(workers, keep_source)
    if engine == "ray":
        return _RayParser(workers, keep_source, address)
    if engine == "dask":
        return _DaskParser(workers, keep_source, address)
    raise EngineError(f"unknown engine {engine!r}: choose {', '.join(ENGINES)}")


# ------------------------------------------------------------------------------ the loop
def ingest(engine: Engine, paths: Iterable[str | Path], *, workers: int | None = None,
           reparse: bool = False, progress: bool = False, batch_size: int = 1000,
           path_ids: dict[str, int], begin: Callable[[], Any], version: str,
           parse_engine: str = "local", address: str | None = None, keep_source: bool = True,
           parser: Parser | None = None, max_batch_bytes: int | None = None,
           on_progress: Callable[[int, int], None] | None = None) -> IngestResult:
    """Ingest every document under ``paths`` (see module docstring). ``parser`` overrides the
    engine (tests and benchmarks pass their own). A batch holds at most ``batch_size`` documents
    and ``max_batch_bytes`` of source (default ``GONGKAI_INGEST_BATCH_MB``, else 128 MiB; a larger
    file is a batch alone). ``on_progress(done, total)`` is called as each file is done — parsed
    (as the engine reports it: per document for local workers), found stored already, or refused —
    possibly from another thread; ``progress`` shows a bar on stderr."""
    from ..progress import Progress, mode

    started = time.perf_counter()
    items = list(walk(paths))
    limit = max_batch_bytes or _env_mib(BATCH_MEMORY_ENV) or DEFAULT_BATCH_BYTES
    result = IngestResult()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    parser = parser or make_parser(parse_engine, workers, keep_source, address)
    bar = Progress(len(items), "ingest", show=mode(True)) if progress else None
    tally = _Tally(len(items), [f for f in (on_progress, bar.update if bar else None) if f is not None])
    watch = getattr(parser, "watch", None)
    if watch is not None and tally.listeners:
        watch(tally.parsed)
    seen_run: set[str] = set()
    pending: list[tuple[list[_Job], list[tuple[str, str]], Any, Work]] = []
    try:
        tally.tell()
        for batch in _batches(items, batch_size, limit):
            pending.append(_prepare(engine, batch, reparse, version, seen_run, result, parser, tally))
            if len(pending) > 1:  # parse batch k+1 while batch k is written
                _finish(engine, pending.pop(0), parser, version, path_ids, begin, result, tally)
        while pending:
            _finish(engine, pending.pop(0), parser, version, path_ids, begin, result, tally)
    finally:
        parser.close()
        if bar:
            bar.close()
    result.seconds = time.perf_counter() - started
    return result


class _Tally:
    """Files done of an ingest, told to the progress listeners as they change: files not parsed
    (stored already, duplicates, refused) when their batch is prepared; parsed files as the
    parser reports them (``parsed``, from any thread) or, for a parser that does not, when their
    batch is gathered. Never more than were submitted: a batch parsed again after a worker
    crashed reports some documents twice."""

    def __init__(self, total: int, listeners: list[Callable[[int, int], None]]) -> None:
        self.total = total
        self.listeners = listeners
        self.lock = threading.Lock()
        self.counted = self.submitted = self.reported = self.gathered = 0
        self.last = -1

    def tell(self) -> None:
        with self.lock:
            done = min(self.counted + min(max(self.reported, self.gathered), self.submitted), self.total)
            if done == self.last:
                return
            self.last = done
            for listener in self.listeners:
                listener(done, self.total)

    def skip(self, count: int) -> None:
        with self.lock:
            self.counted += count
        self.tell()

    def submit(self, count: int) -> None:
        with self.lock:
            self.submitted += count

    def parsed(self, count: int) -> None:
        with self.lock:
            self.reported += count
        self.tell()

    def gather(self, count: int) -> None:
        with self.lock:
            self.gathered += count
        self.tell()


def _batches(items: list[Item], count: int, limit: int) -> Iterator[list[Item]]:
    """Consecutive batches of at most ``count`` items and ``limit`` declared bytes (one item
    larger than ``limit`` is a batch alone): an ingest's memory does not grow with file sizes."""
    batch: list[Item] = []
    size = 0
    for item in items:
        weight = 0 if item.refused else item.size
        if batch and (len(batch) >= count or size + weight > limit):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += weight
    if batch:
        yield batch


def _prepare(engine: Engine, items: list[Item], reparse: bool, version: str, seen_run: set[str],
             result: IngestResult, parser: Parser, tally: _Tally):  # type: ignore[no-untyped-def]
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
    tally.submit(len(work))
    tally.skip(len(items) - len(work))  # stored already, duplicates, refused: done now
    handle = parser.submit(work)  # type: ignore[arg-type]
    return jobs, sources, handle, work


def _finish(engine: Engine, batch, parser: Parser, version: str,  # type: ignore[no-untyped-def]
            path_ids: dict[str, int], begin: Callable[[], Any], result: IngestResult,
            tally: _Tally) -> None:
    jobs, sources, handle, work = batch
    done = iter(parser.gather(work, handle))
    tally.gather(len(work))
    for job in jobs:
        if job.data is not None:
            job.result, job.blob = next(done)
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
