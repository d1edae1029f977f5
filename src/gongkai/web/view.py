"""The report page's model: tables 2–4 laid out by :mod:`gongkai.render.form` (the same grids the
DOCX/XLSX/HTML writers use), each value cell with its status and the findings that name it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import REVIEW_DECISION_ZH as DECISION_ZH  # the words, from the one catalogue
from ..messages import SEVERITY_ZH, STATUS_ZH
from ..render.form import FormTable, heading, tables, value_text
from ..report import CellValue, Finding, Report
from ..store.review import ReviewRecord, finding_key
from ..template import TEMPLATE

__all__ = ["DECISION_ZH", "SEVERITY_ZH", "STATUS_ZH", "ReportView", "report_view"]


@dataclass(slots=True)
class TdView:
    """One ``<td>``: a label/header cell, or a value cell with its status and marks."""

    text: str
    role: str
    rows: int
    cols: int
    path: str | None = None
    status: str | None = None
    severity: str | None = None  # the worst open finding naming the cell
    title: str = ""


@dataclass(slots=True)
class TableView:
    key: str
    heading: str
    rows: list[list[TdView]]


@dataclass(slots=True)
class FindingView:
    key: str
    rule: str
    severity: str
    message: str
    cells: list[str]
    evidence: str | None
    line: int | None
    decision: ReviewRecord | None = None

    message_en: str = ""  # the page in English shows this one
    @property
    def open(self) -> bool:
        return self.decision is None or self.decision.decision == "confirmed"


@dataclass(slots=True)
class ReportView:
    tables: list[TableView]
    findings: list[FindingView]
    counts: dict[str, int] = field(default_factory=dict)


_RANK = {"error": 3, "warning": 2, "info": 1}


def findings_view(findings: list[Finding], decisions: dict[str, ReviewRecord]) -> list[FindingView]:
    views = []
    for finding in findings:
        key = finding_key(finding.rule, finding.cells)
        views.append(FindingView(key, finding.rule, finding.severity, finding.message, list(finding.cells),
                                 finding.evidence, finding.line, decisions.get(key), finding.message_en))
    return views


def _cell_marks(findings: list[FindingView]) -> dict[str, str]:
    """cell path → the worst severity of the findings naming it that are not dismissed."""
    marks: dict[str, str] = {}
    for finding in findings:
        if not finding.open:
            continue
        for path in finding.cells:
            if _RANK.get(finding.severity, 0) > _RANK.get(marks.get(path, ""), 0):
                marks[path] = finding.severity
    return marks


def _table(form: FormTable, cells: dict[str, CellValue], marks: dict[str, str]) -> TableView:
    rows: list[list[TdView]] = []
    for grid_row in form.grid():
        row: list[TdView] = []
        for cell in grid_row:
            if cell is None:
                continue
            if cell.role != "value" or not cell.path:
                row.append(TdView(cell.text, cell.role, cell.rows, cell.cols))
                continue
            value = cells.get(cell.path)
            status = value.status if value else "missing"
            title = f"{TEMPLATE.cell_label(cell.path)} · {STATUS_ZH.get(status, status)}"
            if value and value.rule:
                title += f"（{value.rule}）"
            row.append(TdView(value_text(value.value) if value else "", "value", cell.rows, cell.cols,
                              cell.path, status, marks.get(cell.path), title))
        rows.append(row)
    return TableView(form.section, heading(form.section), rows)


def report_view(report: Report, decisions: dict[str, ReviewRecord]) -> ReportView:
    findings = findings_view(report.findings, decisions)
    layout = report.layout
    tables_view: list[TableView] = []
    if layout is not None:
        marks = _cell_marks(findings)
        tables_view = [_table(form, report.cells, marks) for form in tables(layout).values()]
    counts: dict[str, int] = {}
    for cell in report.cells.values():
        counts[cell.status] = counts.get(cell.status, 0) + 1
    return ReportView(tables_view, findings, counts)
