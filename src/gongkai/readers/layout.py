"""Page geometry → :class:`~gongkai.document.Document`: shared by the PDF reader (characters and
rulings from PDFium) and the OCR reader (characters from RapidOCR, rulings from pixels).

* pdfplumber's ruling-line table finder (snap and join edges, find intersections, build cells,
  group cells into tables) runs on the edges a reader gives, so tables are found exactly as
  pdfplumber's ``lines`` strategy would, without pdfminer.
* Every character inside a table's box goes to the grid cell under its centre, so rotated or
  stacked labels (one character per line) stay in their cell and never leak into paragraphs.
* Merged cells are expanded to the full grid: the origin cell keeps the text, covered positions
  get ``Cell(text="", merged=True)``.
* A table at the top of a page that continues the table ending the previous page is appended to
  it when the column lines match; a row split by the page break is joined, and a merged label
  cut by the page break (``（四）无`` / ``法提供``) is rejoined. Otherwise it stays a separate table
  (columns are never shifted to fit).
* Page numbers and running headers/footers are dropped; text lines outside tables are joined
  into paragraphs (a line continues the previous one when that one runs to the right margin and
  this one is not indented), also across a page break.

Coordinates are PDF points ``(x0, top, x1, bottom)`` from the top-left corner of the page as
displayed, the convention pdfplumber uses.

The pieces: :mod:`~gongkai.readers.page_grid` (tables from ruling lines, and their continuation
across pages), :mod:`~gongkai.readers.page_lines` (text lines from characters, page furniture).
This module joins them: a page's text, and the document in reading order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gongkai.document import Document
from gongkai.errors import ParseError

from .page_grid import (
    Grid,
    add_edge,
    align_columns,
    append_grid,
    disagreement,
    fill_tables,
    find_tables,
    grid_rows,
    last_page,
    round_box,
)
from .page_lines import Char, Line, continues, group_lines, is_page_number, join_lines, margins, running_key

__all__ = ["Char", "PageText", "add_edge", "assemble", "check_page_count", "disagreement",
           "drop_running_lines", "fill_tables", "find_tables", "group_lines"]


@dataclass
class PageText:
    number: int
    height: float
    lines: list[Line]
    tables: list[Grid]
    unmapped: int = 0


def check_page_count(count: int, name: str, max_pages: int, *, to_ocr: bool = False) -> None:
    """Refuse a PDF with no page, or with more than ``max_pages`` (to read or, ``to_ocr``, to OCR)."""
    if count == 0:
        raise ParseError(name, "PDF has no pages")
    if count > max_pages and to_ocr:
        raise ParseError(name, f"too many pages to OCR: {count} (limit {max_pages})")
    if count > max_pages:
        raise ParseError(name, f"too many pages: {count} (limit {max_pages})")


def drop_running_lines(pages: list[PageText]) -> None:
    """Drop page numbers, and header/footer lines repeated on most pages (digits ignored)."""
    counts: Counter[str] = Counter()
    for page in pages:
        page.lines = [line for line in page.lines if not is_page_number(line, page.height)]
        keys = {running_key(line, page.height) for line in page.lines}
        counts.update(key for key in keys if key)
    if len(pages) < 3:
        return
    repeated = {key for key, n in counts.items() if n >= max(3, len(pages) * 0.6)}
    if repeated:
        for page in pages:
            page.lines = [line for line in page.lines if running_key(line, page.height) not in repeated]


def assemble(doc: Document, pages: list[PageText]) -> None:
    items: list[tuple[int, Line | Grid]] = []
    for page in pages:
        page_items: list[tuple[float, Line | Grid]] = [(line.top, line) for line in page.lines]
        page_items += [(grid.top, grid) for grid in page.tables]
        page_items.sort(key=lambda item: item[0])
        items.extend((page.number, item) for _, item in page_items)
    left, right = margins([item for _, item in items if isinstance(item, Line)])

    # A table first on its page continues the table last on the previous page.
    joined: list[tuple[int, Line | Grid]] = []
    for index, (number, item) in enumerate(items):
        if isinstance(item, Grid) and joined and (index == 0 or items[index - 1][0] != number):
            prev = joined[-1][1]
            if isinstance(prev, Grid) and number == last_page(prev) + 1 and align_columns(prev, item):
                append_grid(prev, item)
                continue
        joined.append((number, item))

    line_number = 0
    paragraph: list[tuple[int, Line]] = []

    def flush() -> None:
        nonlocal line_number
        if not paragraph:
            return
        line_number += 1
        page = paragraph[0][0]
        doc.add_paragraph(join_lines([line.text for _, line in paragraph]), line_number, page)
        on_page = [line for number, line in paragraph if number == page]
        doc.rows[-1].cells[0].bbox = round_box(
            (
                min(line.x0 for line in on_page),
                on_page[0].top,
                max(line.x1 for line in on_page),
                max(line.bottom for line in on_page),
            )
        )
        paragraph.clear()

    for number, item in joined:
        if isinstance(item, Grid):
            flush()
            rows = grid_rows(item)
            for cells in rows:
                line_number += 1
                for cell in cells:
                    cell.line = line_number
            doc.add_table(rows, exact=True, page=item.page)
        elif paragraph and number - paragraph[-1][0] <= 1 and continues(paragraph[-1][1], item, left, right):
            paragraph.append((number, item))
        else:
            flush()
            paragraph.append((number, item))
    flush()
