"""The report page's model: tables 2–4 laid out by :mod:`gongkai.render.form` (the same grids the
DOCX/XLSX/HTML writers use), each value cell with its status and the findings that name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from ..messages import REVIEW_DECISION_ZH as DECISION_ZH  # the words, from the one catalogue
from ..messages import SEVERITY_ZH, STATUS_ZH, WEB
from ..render.form import heading, tables, value_text
from ..report import CellValue, Finding, Report
from ..store.review import ReviewRecord, finding_key
from ..template import TableShape
from .words import cell_label

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
    _html: Markup | None = field(default=None, repr=False, compare=False)

    def tables_html(self, report_id: int) -> Markup:
        """The form's tables as the report page shows them (made once per view: a view is cached
        with its report, :func:`gongkai.web.data.report_bundle`)."""
        if self._html is None:
            self._html = tables_html(self.tables, report_id)
        return self._html


def _escaped(text: str) -> str:
    """``text`` escaped for HTML (text and attribute values). Plain strings are kept: a report's
    tables repeat their texts from report to report — paths, statuses, titles, headers, common
    numbers — and a page's tables are ~1,000 escapes, most of them of a text escaped before.
    (Markup, already safe, is never looked up there: it equals the plain string it holds.)"""
    return _escaped_str(text) if type(text) is str else str(escape(text))


@lru_cache(maxsize=16_384)
def _escaped_str(text: str) -> str:
    return str(escape(text))


@lru_cache(maxsize=256)
def _spans(rows: int, cols: int) -> str:
    return (f'rowspan="{rows}"' if rows > 1 else "") + " " + (f'colspan="{cols}"' if cols > 1 else "")


def tables_html(tables_view: list[TableView], report_id: int) -> Markup:
    """The ``<h2>`` and ``<table>`` of each table, every value cell with its status, marks, title
    and the htmx request of its panel. Written here rather than in the template: a report page
    printed ~250 cells through Jinja, 1,500 escapes and lookups, half the CPU of the page. Every
    text is escaped."""
    out: list[str] = []
    for table in tables_view:
        out.append(f'<h2 class="data">{_escaped(table.heading)}</h2>\n'
                   f'<table class="form data" id="table-{_escaped(table.key)}">\n')
        for row in table.rows:
            out.append("<tr>")
            for td in row:
                if td.role == "value":
                    path = _escaped(td.path or "")
                    marks = f" f-{_escaped(td.severity)}" if td.severity else ""
                    out.append(f'<td class="value s-{_escaped(td.status or "")}{marks}" data-path="{path}" '
                               f'title="{_escaped(td.title)}" tabindex="0" '
                               f'hx-get="/reports/{int(report_id)}/cells/{path}" hx-target="#cell-panel" '
                               f'{_spans(td.rows, td.cols)}>{_escaped(td.text)}</td>')
                else:
                    out.append(f'<td class="{_escaped(td.role)}" {_spans(td.rows, td.cols)}>'
                               f'{_escaped(td.text)}</td>')
            out.append("</tr>\n")
        out.append("</table>\n")
    return Markup("".join(out))  # every piece above is escaped


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


@dataclass(frozen=True, slots=True)
class _Slot:
    """A value cell of a table shape's grid, with what is the same for every report: its label."""

    path: str
    rows: int
    cols: int
    label: str


@dataclass(frozen=True, slots=True)
class _Grid:
    key: str
    heading: str
    rows: tuple[tuple[TdView | _Slot, ...], ...]  # label/header cells as they are shown, value slots


@lru_cache(maxsize=16)  # one entry per table shape (2019, 2021, 2021 hybrid) and language
def _grids(shape: TableShape, lang: str = "zh") -> tuple[_Grid, ...]:
    """The form's tables for a table shape, laid out once: the grid, the label and header cells and each
    value cell's label do not depend on the report (they cost a report page 1 ms each time)."""
    grids = []
    for form in tables(shape).values():
        rows = []
        for grid_row in form.grid():
            row: list[TdView | _Slot] = []
            for cell in grid_row:
                if cell is None:
                    continue
                if cell.role != "value" or not cell.path:
                    row.append(TdView(cell.text, cell.role, cell.rows, cell.cols))
                else:
                    row.append(_Slot(cell.path, cell.rows, cell.cols, cell_label(cell.path, lang)))
            rows.append(tuple(row))
        grids.append(_Grid(form.section, heading(form.section), tuple(rows)))
    return tuple(grids)


def status_word(status: str, lang: str = "zh") -> str:
    """A cell status as the page says it (读取 / read …; an unknown status as it is)."""
    words = WEB.get(f"status.{status}")
    if words is None:
        return STATUS_ZH.get(status, status)
    return words[1] if lang == "en" else words[0]


def _table(grid: _Grid, cells: dict[str, CellValue], marks: dict[str, str], lang: str) -> TableView:
    rows: list[list[TdView]] = []
    for grid_row in grid.rows:
        row: list[TdView] = []
        for slot in grid_row:
            if isinstance(slot, TdView):
                row.append(slot)  # shared by every report's view: never changed
                continue
            value = cells.get(slot.path)
            status = value.status if value else "missing"
            title = f"{slot.label} · {status_word(status, lang)}"
            if value and value.rule:
                title += f"（{value.rule}）"
            row.append(TdView(value_text(value.value) if value else "", "value", slot.rows, slot.cols,
                              slot.path, status, marks.get(slot.path), title))
        rows.append(row)
    return TableView(grid.key, grid.heading, rows)


def report_view(report: Report, decisions: dict[str, ReviewRecord], lang: str = "zh") -> ReportView:
    """The page's model of a report; ``lang``: the words of the cells' titles (name, status)."""
    findings = findings_view(report.findings, decisions)
    shape = report.shape
    tables_view: list[TableView] = []
    if shape is not None:
        marks = _cell_marks(findings)
        tables_view = [_table(grid, report.cells, marks, lang) for grid in _grids(shape, lang)]
    counts: dict[str, int] = {}
    for cell in report.cells.values():
        counts[cell.status] = counts.get(cell.status, 0) + 1
    return ReportView(tables_view, findings, counts)
