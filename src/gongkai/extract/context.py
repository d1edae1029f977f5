"""State shared by the extraction steps of one document, and how they report findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..report import CellValue, Finding
from ..template import TEMPLATE, Layout
from .align import Alignment
from .segment import Segment


@dataclass
class Pending:
    """A row whose values could be read more than one way: settled later by other rows."""

    segment: Segment
    paths: list[str]
    alignment: Alignment
    finding: Finding


@dataclass
class Context:
    layout: Layout
    cells: dict[str, CellValue]
    findings: list[Finding]
    pending: list[Pending] = field(default_factory=list)
    # rows whose printed values could not all be placed: (cell paths, printed values, readings)
    unplaced: list[tuple[list[str], list, list[tuple]]] = field(default_factory=list)


def add_finding(context: Context, rule: str, severity: str, zh: str, en: str, *,
             cells: list[str] | None = None, line: int | None = None) -> None:
    context.findings.append(Finding(rule=rule, severity=severity, message=zh, message_en=en,  # type: ignore[arg-type]
                                    cells=cells or [], line=line))


def row_name(segment: Segment) -> str:
    if segment.table == 4:
        return "表四"
    table = "applications" if segment.table == 3 else "active_disclosure"
    number = "表三" if segment.table == 3 else "表二"
    return f"{number}「{TEMPLATE.row_label(f'{table}.{segment.key}')}」行"


def column_name(path: str) -> str:
    table, row, column = path.split(".")
    if table == "review_litigation":
        return f"{TEMPLATE.row_label(f'{table}.{row}')}·{TEMPLATE.column_label(table, column)}"
    return f"「{TEMPLATE.column_label(table, column) if table != 'active_disclosure' else column}」"
