"""Writing an ingest's parsed batch: one transaction per batch, safe to kill and to run twice.

* each batch (document rows, reports, cells, findings, sources, blobs) is written in ONE
  transaction, so a ``kill -9`` loses at most the batch in flight, which the next run parses again;
* document rows are inserted with ``ON CONFLICT (sha256) DO NOTHING`` and tagged with the batch's
  token, so two ingests into the same database at once each write only the documents they
  inserted themselves;
* bulk rows go by COPY on PostgreSQL and by executemany on SQLite.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, select, text, update

from ..template import EDITIONS, TEMPLATE, TableShape
from .parsing import Parsed
from .schema import Blob, Cell, CellPath, Document, FindingRow, ReportRow
from .stats import STAT_COLUMNS
from .walk import Item

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


@dataclass(slots=True)
class Job:
    """One document of a batch: what was read, and what its parse gave."""

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
    """Every cell path of the template, the newest format's first (in its reading order)."""
    paths: dict[str, None] = {}
    for edition in sorted(EDITIONS, reverse=True):
        for hybrid in (False, True):
            try:
                paths.update(dict.fromkeys(TEMPLATE.cell_paths(TableShape(edition, hybrid))))
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


def write_batch(jobs: list[Job], sources: list[tuple[str, str]], version: str, path_ids: dict[str, int],
                begin: Callable[[], Any]) -> set[str]:
    """Write one batch in one transaction; the sha256s written (not those another ingest
    running at the same time stored first)."""
    token = uuid.uuid4().hex
    now = datetime.now(UTC).replace(tzinfo=None)

    def doc_row(job: Job) -> dict[str, Any]:
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

