"""The official form as data: section headings and the three tables, cell by cell.

Everything is derived from :data:`gongkai.template.TEMPLATE` (labels, columns, rows, groups);
this module only knows the shape of the official grids (template.md §2–§4), so the DOCX, XLSX,
HTML and Markdown writers lay out exactly the same tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from typing import Literal

from ..template import TEMPLATE, TableShape
from ..template.model import ApplicationGroup, ApplicationRow, Label

CellRole = Literal["caption", "header", "label", "value"]

# The official form prints full-width brackets, colon and comma; template.yaml stores labels in
# their normalised ASCII form (template.yaml's header says why).
_OFFICIAL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})
_QUOTES = "“”\"'‘’「」"


def official(text: str) -> str:
    """A normalised template label in the official form's typography."""
    return text.translate(_OFFICIAL)


def printed(label: Label) -> str:
    """The label as the form prints it: a variant that only adds quotation marks (as in
    3.危及“三安全一稳定”) wins over the quote-less canonical text."""
    for variant in label.variants:
        if variant != label.text and variant.translate({ord(q): None for q in _QUOTES}) == label.text:
            return official(variant)
    return official(label.text)


@dataclass(frozen=True, slots=True)
class FormCell:
    """A cell of a form table at grid position (row, col), spanning rows × cols."""

    row: int
    col: int
    rows: int
    cols: int
    text: str
    role: CellRole
    path: str | None = None  # template cell path of a value cell


