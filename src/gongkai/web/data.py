"""What a report page and its JSON both show: the corrected report, its findings with decisions,
the audit trail, and one cell with its history."""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import HTTPException, Path
from sqlalchemy import Connection, Engine, text

from ..report import CellValue
from ..store.review import (
    CorrectionRecord,
    EffectiveReport,
    ReviewRecord,
    corrections,
    effective_report,
    latest_decisions,
    reviews,
)
from ..template import TEMPLATE
from .cache import BoundedCache
from .timefmt import iso
from .view import FindingView, ReportView, findings_view, report_view

MAX_ID = 2**31 - 1  # an INTEGER column: a larger id is no report (and no 500 from the database)
ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="the report's document id")]
PageNumber = Annotated[int, Path(ge=1, le=100_000)]
ANONYMOUS_AUTHOR = "审核员"


def shown_path(path: str | None) -> str | None:
    """A source path as a visitor who is not logged in sees it: the file's name only (the server's
    folders are nobody's business)."""
    if not path:
        return path
    return path.replace("\\", "/").rsplit("!/", 1)[-1].rsplit("/", 1)[-1] or None


_META = ("document_id, source, agency, agency_name, year, template, hybrid, title, published, "
         "parser_version, n_errors, n_warnings, region_code, province, city, county, township, level")


@dataclass(slots=True)
class ReportBundle:
    meta: dict[str, Any]
    parts: _Parts
    document: dict[str, Any] = field(default_factory=dict)  # batch, sha256, media_type, n_collected

    @property
    def effective(self) -> EffectiveReport:
        return self.parts.effective

    @property
    def view(self) -> ReportView:
        """The page's model (made on first use: the JSON needs only the findings' keys)."""
        return self.parts.view()

    @property
    def corrections(self) -> list[CorrectionRecord]:
        return self.parts.corrections

    @property
    def reviews(self) -> list[ReviewRecord]:
        return self.parts.reviews

    def to_dict(self, *, anonymous: bool = False) -> dict[str, Any]:
        """The report JSON; ``anonymous``: without reviewers' names and server paths."""
        report = self.effective.report
        data = report.to_dict()
        data.pop("sections", None)  # served by /api/reports/{id}/sections (may need a re-parse)
        data.pop("section_lines", None)
        data["findings"] = [{**f.to_dict(), "key": v.key, "open": v.open,
                             "decision": _decision(v.decision, anonymous)}
                            for f, v in zip(report.findings, self.parts.findings, strict=True)]
        meta = dict(self.meta)
        if anonymous:
            meta["source"] = shown_path(meta.get("source"))
            data["source"] = shown_path(data.get("source"))
        return {"id": self.meta["document_id"], "sha256": self.effective.sha256, "meta": meta, **data,
                "rechecked": self.effective.findings_rechecked,
                "corrections": [correction_dict(c, anonymous) for c in self.corrections],
                "reviews": [_decision(r, anonymous) for r in self.reviews]}


def _decision(record: ReviewRecord | None, anonymous: bool = False) -> dict[str, Any] | None:
    if record is None:
        return None
    return {"id": record.id, "finding_key": record.finding_key, "decision": record.decision,
            "author": ANONYMOUS_AUTHOR if anonymous else record.author, "reason": record.reason,
            "created_at": iso(record.created_at)}


def correction_dict(record: CorrectionRecord, anonymous: bool = False) -> dict[str, Any]:
    return {"id": record.id, "path": record.path, "cell": TEMPLATE.cell_label(record.path),
            "old_value": record.old_value, "old_status": record.old_status, "value": record.value,
            "author": ANONYMOUS_AUTHOR if anonymous else record.author, "reason": record.reason,
            "created_at": iso(record.created_at)}


def report_meta(conn: Connection, report_id: int) -> dict[str, Any]:
    row = conn.execute(_META_SQL, {"id": report_id}).first()
    if row is None:
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    return dict(row._mapping)


_META_SQL = text(f"SELECT {_META} FROM reports WHERE document_id = :id")
# The report's row and what its cached parts depend on, in one read: the parse (``documents.batch``,
# a new token for every ingest that writes the report, re-parses included) and the newest
# correction and review with their counts (both tables are append-only: revision 0005).
# The page's other columns come with it: the document's sha256 and format, and how many of the
# collector's records name it (none: the page's timeliness needs no read of them).
_STATE_SQL = text(
    "SELECT " + ", ".join(f"r.{c.strip()}" for c in _META.split(",")) + ", d.batch, "
    "(SELECT MAX(c.id) FROM corrections c WHERE c.report_id = r.document_id) AS newest_correction, "
    "(SELECT COUNT(*) FROM corrections c WHERE c.report_id = r.document_id) AS n_corrections, "
    "(SELECT MAX(v.id) FROM reviews v WHERE v.report_id = r.document_id) AS newest_review, "
    "(SELECT COUNT(*) FROM reviews v WHERE v.report_id = r.document_id) AS n_reviews, "
    "d.sha256, d.media_type, "
    "(SELECT COUNT(*) FROM collect_documents cd WHERE cd.sha256 = d.sha256) AS n_collected, "
    # stored findings (replaced only by a re-parse, which changes the batch): none, none to read
    "(SELECT COUNT(*) FROM findings f WHERE f.report_id = r.document_id) AS n_findings, "
    # the report's text when the page will need it (its signature date) and has not read it yet
    "CASE WHEN :sections THEN r.sections END AS sections "
    "FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.document_id = :id")
