"""Read an Excel (.xlsx) workbook into a :class:`~gongkai.document.Document`.

A sheet's used range is cut at empty rows: each run of rows holding text, borders or merged
cells is one exact table (its own columns, merged ranges expanded as in the other readers), and
single unbordered lines of text at a run's top or bottom (a title, a section heading) are
paragraphs. So a sheet holding the three official tables one below the other gives three grids
of 4, 10 and 15 columns, as DOCX and HTML do, instead of one 15-column grid whose trailing empty
columns would shift table 3's values. Values are read with openpyxl in read-only mode (cached
formula results, not formulas); merged ranges, which read-only mode does not expose, are taken
from the sheet XML.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from typing import Any

from ..document import Document
from ..errors import ParseError
from ..text import collapse_space
from .docx import open_zip, read_member
from .html import MAX_GRID_CELLS, Span, build_grid

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
    return collapse_space(str(value))


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


class _Sheet:
    """A worksheet's cells: text by position, which positions have a border, merged ranges."""

    def __init__(self, worksheet: Any, merges: list[tuple[int, int, int, int]], name: str) -> None:
        self.values: dict[tuple[int, int], str] = {}
        self.bordered: set[tuple[int, int]] = set()
        self.merges = merges
        workbook = worksheet.parent
        has_border: dict[int, bool] = {}  # style id → any border side drawn
        worksheet.reset_dimensions()  # a lying <dimension> must not make us pad a million rows
        count = 0
        for row in worksheet.iter_rows():
            for cell in row:
                style = getattr(cell, "_style_id", 0)
                if style:
                    if style not in has_border:
                        border = workbook._borders[cell.style_array.borderId]
                        has_border[style] = any(
                            side is not None and side.style
                            for side in (border.left, border.right, border.top, border.bottom))
                    if has_border[style]:
                        self.bordered.add((cell.row, cell.column))
                text = _value_text(cell.value)
                if text:
                    self.values[cell.row, cell.column] = text
                count += 1
                if count > MAX_GRID_CELLS:
                    raise ParseError(name, f"sheet {worksheet.title!r} has too many cells")
        self.covered: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in merges:
            if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_GRID_CELLS:
                raise ParseError(name, f"sheet {worksheet.title!r}: merged range too large")
            self.covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))

    def occupied(self) -> dict[int, set[int]]:
        """Row → columns that hold text, a border or part of a merged range."""
        rows: dict[int, set[int]] = {}
        for r, c in (*self.values, *self.bordered, *self.covered):
            rows.setdefault(r, set()).add(c)
        return rows

    def plain_line(self, r: int, columns: set[int]) -> bool:
        """A row that is a line of text above or below a table (a title, a heading): one cell
        with text, no borders, no merges."""
        return len(columns) == 1 and all((r, c) in self.values and (r, c) not in self.bordered
                                         and (r, c) not in self.covered for c in columns)

    def runs(self, occupied: dict[int, set[int]]) -> list[tuple[list[int], list[int], list[int]]]:
        """Each run of consecutive non-empty rows as (plain lines above, the table's rows, plain lines
        below): the reader makes the middle a table and the lines paragraphs; the rows of a run made
        only of plain lines are all ``above``."""
        runs: list[list[int]] = []
        for r in sorted(occupied):
            if runs and runs[-1][-1] == r - 1:
                runs[-1].append(r)
            else:
                runs.append([r])
        split = []
        for run in runs:
            head, tail = 0, len(run)
            while head < tail and self.plain_line(run[head], occupied[run[head]]):
                head += 1
            while tail > head and self.plain_line(run[tail - 1], occupied[run[tail - 1]]):
                tail -= 1
            split.append((run[:head], run[head:tail], run[tail:]))
        return split


def _blocks(sheet: _Sheet, name: str, document: Document) -> None:
    """Add the sheet to the document: each run of non-empty rows is one table, except lines of
    plain text at its top and bottom (titles, headings), which are paragraphs."""
    occupied = sheet.occupied()
    for above, rows, below in sheet.runs(occupied):
        for r in above:
            _paragraph(document, sheet.values[r, min(occupied[r])])
        if rows:
            _table(sheet, rows, occupied, name, document)
        for r in below:
            _paragraph(document, sheet.values[r, min(occupied[r])])


def _paragraph(document: Document, text: str) -> None:
    document.add_paragraph(text, line=len(document.rows) + 1)


def _table(sheet: _Sheet, rows: list[int], occupied: dict[int, set[int]], name: str,
           document: Document) -> None:
    top, bottom = rows[0], rows[-1]
    left = min(min(occupied[r]) for r in rows)
    right = max(max(occupied[r]) for r in rows)
    n_rows, n_cols = bottom - top + 1, right - left + 1
    if n_rows * n_cols > MAX_GRID_CELLS:
        raise ParseError(name, f"table of {n_rows} × {n_cols} cells is too large")
    covered: set[tuple[int, int]] = set()
    spans: list[Span] = []
    for r0, c0, r1, c1 in sheet.merges:
        if r0 < top or r0 > bottom or (r0, c0) in covered:
            continue  # another table's range, or overlapping ranges (malformed): first wins
        spans.append(Span(r0 - top, c0 - left, r1 - r0 + 1, c1 - c0 + 1,
                          sheet.values.get((r0, c0), "")))
        covered.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if (r, c) not in covered:
                spans.append(Span(r - top, c - left, 1, 1, sheet.values.get((r, c), "")))
    grid = build_grid(spans, n_rows, len(document.rows) + 1, name)
    document.add_table(grid, exact=True)


def _refusal(name: str, error: Exception) -> ParseError:
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return ParseError(name, f"corrupt or truncated zip: {error}")
    return ParseError(name, f"not readable as XLSX: {type(error).__name__}: {error}")


def read_xlsx(data: bytes, name: str) -> Document:
    """Read a .xlsx workbook. Raises :class:`ParseError` for anything that is not a sound XLSX."""
    import openpyxl  # imported here: only XLSX input needs it

    archive = open_zip(data, name, "XLSX")
    if "xl/workbook.xml" not in archive.namelist():
        raise ParseError(name, "not an XLSX file (no xl/workbook.xml)")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything from KeyError to TypeError on junk
        raise _refusal(name, error) from None
    document = Document(name=name, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    try:
        with archive:
            for worksheet in workbook.worksheets:
                member = getattr(worksheet, "_worksheet_path", None)  # openpyxl read-only detail
                member = member.lstrip("/") if member else None
                _blocks(_Sheet(worksheet, _merges(archive, member, name), name), name, document)
    except ParseError:
        raise
    except Exception as error:
        raise _refusal(name, error) from None
    finally:
        workbook.close()
    if not document.rows:
        raise ParseError(name, "no cells with text in the workbook")
    return document
