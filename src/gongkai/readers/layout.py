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
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gongkai.document import Cell, Document
from gongkai.template import TEMPLATE

__all__ = ["Char", "PageText", "add_edge", "assemble", "drop_running_lines", "fill_tables", "find_tables",
           "group_lines"]

# Bounds on one page's work: pdfplumber's intersection search is quadratic in the number of edges.
MAX_EDGES_PER_PAGE = 4_000


# pdfplumber table settings, tuned for WPS/Word output: WPS draws the borders of neighbouring
# cells as separate lines up to ~0.5 pt apart, and breaks long borders into per-cell pieces.
SNAP_TOLERANCE = 3.0
JOIN_TOLERANCE = 3.0
EDGE_MIN_LENGTH = 3.0
INTERSECTION_TOLERANCE = 3.0

_BOX_NUMBER = re.compile(
    r"^(?:[-—–－‐~]\d+[-—–－‐~]|第\d+页(?:[,，/]?共\d+页)?|共\d+页第\d+页|\d+/\d+|\d+|[Pp]age\d+(?:of\d+)?)$"
)
_DASHED_NUMBER = re.compile(r"^[-—–－‐~]\d+[-—–－‐~]$")
# Row labels that start a new row (or group): （四）, 四、, 1. / 1、, 第二十条…
_ENUMERATOR = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]"
    r"|\d+[、．](?!\d)|\d+\.(?!\d)|[①-⑳])"
)
_VALUE = re.compile(r"^[+\-－＋]?[\d,，]*\d(?:[.．]\d+)?[%％]?(?:万?元|件)?$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


class Char:
    """One glyph in display coordinates (top-left origin); ``angle`` in degrees counterclockwise,
    snapped to 0/90/180/270."""

    __slots__ = ("angle", "bottom", "space_before", "text", "top", "x0", "x1")

    def __init__(
        self, text: str, x0: float, top: float, x1: float, bottom: float, angle: int, space_before: bool
    ) -> None:
        self.text, self.x0, self.top, self.x1, self.bottom = text, x0, top, x1, bottom
        self.angle = angle
        self.space_before = space_before  # PDFium put a word break before it in the text stream

    def frame(self) -> tuple[float, float, float, float]:
        """(u0, u1, v0, v1): u runs along the text, v from one line to the next."""
        if self.angle == 90:  # reads bottom to top, lines advance to the right
            return -self.bottom, -self.top, self.x0, self.x1
        if self.angle == 180:
            return -self.x1, -self.x0, -self.bottom, -self.top
        if self.angle == 270:  # reads top to bottom, lines advance to the left
            return self.top, self.bottom, -self.x1, -self.x0
        return self.x0, self.x1, self.top, self.bottom


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # glyph height, about the font size


@dataclass(slots=True, eq=False)  # compared by identity: grid slots share one object per cell
class _Origin:
    """A cell as drawn (possibly spanning several grid positions); the grid's slots point to it."""

    bbox: tuple[float, float, float, float]
    chars: list[Char] = field(default_factory=list)
    text: str = ""
    wrapped: bool = False  # its last text line runs to the right border (the text goes on)


@dataclass
class _Grid:
    page: int
    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    slots: list[list[_Origin]]  # slots[row][column] -> the origin covering that position
    pages: list[list[int]] = field(default_factory=list)  # page of each slot (rows from later pages)
    boxes: list[list[tuple[float, float, float, float]]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.bbox[1]


@dataclass
class PageText:
    number: int
    height: float
    lines: list[_Line]
    tables: list[_Grid]
    unmapped: int = 0


def add_edge(edges: list[dict[str, Any]], x0: float, t0: float, x1: float, t1: float) -> None:
    if abs(t0 - t1) <= 0.5 and abs(x1 - x0) >= 1:
        left, right = sorted((x0, x1))
        top = (t0 + t1) / 2
        edges.append(
            {
                "x0": left,
                "x1": right,
                "top": top,
                "bottom": top,
                "width": right - left,
                "height": 0.0,
                "orientation": "h",
                "object_type": "line",
            }
        )
    elif abs(x0 - x1) <= 0.5 and abs(t1 - t0) >= 1:
        top, bottom = sorted((t0, t1))
        x = (x0 + x1) / 2
        edges.append(
            {
                "x0": x,
                "x1": x,
                "top": top,
                "bottom": bottom,
                "width": 0.0,
                "height": bottom - top,
                "orientation": "v",
                "object_type": "line",
            }
        )


def find_tables(edges: list[dict[str, Any]], page: int, warnings: list[str]) -> list[_Grid]:
    # Imported here: pdfplumber pulls in pdfminer (~0.2 s), which only ruled pages need.
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    merged = merge_edges(edges, SNAP_TOLERANCE, SNAP_TOLERANCE, JOIN_TOLERANCE, JOIN_TOLERANCE)
    merged = [
        edge
        for edge in merged
        if (edge["width"] if edge["orientation"] == "h" else edge["height"]) >= EDGE_MIN_LENGTH
    ]
    if len(merged) > MAX_EDGES_PER_PAGE:
        warnings.append(f"page {page}: {len(merged)} ruling lines, tables not searched")
        return []
    closing = _closing_edges(merged)
    if closing:
        merged = merge_edges(merged + closing, SNAP_TOLERANCE, SNAP_TOLERANCE, JOIN_TOLERANCE, JOIN_TOLERANCE)
    intersections = edges_to_intersections(merged, INTERSECTION_TOLERANCE, INTERSECTION_TOLERANCE)
    grids = []
    for cells in cells_to_tables(intersections_to_cells(intersections)):
        grid = _grid(cells, page)
        if len(grid.xs) < 3:
            continue  # a box or a one-column stack of boxes frames text; it is not a table
        grids.append(grid)
    grids.sort(key=lambda g: (g.bbox[1], g.bbox[0]))
    return grids


def _closing_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Horizontal borders WPS leaves out where a table breaks across pages: where several
    vertical rulings end (or start) at the same height and no horizontal ruling joins them, the
    table's edge is there. (Not done for vertical borders: the rows of tables stacked down a
    page share their left end, and joining those would fuse the tables.)"""
    verticals = [e for e in edges if e["orientation"] == "v"]
    horizontals = [e for e in edges if e["orientation"] == "h"]
    extra: list[dict[str, Any]] = []
    for end in ("top", "bottom"):
        groups: list[list[dict[str, Any]]] = []
        for edge in sorted(verticals, key=lambda e: e[end]):
            if groups and edge[end] - groups[-1][-1][end] <= SNAP_TOLERANCE:
                groups[-1].append(edge)
            else:
                groups.append([edge])
        for group in groups:
            if len(group) < 2:
                continue
            y = sum(e[end] for e in group) / len(group)
            x0, x1 = min(e["x0"] for e in group), max(e["x0"] for e in group)
            if any(
                abs(h["top"] - y) <= SNAP_TOLERANCE
                and h["x0"] <= x0 + JOIN_TOLERANCE
                and h["x1"] >= x1 - JOIN_TOLERANCE
                for h in horizontals
            ):
                continue
            extra.append(
                {
                    "x0": x0,
                    "x1": x1,
                    "top": y,
                    "bottom": y,
                    "width": x1 - x0,
                    "height": 0.0,
                    "orientation": "h",
                    "object_type": "line",
                }
            )
    return extra


def _cluster(values: list[float], tolerance: float = 1.0) -> list[float]:
    result: list[float] = []
    for value in sorted(values):
        if result and value - result[-1] <= tolerance:
            continue
        result.append(value)
    return result


def _index(lines: list[float], value: float) -> int:
    """Index of the grid line nearest to ``value``."""
    i = bisect_right(lines, value)
    if i == 0:
        return 0
    if i == len(lines):
        return len(lines) - 1
    return i if lines[i] - value < value - lines[i - 1] else i - 1


def _grid(cells: list[tuple[float, float, float, float]], page: int) -> _Grid:
    xs = _cluster([v for cell in cells for v in (cell[0], cell[2])])
    ys = _cluster([v for cell in cells for v in (cell[1], cell[3])])
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    slots: list[list[_Origin | None]] = [[None] * n_cols for _ in range(n_rows)]
    for x0, top, x1, bottom in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        if any(slots[r][c] is not None for r in range(r0, r1) for c in range(c0, c1)):
            continue  # overlapping cells: keep the first
        origin = _Origin((x0, top, x1, bottom))
        for r in range(r0, r1):
            for c in range(c0, c1):
                slots[r][c] = origin
    for r in range(n_rows):  # positions no drawn cell covers (a missing border) become empty cells
        for c in range(n_cols):
            if slots[r][c] is None:
                slots[r][c] = _Origin((xs[c], ys[r], xs[c + 1], ys[r + 1]))
    full: list[list[_Origin]] = [[s for s in row if s is not None] for row in slots]
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    grid = _Grid(page, bbox, xs, ys, full)
    grid.pages = [[page] * n_cols for _ in range(n_rows)]
    grid.boxes = [[(xs[c], ys[r], xs[c + 1], ys[r + 1]) for c in range(n_cols)] for r in range(n_rows)]
    return grid


def fill_tables(grids: list[_Grid], chars: list[Char]) -> list[Char]:
    """Put every character inside a table into the cell under its centre; return the rest."""
    rest: list[Char] = []
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        for grid in grids:
            x0, top, x1, bottom = grid.bbox
            if x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1:
                c = min(max(bisect_right(grid.xs, cx) - 1, 0), len(grid.xs) - 2)
                r = min(max(bisect_right(grid.ys, cy) - 1, 0), len(grid.ys) - 2)
                grid.slots[r][c].chars.append(ch)
                break
        else:
            rest.append(ch)
    for grid in grids:
        done: set[int] = set()
        for row in grid.slots:
            for origin in row:
                if id(origin) in done:
                    continue
                done.add(id(origin))
                lines = group_lines(origin.chars)
                origin.text = _join_lines([line.text for line in lines])
                if lines:
                    last = lines[-1]
                    origin.wrapped = last.x1 >= origin.bbox[2] - 1.5 * last.size - 4
                origin.chars = []
    return rest


# --------------------------------------------------------------------------------------------
# Text lines


def group_lines(chars: list[Char]) -> list[_Line]:
    """Group characters into lines (per writing direction), ordered top to bottom."""
    by_angle: dict[int, list[Char]] = {}
    for ch in chars:
        by_angle.setdefault(ch.angle, []).append(ch)
    lines: list[_Line] = []
    for group in by_angle.values():
        framed = sorted(((ch.frame(), ch) for ch in group), key=lambda item: item[0][2] + item[0][3])
        current: list[tuple[tuple[float, float, float, float], Char]] = []
        v0 = v1 = 0.0
        for item in framed:
            (_, _, cv0, cv1), _ = item
            centre = (cv0 + cv1) / 2
            if current and (v0 <= centre <= v1 or cv0 <= (v0 + v1) / 2 <= cv1):
                current.append(item)
                v0, v1 = min(v0, cv0), max(v1, cv1)
                continue
            if current:
                lines.append(_make_line(current))
            current, v0, v1 = [item], cv0, cv1
        if current:
            lines.append(_make_line(current))
    lines.sort(key=lambda line: (line.top, line.x0))
    return [line for line in lines if line.text]


def _make_line(items: list[tuple[tuple[float, float, float, float], Char]]) -> _Line:
    items.sort(key=lambda item: item[0][0])
    sizes = sorted(fr[3] - fr[2] for fr, ch in items if not ch.text.isspace())
    size = sizes[len(sizes) // 2] if sizes else 10.0
    parts: list[str] = []
    previous_end: float | None = None
    previous = ""
    for (u0, u1, _, _), ch in items:
        if ch.text == " ":
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if previous_end is not None and parts[-1] != " ":
            gap = u0 - previous_end
            if previous.isascii() or ch.text.isascii():
                space = gap > 0.3 * size or (ch.space_before and gap > 0.1 * size)
            else:  # CJK: justification and punctuation squeezing make gaps that are not spaces
                space = gap > 0.8 * size
            if space:
                parts.append(" ")
        parts.append(ch.text)
        previous = ch.text
        previous_end = u1
    # The line's box is its ink: leading ideographic spaces (U+3000 indents) must not hide the indent.
    chars = [ch for _, ch in items if ch.text != " "] or [ch for _, ch in items]
    return _Line(
        "".join(parts).strip(),
        min(ch.x0 for ch in chars),
        min(ch.top for ch in chars),
        max(ch.x1 for ch in chars),
        max(ch.bottom for ch in chars),
        size,
    )


def _join_lines(texts: list[str]) -> str:
    """Join wrapped lines: no space in CJK text, one space between ASCII words."""
    result = ""
    for text in texts:
        if not text:
            continue
        if result and _needs_space(result[-1], text[0]):
            result += " "
        result += text
    return result


def _needs_space(left: str, right: str) -> bool:
    if not (left.isascii() and right.isascii()):
        return False
    if left.isdigit() and right.isdigit():
        return False  # a number wrapped in a narrow cell
    return left not in "-/(" and right not in ")-/.,;:"


# --------------------------------------------------------------------------------------------
# Page furniture


def _is_page_number(line: _Line, height: float) -> bool:
    compact = re.sub(r"\s+", "", line.text)
    if _DASHED_NUMBER.match(compact):
        return True
    in_band = line.bottom < 0.1 * height or line.top > 0.88 * height
    return in_band and bool(_BOX_NUMBER.match(compact))


def drop_running_lines(pages: list[PageText]) -> None:
    """Drop page numbers, and header/footer lines repeated on most pages (digits ignored)."""
    counts: Counter[str] = Counter()
    for page in pages:
        page.lines = [line for line in page.lines if not _is_page_number(line, page.height)]
        keys = {_running_key(line, page.height) for line in page.lines}
        counts.update(key for key in keys if key)
    if len(pages) < 3:
        return
    repeated = {key for key, n in counts.items() if n >= max(3, len(pages) * 0.6)}
    if repeated:
        for page in pages:
            page.lines = [line for line in page.lines if _running_key(line, page.height) not in repeated]


def _running_key(line: _Line, height: float) -> str | None:
    if 0.07 * height < line.top and line.bottom < 0.93 * height:
        return None
    band = "top" if line.top <= 0.07 * height else "bottom"
    return band + re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


# --------------------------------------------------------------------------------------------
# Reading order, paragraphs, tables across pages


def assemble(doc: Document, pages: list[PageText]) -> None:
    items: list[tuple[int, _Line | _Grid]] = []
    for page in pages:
        page_items: list[tuple[float, _Line | _Grid]] = [(line.top, line) for line in page.lines]
        page_items += [(grid.top, grid) for grid in page.tables]
        page_items.sort(key=lambda item: item[0])
        items.extend((page.number, item) for _, item in page_items)
    left, right = _margins([item for _, item in items if isinstance(item, _Line)])

    # A table first on its page continues the table last on the previous page.
    joined: list[tuple[int, _Line | _Grid]] = []
    for index, (number, item) in enumerate(items):
        if isinstance(item, _Grid) and joined and (index == 0 or items[index - 1][0] != number):
            prev = joined[-1][1]
            if isinstance(prev, _Grid) and number == _last_page(prev) + 1 and _align_columns(prev, item):
                _append_grid(prev, item)
                continue
        joined.append((number, item))

    line_number = 0
    paragraph: list[tuple[int, _Line]] = []

    def flush() -> None:
        nonlocal line_number
        if not paragraph:
            return
        line_number += 1
        page = paragraph[0][0]
        doc.add_paragraph(_join_lines([line.text for _, line in paragraph]), line_number, page)
        on_page = [line for number, line in paragraph if number == page]
        doc.rows[-1].cells[0].bbox = _round(
            (
                min(line.x0 for line in on_page),
                on_page[0].top,
                max(line.x1 for line in on_page),
                max(line.bottom for line in on_page),
            )
        )
        paragraph.clear()

    for number, item in joined:
        if isinstance(item, _Grid):
            flush()
            rows = _grid_rows(item)
            for cells in rows:
                line_number += 1
                for cell in cells:
                    cell.line = line_number
            doc.add_table(rows, exact=True, page=item.page)
        elif paragraph and number - paragraph[-1][0] <= 1 and _continues(paragraph[-1][1], item, left, right):
            paragraph.append((number, item))
        else:
            flush()
            paragraph.append((number, item))
    flush()


def _last_page(grid: _Grid) -> int:
    return grid.pages[-1][0] if grid.pages else grid.page


def _margins(lines: list[_Line]) -> tuple[float, float]:
    """Body text's left and right margins: the most common line start and end."""
    if not lines:
        return 0.0, 0.0
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    widest = max(line.x1 for line in lines)
    long_ends = [round(line.x1) for line in lines if line.x1 - left > 0.6 * (widest - left)]
    right = Counter(long_ends).most_common(1)[0][0] if long_ends else widest
    return float(left), float(right)


def _continues(previous: _Line, line: _Line, left: float, right: float) -> bool:
    """Does ``line`` continue the paragraph whose last line is ``previous``?"""
    size = max(previous.size, line.size)
    if abs(previous.size - line.size) > 0.25 * size:
        return False
    if previous.x1 < right - 1.5 * size:
        return False  # the previous line ends short: its paragraph ended
    if line.x0 > left + 0.8 * size:
        return False  # indented: a new paragraph (or a centred title)
    if _HEADING.match(line.text):
        return False
    gap = line.top - previous.bottom  # negative across a page break
    return gap <= 1.6 * size


COLUMN_TOLERANCE = 4.0  # points; WPS shifts a continued table's outer borders by up to 3 pt


def _align_columns(a: _Grid, b: _Grid) -> bool:
    """Can ``b`` (a table at the top of the next page) continue ``a``? Yes when their column
    lines are the same, or one table's lines are a subset of the other's (the part on one page
    has merged cells where the other draws more columns); then the coarser grid is re-expressed
    on the finer one's columns, by position. Columns are never matched by index alone."""
    if len(a.xs) == len(b.xs) and all(
        abs(p - q) <= COLUMN_TOLERANCE for p, q in zip(a.xs, b.xs, strict=True)
    ):
        return True
    if len(b.xs) < len(a.xs) and (mapping := _column_map(b.xs, a.xs)):
        _remap(b, a.xs, mapping)
        return True
    if len(a.xs) < len(b.xs) and (mapping := _column_map(a.xs, b.xs)):
        _remap(a, b.xs, mapping)
        return True
    return False


def _column_map(coarse: list[float], fine: list[float]) -> list[int] | None:
    """For each line of ``coarse``, the index of the same line in ``fine``; None unless every
    line of ``coarse`` is one of ``fine`` and both have the same outer borders."""
    mapping: list[int] = []
    for x in coarse:
        j = _index(fine, x)
        if abs(fine[j] - x) > COLUMN_TOLERANCE or (mapping and j <= mapping[-1]):
            return None
        mapping.append(j)
    if mapping[0] != 0 or mapping[-1] != len(fine) - 1:
        return None
    return mapping


def _remap(grid: _Grid, xs: list[float], mapping: list[int]) -> None:
    """Re-express ``grid`` on the column lines ``xs`` (a superset of its own, ``mapping`` tells
    where each of its lines went): a cell covers every new column between its lines."""
    owner = []  # for each new column, the old column containing it
    for old, (start, stop) in enumerate(itertools.pairwise(mapping)):
        owner.extend([old] * (stop - start))
    grid.slots = [[row[owner[c]] for c in range(len(owner))] for row in grid.slots]
    grid.pages = [[row[owner[c]] for c in range(len(owner))] for row in grid.pages]
    grid.boxes = [
        [(xs[c], row[owner[c]][1], xs[c + 1], row[owner[c]][3]) for c in range(len(owner))]
        for row in grid.boxes
    ]
    grid.xs = list(xs)


def _is_value(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return bool(_VALUE.match(compact)) or compact in TEMPLATE.blank_marks


def _starts_row(text: str) -> bool:
    return bool(_ENUMERATOR.match(re.sub(r"\s+", "", text)))


def _append_grid(top: _Grid, bottom: _Grid) -> None:
    """Append ``bottom`` (the continuation on the next page) to ``top``, joining what the page
    break cut: a repeated header, a row split in two, merged labels split in two."""
    repeat = _repeated_header(top.slots, bottom.slots)
    rows, pages, boxes = bottom.slots[repeat:], bottom.pages[repeat:], bottom.boxes[repeat:]
    if not rows:
        return
    last, first = top.slots[-1], rows[0]
    n_cols = len(first)
    pairs: list[tuple[_Origin, _Origin]] = []  # (cell above the break, cell below) on the same columns
    for below in _row_origins(rows, 0):
        columns = [c for c in range(n_cols) if first[c] is below]
        above = last[columns[0]]
        span = [c for c in range(n_cols) if last[c] is above]
        if span == columns:
            pairs.append((above, below))
    relabel: dict[int, _Origin] = {}
    spans = [(above, below, _rowspan(top.slots, above), _rowspan(rows, below)) for above, below in pairs]
    split = len(pairs) == len(_row_origins(rows, 0)) and _split_row(spans)
    for above, below, span_above, span_below in spans:
        if split or _continued_label(above, below, span_above, span_below):
            if below.text and above.text.isdigit() and below.text.isdigit():
                above.text += below.text  # one number wrapped across the break
            elif below.text:
                above.text = _join_lines([above.text, below.text])
            relabel[id(below)] = above
    new_rows = [[relabel.get(id(origin), origin) for origin in row] for row in rows]
    if split:  # every cell of the split row moved up: the row itself is gone
        new_rows, pages, boxes = new_rows[1:], pages[1:], boxes[1:]
    top.slots.extend(new_rows)
    top.pages.extend(pages)
    top.boxes.extend(boxes)


def _row_origins(rows: list[list[_Origin]], r: int) -> list[_Origin]:
    """The distinct cells of row ``r``, left to right."""
    result: list[_Origin] = []
    for origin in rows[r]:
        if not result or result[-1] is not origin:
            result.append(origin)
    return result


def _rowspan(rows: list[list[_Origin]], origin: _Origin) -> int:
    return sum(1 for row in rows if any(o is origin for o in row))


def _repeated_header(above: list[list[_Origin]], below: list[list[_Origin]]) -> int:
    """How many rows at the top of ``below`` repeat the first rows of ``above`` (a header row
    Word/WPS repeats on every page)."""
    count = 0
    while count < min(len(below) - 1, len(above) - 1, 4):
        texts_below = [o.text for o in _row_origins(below, count)]
        if not any(texts_below) or texts_below != [o.text for o in _row_origins(above, count)]:
            break
        count += 1
    if count and any(any(o is x for x in below[count]) for o in _row_origins(below, count - 1)):
        return 0  # a header cell spans into the data: not a clean repeat
    return count


def _split_row(spans: list[tuple[_Origin, _Origin, int, int]]) -> bool:
    """Is the first row below the page break the rest of the last row above it?

    Yes when its first text does not start a new row (no （四）, 1., 四、 …), values sit on one
    side of the break only, and where both sides of a one-row cell hold text, both are label
    fragments and the one above runs to the cell's right border (it was wrapped, so it goes on).
    Multi-row cells (group labels) are joined as for any break (see _continued_label)."""
    texts = [below.text for _, below, _, _ in spans if below.text]
    if not texts or _starts_row(texts[0]):
        return False
    # one-row cells only: a merged group label cut by the same break is rejoined on its own
    single = [(above, below) for above, below, span_above, span_below in spans
              if span_above <= 1 and span_below <= 1]
    below_texts = [below.text for _, below in single if below.text]
    above_texts = [above.text for above, _ in single if above.text]
    if below_texts and all(_is_value(t) for t in below_texts) and any(
            _is_value(t) for t in above_texts) and any(not _is_value(t) for t in above_texts):
        # no label below the break, values above it under a label: digits wrapped across the
        # break (LibreOffice prints 「252」 / 「0」 for 2520); a new row would carry its label
        return True
    fragment = False
    for above, below, span_above, span_below in spans:
        if not above.text or not below.text:
            continue
        if _is_value(above.text) or _is_value(below.text):
            return False
        if span_above > 1 or span_below > 1:
            continue
        if not above.wrapped:
            return False
        fragment = True
    return fragment or all(_is_value(text) for text in texts)


def _continued_label(above: _Origin, below: _Origin, span_above: int, span_below: int) -> bool:
    """A merged (multi-row) label cell cut by the page break: the part below continues it."""
    if span_above < 2 and span_below < 2:
        return False
    if not above.text or _is_value(above.text):
        return False
    return not below.text or (not _is_value(below.text) and not _starts_row(below.text))


def _grid_rows(grid: _Grid) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    seen: set[int] = set()
    for r, row in enumerate(grid.slots):
        cells = []
        for c, origin in enumerate(row):
            page = grid.pages[r][c]
            if id(origin) not in seen:
                seen.add(id(origin))
                cells.append(Cell(text=origin.text, line=0, page=page, bbox=_round(origin.bbox)))
            else:
                cells.append(Cell(text="", line=0, page=page, bbox=_round(grid.boxes[r][c]), merged=True))
        rows.append(cells)
    return rows


def _round(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(bbox[0], 2), round(bbox[1], 2), round(bbox[2], 2), round(bbox[3], 2))
