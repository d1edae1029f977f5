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

The pieces, each in its own module: :mod:`~gongkai.store.walk` (what to read: files, zip members
and their guards), :mod:`~gongkai.store.parsing` (one document to plain tuples, in the workers),
:mod:`~gongkai.store.engines` (where the workers run), :mod:`~gongkai.store.writer` (one batch, one
transaction). This module is the loop that joins them, and the progress it reports.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ..agency import identify
from .engines import (
    ENGINES,
    WORKER_MEMORY_ENV,
    EngineError,
    Parser,
    _ClusterParser,
    _DaskParser,
    _LocalParser,
    _RayParser,
    _worker_init,
    env_mib,
    make_parser,
)
from .parsing import MAX_BLOB_BYTES, MEDIA_TYPES, Done, Parsed, Work, parse_bytes, parse_work
from .schema import Document
from .walk import MAX_ZIP_RATIO, MAX_ZIP_TOTAL, ZIP_RATIO_FREE_BYTES, Item, load, refused_key, walk
from .writer import Job, ensure_paths, template_paths, write_batch

# the names this module has always offered (callers import them from here)
__all__ = [
    "ENGINES", "MAX_BLOB_BYTES", "MAX_ZIP_RATIO", "MAX_ZIP_TOTAL", "MEDIA_TYPES", "WORKER_MEMORY_ENV",
    "ZIP_RATIO_FREE_BYTES", "Done", "EngineError", "IngestResult", "Item", "Parsed", "Parser", "Work",
    "_ClusterParser", "_DaskParser", "_LocalParser", "_RayParser", "_worker_init", "agency_key",
    "ensure_paths", "ingest", "make_parser", "parse_bytes", "parse_work", "template_paths", "walk",
]

# Source bytes read into one batch, in MiB: with a batch parsed while the previous one is written,
# an ingest holds at most about twice this much source, whatever the sizes of the files.
BATCH_MEMORY_ENV = "GONGKAI_INGEST_BATCH_MB"
DEFAULT_BATCH_BYTES = 128 * 1024 * 1024


def agency_key(agency: str | None) -> str | None:
    """The key that links one agency across years (:func:`gongkai.agency.identify`)."""
    return identify(agency).key if agency and agency.strip() else None


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


# a batch on its way: its jobs, the (path, sha256) of every item, the parser's handle, the work sent
Pending = tuple[list[Job], list[tuple[str, str]], Any, Work]


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
    limit = max_batch_bytes or env_mib(BATCH_MEMORY_ENV) or DEFAULT_BATCH_BYTES
    result = IngestResult()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    parser = parser or make_parser(parse_engine, workers, keep_source, address)
    bar = Progress(len(items), "ingest", show=mode(True)) if progress else None
    tally = _Tally(len(items), [f for f in (on_progress, bar.update if bar else None) if f is not None])
    watch = getattr(parser, "watch", None)
    if watch is not None and tally.listeners:
        watch(tally.parsed)
    seen_run: set[str] = set()
    pending: list[Pending] = []
    try:
        tally.tell()
        for batch in _batches(items, batch_size, limit):
            pending.append(_prepare(engine, batch, reparse, version, seen_run, result, parser, tally))
            if len(pending) > 1:  # parse batch k+1 while batch k is written
                _finish(pending.pop(0), parser, version, path_ids, begin, result, tally)
        while pending:
            _finish(pending.pop(0), parser, version, path_ids, begin, result, tally)
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

    def _add(self, counter: str, count: int, *, tell: bool = True) -> None:
        with self.lock:
            setattr(self, counter, getattr(self, counter) + count)
        if tell:
            self.tell()

    def skip(self, count: int) -> None:
        self._add("counted", count)

    def submit(self, count: int) -> None:
        self._add("submitted", count, tell=False)  # not done yet: nothing to tell

    def parsed(self, count: int) -> None:
        self._add("reported", count)

    def gather(self, count: int) -> None:
        self._add("gathered", count)


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
             result: IngestResult, parser: Parser, tally: _Tally) -> Pending:
    """Read a batch, leave out what is stored already (or seen earlier in this run), and submit the
    rest to the parser."""
    loaded: list[tuple[Item, bytes | None, str, str | None]] = []
    for item in items:
        data, reason = load(item)
        sha = hashlib.sha256(data).hexdigest() if data is not None else refused_key(item, reason or "")
        loaded.append((item, data, sha, reason))
    shas = list({sha for _, _, sha, _ in loaded})
    known: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for start in range(0, len(shas), 500):
            for sha, doc_id, ver in conn.execute(select(Document.sha256, Document.id, Document.parser_version)
                                                 .where(Document.sha256.in_(shas[start:start + 500]))):
                known[sha] = (doc_id, ver)
    jobs: list[Job] = []
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
        job = Job(item, sha, len(data) if data is not None else item.size, replace)
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


def _finish(batch: Pending, parser: Parser, version: str, path_ids: dict[str, int],
            begin: Callable[[], Any], result: IngestResult, tally: _Tally) -> None:
    """Gather a batch's parses, write it, and count what it did."""
    jobs, sources, handle, work = batch
    done = iter(parser.gather(work, handle))
    tally.gather(len(work))
    for job in jobs:
        if job.data is not None:
            job.result, job.blob = next(done)
            job.data = None  # free the bytes before writing
    written = write_batch(jobs, sources, version, path_ids, begin)
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
