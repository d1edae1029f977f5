"""Spreadsheet sheets for people: a frame written into an openpyxl worksheet with a frozen, bold
header, column widths fitted to its text, number formats (counts ``0``, shares ``0.0%``, dates
``yyyy-mm-dd``), and text that a spreadsheet would run as a formula kept text.

The supervisor's workbook (:mod:`gongkai.store.workbook`) and the codebook's sheet
(:mod:`gongkai.store.codebook`) are both laid out this way.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any

import pandas as pd

from .export import FORMULA_START

__all__ = ["MAX_WIDTH", "format_sheet", "write_frame"]

_HEADER_FILL = "DDEBF7"
_PERCENT_COLUMNS = ("公开率", "占比", "rate", "share")
_DATE_COLUMNS = ("published", "signed", "deadline", "发布日期", "落款日期", "法定期限")
MAX_WIDTH = 60


def _text_width(value: Any) -> int:
    text = str(value) if value is not None else ""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def format_sheet(sheet: Any, percent: tuple[str, ...] = _PERCENT_COLUMNS) -> None:
    """Bold filled header, frozen below it, widths fitted to the text (at most MAX_WIDTH), whole
    numbers ``0``, shares ``0.0%``, dates ``yyyy-mm-dd``."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    if sheet.max_row < 1:
        return
    widths: dict[int, int] = {}
    headers = [c.value for c in sheet[1]]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 500)):
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), _text_width(cell.value))
    for index, header in enumerate(headers, start=1):
        name = str(header or "")
        share = any(p in name for p in percent)
        is_date = any(p == name or name.endswith(p) for p in _DATE_COLUMNS)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, bool):
                continue
            if is_date and isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif share and isinstance(cell.value, float):
                cell.number_format = "0.0%"
            elif isinstance(cell.value, int) or (isinstance(cell.value, float) and cell.value.is_integer()):
                cell.number_format = "0"
        width = min(MAX_WIDTH, max(6, widths.get(index, 6) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # counts stored as doubles read back as whole numbers
    return value


def write_frame(sheet: Any, frame: pd.DataFrame, *, dates: tuple[str, ...] = ()) -> None:
    """A frame into a worksheet (header, rows), strings kept text, ISO dates in ``dates`` columns
    as real dates; then :func:`format_sheet`."""
    sheet.append([str(c) for c in frame.columns])
    date_positions = {i for i, c in enumerate(frame.columns) if c in dates}
    for row in frame.itertuples(index=False, name=None):
        values = []
        for i, value in enumerate(row):
            value = _cell_value(value)
            if i in date_positions and isinstance(value, str):
                with suppress(ValueError):  # a text that is no ISO date stays text
                    value = date.fromisoformat(value)
            values.append(value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"  # report text is never a formula (CSV/XLSX injection)
    format_sheet(sheet)
