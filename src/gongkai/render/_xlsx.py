"""XLSX writer (openpyxl): one sheet, the three tables one below the other, bordered and
merged like the official form; value cells hold numbers, coloured by status when the report
has statuses other than ``read``."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .form import Block, FormTable, Paragraph

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from . import Lookup

SHEET_TITLE = "年度报告"
# Light fills a reviewer can tell apart at a glance; "read" stays white.
# "corrected" is the store's: a reviewer's value layered over the parsed one (yellow)
STATUS_FILLS = {"blank": "EDEDED", "missing": "F8CBAD", "inferred": "DDEBF7", "corrected": "FFF2CC"}

_SIDE = Side(style="thin", color="000000")
_BORDER = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Column widths (characters) chosen for table 3, the widest text: group, group, item, values.
_WIDTHS = {1: 14, 2: 14, 3: 34}
_VALUE_WIDTH = 10


def write_table(sheet: Worksheet, form: FormTable, top: int, lookup: Lookup) -> None:
    """One table of the official form into ``sheet`` from row ``top`` on, each value cell
    coloured by its status (the store's official-layout export uses it too)."""
    for r in range(form.n_rows):
        for c in range(form.n_cols):
            cell = sheet.cell(top + r, 1 + c)
            cell.border = _BORDER  # every position, so merged ranges keep their inner edges
            cell.alignment = _CENTER
    for spec in form.cells:
        cell = sheet.cell(top + spec.row, 1 + spec.col)
        if spec.role == "value" and spec.path:
            value = lookup(spec.path)
            if value is not None:
                cell.value = value.value
                fill = STATUS_FILLS.get(value.status)
                if fill:
                    cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
                if value.status in ("inferred", "missing") and (value.rule or value.note):
                    detail = " ".join(x for x in (value.status, value.rule, value.note) if x)
                    cell.comment = Comment(detail, "gongkai")
        else:
            cell.value = spec.text
            if spec.role in ("caption", "header"):
                cell.font = Font(bold=spec.role == "caption")
            if spec.role == "label" and spec.cols >= 2:
                cell.alignment = _LEFT
        if spec.rows > 1 or spec.cols > 1:
            sheet.merge_cells(start_row=top + spec.row, start_column=1 + spec.col,
                              end_row=top + spec.row + spec.rows - 1,
                              end_column=1 + spec.col + spec.cols - 1)


def write(blocks: list[Block], lookup: Lookup, title: str | None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    if title:
        workbook.properties.title = title
    width = max((b.n_cols for b in blocks if isinstance(b, FormTable)), default=1)
    for column in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(column, _VALUE_WIDTH)
    row = 1
    for block in blocks:
        if isinstance(block, Paragraph):
            cell = sheet.cell(row, 1, block.text)
            if block.role == "title":
                cell.font = Font(bold=True, size=14)
            elif block.role == "heading":
                cell.font = Font(bold=True)
            row += 1
        else:
            write_table(sheet, block, row, lookup)
            row += block.n_rows + 1  # a blank row after each table
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
