"""Excel addresses (J23) of a report's cells read from an XLSX workbook, for messages to people.

The XLSX reader (:mod:`gongkai.readers.xlsx`) turns each run of non-empty rows of a sheet into one
table grid, whose cells' locators give (table, row, column) inside the grid. This module finds
each table's top-left cell the same way (the reader's own sheet model, the same runs), so a
locator becomes the sheet address a clerk sees in Excel: 「年度报告!J23」.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

__all__ = ["addresser", "table_origins"]


def table_origins(data: bytes, name: str) -> list[tuple[str, int, int]]:
    """(sheet title, top row, left column) of every table the XLSX reader makes, in its order."""
    import openpyxl

    from .readers.docx import open_zip
    from .readers.xlsx import _merges, _Sheet

    archive = open_zip(data, name, "XLSX")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    origins: list[tuple[str, int, int]] = []
    try:
        with archive:
            for worksheet in workbook.worksheets:
                member = getattr(worksheet, "_worksheet_path", None)
                merges = _merges(archive, member.lstrip("/") if member else None, name)
                sheet = _Sheet(worksheet, merges, name)
                occupied = sheet.occupied()
                for _above, rows, _below in sheet.runs(occupied):  # the reader's own tables
                    if rows:
                        origins.append((worksheet.title, rows[0], min(min(occupied[r]) for r in rows)))
    finally:
        workbook.close()
    return origins


def addresser(path: Path) -> Callable[[dict | None], str | None] | None:
    """For an XLSX file: locator → 「J23」 (with the sheet's name when the workbook has several
    sheets); None for any other file or one that cannot be read again."""
    if path.suffix.lower() != ".xlsx":
        return None
    try:
        origins = table_origins(path.read_bytes(), str(path))
    except Exception:  # the parse already said what is wrong with the file
        return None
    from openpyxl.utils import get_column_letter

    several = len({sheet for sheet, _, _ in origins}) > 1

    def address(locator: dict | None) -> str | None:
        if not locator or "table" not in locator or locator["table"] >= len(origins):
            return None
        sheet, top, left = origins[locator["table"]]
        cell = f"{get_column_letter(left + locator['column'])}{top + locator['row']}"
        return f"{sheet}!{cell}" if several else cell

    return address
