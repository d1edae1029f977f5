"""What a report page and its JSON both show: the corrected report, its findings with decisions,
the audit trail, and one cell with its history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import HTTPException, Path
from sqlalchemy import Connection, text

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
from .timefmt import iso
from .view import ReportView, report_view

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
    effective: EffectiveReport
    view: ReportView
    corrections: list[CorrectionRecord]
    reviews: list[ReviewRecord]

    def to_dict(self, *, anonymous: bool = False) -> dict[str, Any]:
        """The report JSON; ``anonymous``: without reviewers' names and server paths."""
        report = self.effective.report
        data = report.to_dict()
        data.pop("sections", None)  # served by /api/reports/{id}/sections (may need a re-parse)
        data.pop("section_lines", None)
        data["findings"] = [{**f.to_dict(), "key": v.key, "open": v.open,
                             "decision": _decision(v.decision, anonymous)}
                            for f, v in zip(report.findings, self.view.findings, strict=True)]
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
    row = conn.execute(text(f"SELECT {_META} FROM reports WHERE document_id = :id"),
                       {"id": report_id}).first()
    if row is None:
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    return dict(row._mapping)


def report_bundle(conn: Connection, report_id: int) -> ReportBundle:
    meta = report_meta(conn, report_id)
    effective = effective_report(conn, report_id)
    assert effective is not None  # the row exists: report_meta found it
    history = reviews(conn, report_id)
    view = report_view(effective.report, latest_decisions(history))
    return ReportBundle(meta, effective, view, corrections(conn, report_id), history)


@dataclass(slots=True)
class CellDetail:
    path: str
    label: str
    cell: CellValue
    parsed: CellValue | None  # as the parser gave it, when corrected
    history: list[CorrectionRecord]


def cell_detail(conn: Connection, report_id: int, path: str) -> CellDetail:
    bundle_report = effective_report(conn, report_id)
    if bundle_report is None:
        raise HTTPException(404, f"没有编号为 {report_id} 的报告")
    cell = bundle_report.report.cells.get(path)
    if cell is None:
        raise HTTPException(404, f"报告 {report_id} 没有单元格 {path}")
    history = [c for c in corrections(conn, report_id) if c.path == path]
    return CellDetail(path, TEMPLATE.cell_label(path), cell, bundle_report.parsed.get(path), history)