@dataclass(frozen=True, slots=True)
class FormTable:
    section: str  # the section key the table belongs to (active_disclosure, …)
    n_rows: int
    n_cols: int
    cells: tuple[FormCell, ...]
    widths: tuple[float, ...]  # relative column widths, summing to 1

    def grid(self) -> list[list[FormCell | None]]:
        """Each grid position → the cell that starts there (None where a merge covers it)."""
        grid: list[list[FormCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            grid[cell.row][cell.col] = cell
        return grid


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    role: Literal["title", "heading", "text"]


Block = Paragraph | FormTable


def value_text(value: int | float | None) -> str:
    """A cell value as printed: integers plainly, amounts without binary noise, null as ""."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value)


def _widths(weights: Sequence[float]) -> tuple[float, ...]:
    total = sum(weights)
    return tuple(w / total for w in weights)


# ---------------------------------------------------------------------------- table 2

def active_disclosure(shape: TableShape) -> FormTable:
    """Table 2: blocks of caption, header and rows. Value columns follow the union of each
    block's equal divisions (4 grid columns in 2021, 5 in 2019 where 3- and 2-column blocks
    meet), so a block with fewer columns spans several grid columns."""
    blocks = TEMPLATE.disclosure_blocks[shape.edition]
    bounds = sorted({Fraction(i, len(b.columns)) for b in blocks for i in range(len(b.columns) + 1)})
    n_cols = len(bounds)  # label column + (len(bounds) - 1) value columns
    index = {bound: i for i, bound in enumerate(bounds)}
    cells: list[FormCell] = []
    r = 0
    for block in blocks:
        k = len(block.columns)
        ranges = [(1 + index[Fraction(i, k)], index[Fraction(i + 1, k)] - index[Fraction(i, k)])
                  for i in range(k)]
        cells.append(FormCell(r, 0, 1, n_cols, official(block.caption.text), "caption"))
        r += 1
        cells.append(FormCell(r, 0, 1, 1, official(TEMPLATE.disclosure_header.text), "header"))
        for (c, span), column in zip(ranges, block.columns, strict=True):
            cells.append(FormCell(r, c, 1, span, printed(column.label), "header"))
        r += 1
        for row in block.rows:
            cells.append(FormCell(r, 0, 1, 1, printed(row.label), "label"))
            for (c, span), column in zip(ranges, block.columns, strict=True):
                cells.append(FormCell(r, c, 1, span, "", "value",
                                      f"active_disclosure.{row.key}.{column.key}"))
            r += 1
    value_widths = [float(b - a) * 3 for a, b in pairwise(bounds)]
    return FormTable("active_disclosure", r, n_cols, tuple(cells), _widths([1.0, *value_widths]))


# ---------------------------------------------------------------------------- table 3

def printed_application_rows(shape: TableShape) -> tuple[ApplicationRow, ...]:
    """Table 3's printed rows: the shape's rows, the hybrid printing （六） as one row."""
    keys = set(TEMPLATE.application_row_keys(shape))
    single = {g.key for g in _subgroups_printed_as_rows(shape)}
    return tuple(r for r in TEMPLATE.application_rows if r.key in keys and r.group not in single)


def _subgroups_printed_as_rows(shape: TableShape) -> list[ApplicationGroup]:
    """Groups that a table shape prints as a single row (the hybrid's （六）其他处理)."""
    if not shape.hybrid:
        return []
    single = {r.marker + r.label.text for r in TEMPLATE.application_rows if r.key == "other"}
    return [g for g in TEMPLATE.application_groups if g.marker + g.label.text in single]


def _chain(row: ApplicationRow, groups: dict[str, ApplicationGroup]) -> list[ApplicationGroup]:
    """The row's groups, outermost first (三、本年度办理结果, then （三）不予公开 …)."""
    chain: list[ApplicationGroup] = []
    key = row.group
    while key is not None:
        group = groups[key]
        chain.insert(0, group)
        key = group.parent
    return chain


def applications(shape: TableShape) -> FormTable:
    """Table 3: a three-row header over seven value columns, three label columns whose groups
    are merged down over their items."""
    columns = TEMPLATE.application_columns
    n_values = len(columns)
    n_labels = 3
    n_cols = n_labels + n_values
    applicant, organisations = TEMPLATE.application_header_labels
    cells = [
        FormCell(0, 0, 3, n_labels, official(TEMPLATE.application_note.text), "header"),
        FormCell(0, n_labels, 1, n_values, official(applicant), "header"),
        FormCell(1, n_labels, 2, 1, printed(columns[0].label), "header"),
        FormCell(1, n_labels + 1, 1, n_values - 2, official(organisations), "header"),
        FormCell(1, n_cols - 1, 2, 1, printed(columns[-1].label), "header"),
    ]
    cells += [FormCell(2, n_labels + i, 1, 1, printed(c.label), "header")
              for i, c in enumerate(columns[1:-1], start=1)]
    groups = {g.key: g for g in TEMPLATE.application_groups}
    rows = printed_application_rows(shape)
    chains = [_chain(row, groups) for row in rows]
    first = 3
    for i, (row, chain) in enumerate(zip(rows, chains, strict=True)):
        r = first + i
        for depth, group in enumerate(chain):
            if i and len(chains[i - 1]) > depth and chains[i - 1][depth] is group:
                continue  # merged into the cell above
            run = 1
            while i + run < len(rows) and len(chains[i + run]) > depth and chains[i + run][depth] is group:
                run += 1
            cells.append(FormCell(r, depth, run, 1, official(group.marker) + printed(group.label),
                                  "label"))
        depth = len(chain)
        cells.append(FormCell(r, depth, 1, n_labels - depth,
                              official(row.marker) + printed(row.label), "label"))
        cells += [FormCell(r, n_labels + j, 1, 1, "", "value", f"applications.{row.key}.{c.key}")
                  for j, c in enumerate(columns)]
    # the official form's proportions: narrow group columns, a wide item column
    widths = _widths([754, 921, 3271] + [685] * n_values)
    return FormTable("applications", first + len(rows), n_cols, tuple(cells), widths)


# ---------------------------------------------------------------------------- table 4

def review_litigation() -> FormTable:
    """Table 4: 行政复议 over its five columns; 行政诉讼 over two groups of five."""
    groups = TEMPLATE.review_groups
    columns = TEMPLATE.review_columns
    k = len(columns)
    review, litigation = TEMPLATE.review_header_labels
    n_cols = k * len(groups)
    cells = [FormCell(0, 0, 1, k, official(review), "header"),
             FormCell(0, k, 1, n_cols - k, official(litigation), "header")]
    cells += [FormCell(1, i, 2, 1, printed(c.label), "header") for i, c in enumerate(columns)]
    for g, group in enumerate(groups[1:], start=1):
        cells.append(FormCell(1, g * k, 1, k, printed(group.label), "header"))
        cells += [FormCell(2, g * k + i, 1, 1, printed(c.label), "header")
                  for i, c in enumerate(columns)]
    cells += [FormCell(3, g * k + i, 1, 1, "", "value", f"review_litigation.{group.key}.{c.key}")
              for g, group in enumerate(groups) for i, c in enumerate(columns)]
    return FormTable("review_litigation", 4, n_cols, tuple(cells), _widths([1.0] * n_cols))


# ---------------------------------------------------------------------------- the whole form

def tables(shape: TableShape) -> dict[str, FormTable]:
    return {"active_disclosure": active_disclosure(shape), "applications": applications(shape),
            "review_litigation": review_litigation()}


def heading(section_key: str) -> str:
    section = next(s for s in TEMPLATE.sections if s.key == section_key)
    return f"{section.number}、{official(section.label.text)}"


# The blank form's title carries two fields to fill in, agency and year: the filled form reads
# 「某某镇人民政府2023年度政府信息公开工作年度报告」 and gongkai check takes the agency and year from it.
# (A paragraph, not extra cells: the DOCX stays the official form, table for table.)
BLANK_TITLE = "政府信息公开工作年度报告"
AGENCY_FIELD, YEAR_FIELD = "（单位全称）", "（年份）"
FIELDS_HINT = (f"↑ 填写说明：把标题中的“{AGENCY_FIELD}”“{YEAR_FIELD}”换成单位全称和年份"
               "（如：某某县某某镇人民政府2023年度政府信息公开工作年度报告），再填写各表")


def title_fields() -> Paragraph:
    """The blank form's title with its agency and year fields."""
    return Paragraph(f"{AGENCY_FIELD}{YEAR_FIELD}年度{BLANK_TITLE}", "title")


def blocks(shape: TableShape, title: str | None, texts: dict[str, str] | None = None) -> list[Block]:
    """Title, the six section headings, each table after its heading, and the prose of the
    sections without a table (one paragraph per line)."""
    by_section = tables(shape)
    result: list[Block] = []
    if title == BLANK_TITLE:  # the blank form: its title line holds the agency and year to fill in
        result += [title_fields(), Paragraph(FIELDS_HINT, "text")]
    elif title:
        result.append(Paragraph(title, "title"))
    for section in TEMPLATE.sections:
        text = heading(section.key)
        result.append(Paragraph(text, "heading"))
        table = by_section.get(section.key)
        if table is not None:
            result.append(table)
            continue
        for line in (texts or {}).get(section.key, "").splitlines():
            line = line.strip()
            if line and line != text:
                result.append(Paragraph(line, "text"))
    return result
