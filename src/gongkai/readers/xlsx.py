"""Read an Excel (.xlsx) workbook into a :class:`~gongkai.document.Document`.

Each worksheet's used range (the box around its non-empty and merged cells) becomes one exact
table, merged ranges expanded as in the other readers. Values are read with openpyxl in
read-only mode (cached formula results, not formulas); merged ranges, which read-only mode does
not expose, are taken from the sheet XML.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from ..document import Document
from ..errors import ParseError
from .docx import open_zip, read_member
from .html import MAX_GRID_CELLS, Span, build_grid, normalise

__all__ = ["read_xlsx"]

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]+\d+)(?::([A-Za-z]+\d+))?")
_REF = re.compile(r"([A-Za-z]+)(\d+)")


def _ref(ref: str) -> tuple[int, int]:
    """``"C12"`` → ``(12, 3)`` (1-based row, column)."""
    match = _REF.fullmatch(ref)
    if not match:
        raise ValueError(ref)
    letters, digits = match.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return int(digits), column


def _value_text(value: Any) -> str:
    """A cell value as the text Excel would show by default."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")  # Excel's 15 significant digits hide binary noise
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return normalise(str(value))


def _merges(archive: zipfile.ZipFile, member: str | None, name: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a sheet as (first row, first col, last row, last col), 1-based."""
    if member is None:
        return []
    ranges = []
    for match in _MERGE.finditer(read_member(archive, member, name)):
        try:
            top, left = _ref(match.group(1).decode())
            bottom, right = _ref(match.group(2).decode()) if match.group(2) else (top, left)
        except ValueError:
            continue
        ranges.append((min(top, bottom), min(left, right), max(top, bottom), max(left, right)))
    return ranges


def _sheet(worksheet: Any, merges: list[tuple[int, int, int, int]], name: str,
           first_line: int) -> tuple[list[list], int] | None:
    """The sheet's used range as a grid (None if the sheet is empty)."""
    values: dict[tuple[int, int], str] = {}
    worksheet.reset_dimensions()  # a lying <dimension> must not make us pad a million rows
    for r, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        for c, value in enumerate(row, start=1):
            text = _value_text(value)
            if text:
                values[r, c] = text
                if len(values) > MAX_GRID_CELLS:
                    raise ParseError(name, f"sheet {worksheet.title!r} has too many cells")
    positions = list(values) + [(m[0], m[1]) for m in merges] + [(m[2], m[3]) for m in merges]
    if not positions:
        return None
    top = min(p[0] for p in positions)
    bottom = max(p[0] for p in positions)
    left = min(p[1] for p in positions)
    right = max(p[1] for p in positions)
    n_rows, n_cols = bottom - top + 1, right - left + 1
    if n_rows * n_cols > MAX_GRID_CELLS:
        raise ParseError(name, f"sheet {worksheet.title!r}: {n_rows} × {n_cols} cells is too large")
    covered: set[tuple[int, int]] = set()
    spans: list[Span] = []
    for r0, c0, r1, c1 in merges:
        if (r0, c0) in covered:
            continue  # overlapping ranges (malformed): the first one wins
        spans.append(Span(r0 - top, c0 - left, r1 - r0 + 1, c1 - c0 + 1, values.get((r0, c0), "")))
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if (r, c) not in covered:
                spans.append(Span(r - top, c - left, 1, 1, values.get((r, c), "")))
    return build_grid(spans, n_rows, first_line, name), n_rows


def read_xlsx(data: bytes, name: str) -> Document:
    """Read a .xlsx workbook. Raises :class:`ParseError` for anything that is not a sound XLSX."""
    import openpyxl  # imported here: only XLSX input needs it

    archive = open_zip(data, name, "XLSX")
    if "xl/workbook.xml" not in archive.namelist():
        raise ParseError(name, "not an XLSX file (no xl/workbook.xml)")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ParseError:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to TypeError on junk
        raise ParseError(name, f"not readable as XLSX: {type(error).__name__}: {error}") from None
    document = Document(name=name, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    try:
        with archive:
            for worksheet in workbook.worksheets:
                member = getattr(worksheet, "_worksheet_path", None)  # openpyxl read-only detail
                member = member.lstrip("/") if member else None
                merges = _merges(archive, member, name)
                sheet = _sheet(worksheet, merges, name, len(document.rows) + 1)
                if sheet is not None:
                    document.add_table(sheet[0], exact=True)
    except ParseError:
        raise
    except Exception as error:
        raise ParseError(name, f"not readable as XLSX: {type(error).__name__}: {error}") from None
    finally:
        workbook.close()
    if not document.rows:
        raise ParseError(name, "no cells with text in the workbook")
    return document