_STATE_EXTRA = ("batch", "newest_correction", "n_corrections", "newest_review", "n_reviews")
_DOCUMENT_EXTRA = ("sha256", "media_type", "n_collected", "n_findings", "sections")


@dataclass(slots=True)
class _Parts:
    """What a report page computes from the database besides its row: the same for every user
    (what a visitor may not see is left out when it is shown, by ``to_dict`` and the templates).
    The page's model is made on first use, once (the report JSON needs only the findings)."""

    effective: EffectiveReport
    findings: list[FindingView]  # with their review keys and decisions
    corrections: list[CorrectionRecord]
    reviews: list[ReviewRecord]
    lang: str
    _view: ReportView | None = None

    def view(self) -> ReportView:
        if self._view is None:  # two threads may both make it: the same view, one kept
            self._view = report_view(self.effective.report, latest_decisions(self.reviews), self.lang)
        return self._view


REPORT_CACHE_ENV = "GONGKAI_WEB_REPORT_CACHE_MB"
REPORT_CACHE_ENTRIES = 2_000
REPORT_CACHE_MB = 64  # per server process; a report's parts take ~0.28 MB (200 cells, views, HTML)


def _weight(parts: _Parts) -> int:
    """About the bytes a report's parts hold (tracemalloc: ~280 KB for 200 cells and 10 findings
    with the tables' HTML; ~1.35 KB a cell with its value, its ``<td>`` and its HTML, ~1 KB a
    finding, correction or review)."""
    report = parts.effective.report
    return 8_192 + 1_350 * len(report.cells) + 1_000 * (len(report.findings) + len(parts.corrections)
                                                        + len(parts.reviews))


def _cache_megabytes() -> int:
    try:
        return max(0, int(os.environ.get(REPORT_CACHE_ENV, REPORT_CACHE_MB)))
    except ValueError:
        return REPORT_CACHE_MB


_CACHES: weakref.WeakKeyDictionary[Engine, BoundedCache[tuple[tuple[Any, ...], _Parts]]] = \
    weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def report_cache(engine: Engine) -> BoundedCache[tuple[tuple[Any, ...], _Parts]]:
    """The cache of report parts of one database (one per engine: an app, or a test, over another
    database never sees these). Bounded by entries and by bytes (``GONGKAI_WEB_REPORT_CACHE_MB``,
    default 64; 0 turns it off); each entry is checked against the database on every use."""
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = BoundedCache(REPORT_CACHE_ENTRIES, max_bytes=_cache_megabytes() * 1024 * 1024,
                                 size=lambda entry: _weight(entry[1]))
            _CACHES[engine] = cache
        return cache


def _parts(conn: Connection, report_id: int, lang: str, *, n_corrections: int = 1, n_reviews: int = 1,
           n_findings: int = 1, meta: Any = None) -> _Parts:
    """The parts, reading corrections, reviews and findings only when the state counted some;
    ``meta``: the report's row, read with the state (else read again)."""
    effective = effective_report(conn, report_id, corrected=n_corrections > 0, found=n_findings > 0,
                                 meta=meta)
    if effective is None:  # deleted since its row was read
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    history = reviews(conn, report_id) if n_reviews else []
    trail = corrections(conn, report_id) if n_corrections else []
    return _Parts(effective, findings_view(effective.report.findings, latest_decisions(history)), trail,
                  history, lang)


def report_bundle(conn: Connection, report_id: int, lang: str = "zh", *, sections: bool = False
                  ) -> ReportBundle:
    """The report as a page shows it. Its row is read every time, with what the rest depends on
    (the parse, the newest correction and review); the rest — cells, findings with decisions,
    the form's tables, the audit trail — comes from :func:`report_cache` when nothing of that
    changed since, whichever process or command changed it. ``sections``: the caller wants the
    report's stored text (``document["sections"]``, JSON) when the report's parts are not cached
    (a page read for the first time: its signature date is not known either)."""
    cache = report_cache(conn.engine)
    key = (report_id, lang)  # the view's words are in the page's language
    cached = cache.get(key)
    row = conn.execute(_STATE_SQL, {"id": report_id, "sections": sections and cached is None}).first()
    if row is None:
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    values = dict(row._mapping)
    document = {k: values.pop(k) for k in _DOCUMENT_EXTRA}
    state = tuple(values.pop(k) for k in _STATE_EXTRA)
    document["batch"] = state[0]
    if cached is not None and cached[0] == state:
        parts = cached[1]
    else:
        # read after the state: a write in between is in the parts or not, but it changed the
        # state (every part of it only grows: new ids, a new parse token), so the next page,
        # reading the newer state, computes them again — parts are never kept past a write
        parts = _parts(conn, report_id, lang, n_corrections=state[2], n_reviews=state[4],
                       n_findings=document["n_findings"], meta=SimpleNamespace(**values, **document))
        if cache.max_bytes:
            cache.put(key, (state, parts))
    return ReportBundle(values, parts, document)


@dataclass(slots=True)
class CellDetail:
    path: str
    label: str
    cell: CellValue
    parsed: CellValue | None  # as the parser gave it, when corrected
    history: list[CorrectionRecord]


def cell_detail(conn: Connection, report_id: int, path: str) -> CellDetail:
    bundle = report_bundle(conn, report_id)  # a click on a cell: the page's report, cached
    cell = bundle.effective.report.cells.get(path)
    if cell is None:
        raise HTTPException(404, f"报告 {report_id} 没有单元格 {path}")
    history = [c for c in bundle.corrections if c.path == path]
    return CellDetail(path, TEMPLATE.cell_label(path), cell, bundle.effective.parsed.get(path), history)
