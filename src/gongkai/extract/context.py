"""State shared by the extraction steps of one document, and how they report findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, cast

from ..report import CellValue, Finding, Number, Severity
from ..template import TEMPLATE, Equation, TableShape
from ..template.model import Notice, Rule
from .align import Alignment, sides_possible
from .lexer import Token
from .segment import Segment


@dataclass
class Pending:
    """A row whose values could be read more than one way: settled later by other rows."""

    segment: Segment
    paths: list[str]
    alignment: Alignment
    finding: Finding


@dataclass
class TextReading:
    """What align() needs to read a row from its text alone, without the row's arithmetic:
    weighed only for a report whose sums fail (most never need it). ``every``: all the cells
    decided count as chosen (a page number among the row's values was weighed both ways)."""

    tokens: list[Token]
    exact: bool
    groups: list[int] | None
    delimited: bool
    wraps: bool
    guessed: bool
    blanks_vanish: bool
    every: bool


@dataclass
class Chosen:
    """Cells of one row whose values the arithmetic chose among the readings the text allows."""

    segment: Segment
    paths: list[str]  # the cells chosen (until ``text`` is weighed: every cell decided)
    row: list[str]  # all the row's cells, the order of ``readings``
    # every reading of the row the text allows, as values (None: a cell it leaves open); None
    # when there were too many to list
    readings: list[tuple[Number | None, ...]] | None
    finding: Finding | None = None
    text: TextReading | None = None


@dataclass
class Context:
    shape: TableShape
    cells: dict[str, CellValue]
    findings: list[Finding]
    pending: list[Pending] = field(default_factory=list)
    # rows whose printed values could not all be placed: (cell paths, printed values, readings)
    unplaced: list[tuple[list[str], list[Number | None], list[tuple[Number | None, ...]]]] = field(
        default_factory=list)
    # cells of rows left undecided because the text looks out of order: their values may be
    # among the numbers no row took, so the arithmetic does not fill them either
    doubted: set[str] = field(default_factory=set)
    # the text wraps numbers too wide for their cells somewhere (a row printed more numbers than
    # cells): rows printing fewer may hold a wrapped number's pieces as well
    wraps: bool = False
    # some table-3 row prints fewer digits than it has cells: the text drops blank cells, and
    # their separators with them
    blanks_vanish: bool = False
    # some table-3 or table-4 row runs values together (「02」, digits glued to a label): a row
    # printing fewer values than cells may have lost a separator, not a cell
    runs_together: bool = False
    # P-ALIGN findings of rows printing fewer values than cells, by id (each kept alive here, so
    # that no later finding takes its id) → the finding and how many values the row printed
    short_rows: dict[int, tuple[Finding, int]] = field(default_factory=dict)
    # rows where the arithmetic chose among readings the text allows: the row, the cells it
    # chose, and the P-SETTLED finding that says so (if any). Such a choice is only as sound as
    # the report's sums: settle.doubt_choices_in_broken_tables takes it back where they fail
    chosen: list[Chosen] = field(default_factory=list)


def breaks_printed(cells: dict[str, CellValue], equation: Equation) -> bool:
    """Does the equation fail on values all read from the source (the report's own sums off, or
    values read in the wrong cells)? False while any term is not read."""
    if not all(cells[p].status == "read" and cells[p].value is not None for p in equation.paths):
        return False
    return sum(cells[p].value or 0 for p in equation.left) != sum(cells[p].value or 0 for p in equation.right)


def table_of(equation: Equation) -> str:
    """The section of the report (table) an equation's cells are in."""
    return equation.left[0].split(".", 1)[0]


def cannot_hold(cells: dict[str, CellValue], equation: Equation) -> bool:
    """Do the values read from the source already break the equation, whatever its other terms
    (blank, missing: unknown, never negative) turn out to be? (「— 1 — 0 0 0 0」: the parts hold at
    least 1, the total printed 0.) False while no side is fully read."""
    return not sides_possible(_read_sum(cells, equation.left), _read_sum(cells, equation.right))


def _read_sum(cells: dict[str, CellValue], paths: tuple[str, ...]) -> tuple[float, bool]:
    """The sum of the terms read from the source, and whether any other term is unknown."""
    total, unknown = 0.0, False
    for path in paths:
        cell = cells[path]
        if cell.status == "read" and cell.value is not None:
            total += cell.value
        else:
            unknown = True
    return total, unknown


def new_finding(rule: str, case: str, *, cells: list[str] | None = None, line: int | None = None,
                **values: Any) -> Finding:
    """A finding ``rule`` with the message and severity template.yaml gives its ``case``, the
    case's ``{placeholders}`` filled in from ``values`` (and ``line``)."""
    return _finding(rule, case, cells, line, values)


def _finding(rule: str, case: str, cells: list[str] | None, line: int | None, values: dict[str, Any]
             ) -> Finding:
    # (the particulars as one dict, not passed on as keywords: compiled, a call with **values goes
    # through the generic call and parses its keywords again at every hop)
    values["line"] = line
    zh, en, severity = _case(rule, case)
    return Finding(rule=rule, severity=cast(Severity, severity), message=zh.format_map(values),
                   message_en=en.format_map(values), cells=cells or [], line=line)


# (zh, en, severity) of each finding id and case asked for, as Template.message and .severity read
# them: the template runs interpreted, and two keyword calls into it per finding cost more than
# the formatting (format_map of the particulars: the same text as format(**particulars))
_CASES: Final[dict[tuple[str, str], tuple[str, str, str]]] = {}


def _case(rule: str, case: str) -> tuple[str, str, str]:
    found = _CASES.get((rule, case))
    if found is None:
        declared: Rule | Notice
        try:
            declared = TEMPLATE.notice(rule)  # (a notice first: Template._declared lets it win)
        except KeyError:
            declared = TEMPLATE.rule(rule)
        message = declared.messages[case]
        found = (message.zh, message.en, message.severity or declared.severity)
        _CASES[(rule, case)] = found
    return found


def add_finding(context: Context, rule: str, case: str, *, cells: list[str] | None = None,
                line: int | None = None, **values: Any) -> Finding:
    """Report :func:`new_finding` for the document; returns it."""
    finding = _finding(rule, case, cells, line, values)
    context.findings.append(finding)
    return finding


def extend_message(finding: Finding, case: str, **values: Any) -> None:
    """Add to a finding's message what template.yaml's ``case`` of its id says (how it ended)."""
    zh, en = TEMPLATE.message(finding.rule, case, **values)
    finding.message += zh
    finding.message_en += en


# a segment's table: its key
_TABLES: Final = {2: "active_disclosure", 3: "applications", 4: "review_litigation"}


def row_name(segment: Segment) -> str:
    """表三「(一)予以公开」行 — or 表四, whose rows its findings name by their cells."""
    key = (segment.table, segment.key)
    name = _ROW_NAMES.get(key)
    if name is None:
        table = _TABLES[segment.table]
        if segment.table == 4:
            name = TEMPLATE.tables[table].zh
        else:
            name = f"{TEMPLATE.tables[table].zh}「{TEMPLATE.row_label(f'{table}.{segment.key}')}」行"
        _ROW_NAMES[key] = name
    return name


# (made once per row: the template is looked up interpreted)
_ROW_NAMES: Final[dict[tuple[int, str], str]] = {}


@cache  # findings name the same few hundred cells over and over
def column_name(path: str) -> str:
    table, row, column = path.split(".")
    if table == "review_litigation":
        return f"{TEMPLATE.row_label(f'{table}.{row}')}·{TEMPLATE.column_label(table, column)}"
    if table == "active_disclosure":  # table 2's columns are named per block: the cell's own label
        return "「" + TEMPLATE.cell_label(path).rsplit("「", 1)[1]
    return f"「{TEMPLATE.column_label(table, column)}」"


def merge_short_rows(context: Context) -> None:
    """Several table-3 rows that each print fewer values than cells (a column lost in
    conversion) make one finding naming the first and last row, not one line per row."""
    short = [f for f in context.findings if id(f) in context.short_rows and f.cells
             and f.cells[0].startswith("applications.")]
    if len(short) < 3:
        return
    first, last = short[0], short[-1]
    counts = sorted({context.short_rows[id(f)][1] for f in short})
    printed = "、".join(map(str, counts))
    first_row = TEMPLATE.row_label(".".join(first.cells[0].split(".")[:2]))
    last_row = TEMPLATE.row_label(".".join(last.cells[0].split(".")[:2]))
    merged = new_finding("P-ALIGN", "short_rows", cells=[p for f in short for p in f.cells], line=first.line,
                         first=first_row, last=last_row, count=len(short), printed=printed,
                         first_key=first.cells[0].split(".")[1], last_key=last.cells[0].split(".")[1])
    merged_ids = {id(f) for f in short}  # the very findings (equal ones may stand elsewhere)
    at = next(i for i, f in enumerate(context.findings) if f is first)
    context.findings[:] = [f for f in context.findings if id(f) not in merged_ids]
    context.findings.insert(at, merged)
