"""Tables from a page's ruling lines: pdfplumber's ``lines`` strategy (snap and join edges, find
intersections, build cells, group cells into tables) run on the edges a reader gives, every
character put into the cell under its centre, and a table continued on the next page appended to
it (a repeated header dropped, a row or a merged label cut by the page break joined again).
Shared by the PDF and OCR readers through :mod:`gongkai.readers.layout`.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from gongkai.document import Cell
from gongkai.template import TEMPLATE
from gongkai.text import compact

from .page_lines import Char, Line, group_lines, join_lines

__all__ = ["Grid", "Origin", "add_edge", "align_columns", "append_grid", "disagreement", "fill_tables",
           "find_tables", "grid_rows", "last_page", "round_box", "split_lost_rulings"]

# Bounds on one page's work: pdfplumber's intersection search is quadratic in the number of edges.
MAX_EDGES_PER_PAGE = 4_000


# pdfplumber table settings, tuned for WPS/Word output: WPS draws the borders of neighbouring
# cells as separate lines up to ~0.5 pt apart, and breaks long borders into per-cell pieces.
SNAP_TOLERANCE = 3.0
JOIN_TOLERANCE = 3.0
EDGE_MIN_LENGTH = 3.0
INTERSECTION_TOLERANCE = 3.0

# Row labels that start a new row (or group): （四）, 四、, 1. / 1、, 第二十条…
_ENUMERATOR = re.compile(
    r"^(?:第[一二三四五六七八九十\d]+|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、.．]"
    r"|\d+[、．](?!\d)|\d+\.(?!\d)|[①-⑳])"
)
_VALUE = re.compile(r"^[+\-－＋]?[\d,，]*\d(?:[.．]\d+)?[%％]?(?:万?元|件)?$")


@dataclass(slots=True, eq=False)  # compared by identity: grid slots share one object per cell
class Origin:
    """A cell as drawn (possibly spanning several grid positions); the grid's slots point to it."""

    bbox: tuple[float, float, float, float]
    chars: list[Char] = field(default_factory=list)
    text: str = ""
    wrapped: bool = False  # its last text line runs to the right border (the text goes on)


@dataclass
class Grid:
    page: int
    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    slots: list[list[Origin]]  # slots[row][column] -> the origin covering that position
    pages: list[list[int]] = field(default_factory=list)  # page of each slot (rows from later pages)
    boxes: list[list[tuple[float, float, float, float]]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.bbox[1]


def add_edge(edges: list[dict[str, Any]], x0: float, t0: float, x1: float, t1: float) -> None:
    """Add the segment (x0, t0)–(x1, t1) as a pdfplumber edge when it is horizontal or vertical
    (within half a point) and at least a point long; a slanted one is no ruling."""
    if abs(t0 - t1) <= 0.5 and abs(x1 - x0) >= 1:
        left, right = sorted((x0, x1))
        top = (t0 + t1) / 2
        edges.append(_edge("h", left, top, right, top))
    elif abs(x0 - x1) <= 0.5 and abs(t1 - t0) >= 1:
        top, bottom = sorted((t0, t1))
        x = (x0 + x1) / 2
        edges.append(_edge("v", x, top, x, bottom))


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    """An edge as pdfplumber's table finder takes it."""
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "line"}


def find_tables(edges: list[dict[str, Any]], page: int, warnings: list[str]) -> list[Grid]:
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


def cluster(values: list[float], tolerance: float = 1.0) -> list[float]:
    """The distinct positions among ``values``, those within ``tolerance`` of a smaller one merged
    into it (rulings drawn twice, values printed a column off)."""
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


def _grid(cells: list[tuple[float, float, float, float]], page: int) -> Grid:
    xs = cluster([v for cell in cells for v in (cell[0], cell[2])])
    ys = cluster([v for cell in cells for v in (cell[1], cell[3])])
    n_rows, n_cols = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    slots: list[list[Origin | None]] = [[None] * n_cols for _ in range(n_rows)]
    for x0, top, x1, bottom in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0:
            continue
        if any(slots[r][c] is not None for r in range(r0, r1) for c in range(c0, c1)):
            continue  # overlapping cells: keep the first
        origin = Origin((x0, top, x1, bottom))
        for r in range(r0, r1):
            for c in range(c0, c1):
                slots[r][c] = origin
    for r in range(n_rows):  # positions no drawn cell covers (a missing border) become empty cells
        for c in range(n_cols):
            if slots[r][c] is None:
                slots[r][c] = Origin((xs[c], ys[r], xs[c + 1], ys[r + 1]))
    full: list[list[Origin]] = [[s for s in row if s is not None] for row in slots]
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    grid = Grid(page, bbox, xs, ys, full)
    grid.pages = [[page] * n_cols for _ in range(n_rows)]
    grid.boxes = [[(xs[c], ys[r], xs[c + 1], ys[r + 1]) for c in range(n_cols)] for r in range(n_rows)]
    return grid


def fill_tables(grids: list[Grid], chars: list[Char]) -> list[Char]:
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
                origin.text = join_lines([line.text for line in lines])
                if lines:
                    last = lines[-1]
                    origin.wrapped = last.x1 >= origin.bbox[2] - 1.5 * last.size - 4
                origin.chars = []
    return rest


def disagreement(grid: Grid, text_lines: list[list[Char]]) -> str | None:
    """Why the cells of ``grid`` (found from a scan's rulings) do not fit the text read on the
    page, or None when they do. A grid with a ruling missing puts two rows' or two cells' values
    into one cell (「0 0」 read as 0, 「1」 over 「7」 as 17); one with a ruling too many cuts
    through text. ``text_lines`` are the characters of each text line the OCR gave. Such a grid
    is not used: its page is read from text lines, as a table without rulings."""
    x0, top, x1, bottom = grid.bbox

    def inside(ch: Char) -> bool:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
        return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1

    cells: dict[int, tuple[Origin, list[Char]]] = {}
    for chars in text_lines:
        within = [inside(ch) for ch in chars]
        if any(within) and not all(within):
            text = "".join(ch.text for ch in chars)
            return f"the text line 「{text}」 crosses the border of the table"
        for ch in chars if all(within) else ():
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
            c = min(max(bisect_right(grid.xs, cx) - 1, 0), len(grid.xs) - 2)
            r = min(max(bisect_right(grid.ys, cy) - 1, 0), len(grid.ys) - 2)
            origin = grid.slots[r][c]
            # a glyph cut by a border of its cell: that border is a stroke of text, not a ruling
            width = ch.x1 - ch.x0
            if min(ch.x1, origin.bbox[2]) - max(ch.x0, origin.bbox[0]) < 0.6 * width:
                return f"a ruling cuts through 「{ch.text}」"
            cells.setdefault(id(origin), (origin, []))[1].append(ch)
    cell_texts = {key: join_lines([line.text for line in group_lines(chars)])
                  for key, (_, chars) in cells.items()}
    lost = _lost_column_line(grid, cell_texts)
    if lost:
        return lost
    for origin, chars in cells.values():
        lines = group_lines(chars)
        texts = [line.text for line in lines]
        if any(_starts_row(text) for text in texts[1:]):
            return f"one cell holds two rows: {' / '.join(texts)}"
        values = [text for text in texts if _is_value(text)]
        if values and len(texts) > 1 and not _wrapped_number(grid, lines):
            return f"one cell holds two lines of numbers: {' / '.join(texts)}"
        if values and any(origin.bbox[1] + 1 < y < origin.bbox[3] - 1 for y in grid.ys):
            # a number in a cell over two rows: which row's (the other one blank) is not known
            return f"a number in a cell over two rows: {values[0]} at {round_box(origin.bbox)}"
        if any(re.search(r"\d\s+\d", text) for text in values):
            return f"one cell holds two numbers: {values[0]} at {round_box(origin.bbox)}"
    return None


_Piece = tuple[int, int, int, int]  # rows r0:r1, columns c0:c1 of a grid


def split_lost_rulings(grid: Grid, text_lines: list[list[Char]]) -> Grid | None:
    """``grid`` with the cells that a lost piece of ruling merged cut apart again along the
    grid's own lines, where the text in them says so unambiguously; None when nothing was cut.

    A faint ruling broken off in one cell leaves that cell over two grid rows (or columns) that
    the neighbouring cells keep apart. It is cut when:

    * it holds numbers (under one line of heading, or none), one column wide: each line lies
      inside one grid row, near its middle, no two in one row, and a neighbouring column keeps
      each row line cut; a lone line only in a cell over two rows (a merged cell's value would sit
      on the line between them);
    * it holds numbers, one row high: each number lies inside one grid column, near its middle,
      and the rows above and below (one of them in a table's first or last row) keep each column
      line cut (as :func:`_lost_column_line`);
    * it holds a label over several rows: cut before each line that starts a row (「3.」,
      「（五）」), at the one row line of the grid in the gap before it.

    The result must still pass :func:`disagreement`; the caller checks."""
    n_rows, n_cols = len(grid.slots), len(grid.xs) - 1
    x0, top, x1, bottom = grid.bbox
    chars_of: dict[int, list[Char]] = {}
    for chars in text_lines:
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
            if not (x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1):
                continue
            c = min(max(bisect_right(grid.xs, cx) - 1, 0), n_cols - 1)
            r = min(max(bisect_right(grid.ys, cy) - 1, 0), n_rows - 1)
            chars_of.setdefault(id(grid.slots[r][c]), []).append(ch)
    slots = [list(row) for row in grid.slots]
    seen: set[int] = set()
    changed = False
    for r in range(n_rows):
        for c in range(n_cols):
            origin = grid.slots[r][c]
            if id(origin) in seen:
                continue
            seen.add(id(origin))
            rows = [k for k in range(n_rows) if grid.slots[k][c] is origin]
            columns = [k for k in range(n_cols) if grid.slots[r][k] is origin]
            if len(rows) == 1 and len(columns) == 1:
                continue
            chars = chars_of.get(id(origin), [])
            lines = group_lines(chars)
            labels = [k for k, line in enumerate(lines) if not _is_value(line.text)]
            if labels == [0] and len(columns) == 1:  # a heading over numbers whose ruling was lost
                pieces = _number_rows(grid, rows, c, lines)
            elif not labels:  # numbers, or blank
                if len(columns) == 1:
                    pieces = _number_rows(grid, rows, c, lines)
                elif len(rows) == 1:
                    pieces = _number_columns(grid, r, columns, chars)
                else:
                    pieces = None
            else:
                pieces = _label_rows(grid, rows, columns, lines)
            if not pieces:
                continue
            changed = True
            for r0, r1, c0, c1 in pieces:
                piece = Origin((grid.xs[c0], grid.ys[r0], grid.xs[c1], grid.ys[r1]))
                for k in range(r0, r1):
                    for j in range(c0, c1):
                        slots[k][j] = piece
    if not changed:
        return None
    return Grid(grid.page, grid.bbox, grid.xs, grid.ys, slots, [list(p) for p in grid.pages],
                [list(b) for b in grid.boxes])


def _near_middle(low: float, high: float, start: float, end: float) -> bool:
    """Does the text from ``start`` to ``end`` lie between ``low`` and ``high`` (an OCR box may
    reach a little past a ruling: a quarter of its size), its centre in their middle half?"""
    outside = max(low - start, 0.0) + max(end - high, 0.0)
    centre = (start + end) / 2
    return outside <= 0.25 * (end - start) and abs(centre - (low + high) / 2) <= 0.25 * (high - low)


def _lone_inside(span: tuple[float, float], part: tuple[float, float], start: float, end: float) -> bool:
    """Is a lone line of text in a cell over two rows (columns) placed in one of them, ``part``,
    rather than in the middle of the whole cell ``span`` (a merged cell's text)?"""
    centre = (start + end) / 2
    return abs(centre - sum(part) / 2) < abs(centre - sum(span) / 2)


def _number_rows(grid: Grid, rows: list[int], c: int, lines: list[Line]) -> list[_Piece] | None:
    if len(lines) == 1 and (len(rows) != 2 or not _is_value(lines[0].text)):
        return None  # (no lines: a blank cell, cut as blank cells)
    for upper, lower in itertools.pairwise(rows):  # a neighbouring column keeps the row line
        if not any(0 <= k < len(grid.xs) - 1 and grid.slots[upper][k] is not grid.slots[lower][k]
                   for k in (c - 1, c + 1)):
            return None
    taken: set[int] = set()
    for line in lines:
        found = [k for k in rows if _near_middle(grid.ys[k], grid.ys[k + 1], line.top, line.bottom)]
        if len(found) != 1 or found[0] in taken:
            return None
        span, part = (grid.ys[rows[0]], grid.ys[rows[-1] + 1]), (grid.ys[found[0]], grid.ys[found[0] + 1])
        if len(lines) == 1 and not _lone_inside(span, part, line.top, line.bottom):
            return None
        taken.add(found[0])
    return [(k, k + 1, c, c + 1) for k in rows]


def _number_columns(grid: Grid, r: int, columns: list[int], chars: list[Char]) -> list[_Piece] | None:
    slots = grid.slots
    for left, right in itertools.pairwise(columns):  # the rows above and below keep the column line
        # (the first or last row of a table: the one row beside it must keep the line)
        apart_above = r == 0 or slots[r - 1][left] is not slots[r - 1][right]
        apart_below = r + 1 >= len(slots) or slots[r + 1][left] is not slots[r + 1][right]
        if not (apart_above and apart_below and len(slots) > 1):
            return None
    groups: dict[int, list[Char]] = {}
    for ch in chars:
        inside = [k for k in columns if grid.xs[k] - 0.5 <= ch.x0 and ch.x1 <= grid.xs[k + 1] + 0.5]
        if len(inside) != 1:
            return None  # a glyph across a column line
        groups.setdefault(inside[0], []).append(ch)
    if len(groups) == 1 and len(columns) != 2:
        return None
    span = (grid.xs[columns[0]], grid.xs[columns[-1] + 1])
    for k, group in groups.items():
        lines = group_lines(group)
        if len(lines) != 1 or not _is_value(lines[0].text) or not _near_middle(
                grid.xs[k], grid.xs[k + 1], lines[0].x0, lines[0].x1):
            return None
        part = (grid.xs[k], grid.xs[k + 1])
        if len(groups) == 1 and not _lone_inside(span, part, lines[0].x0, lines[0].x1):
            return None
    return [(r, r + 1, k, k + 1) for k in columns]


def _label_rows(grid: Grid, rows: list[int], columns: list[int], lines: list[Line]) -> list[_Piece] | None:
    starts = [k for k, line in enumerate(lines) if k and _starts_row(line.text)]
    if not starts:
        return None
    inner = [grid.ys[k] for k in rows[1:]]  # the row lines inside the cell
    cuts = [rows[0]]
    for k in starts:
        # the row line between the two text lines' middles (an OCR box reaches past its glyphs)
        between = [y for y in inner
                   if (lines[k - 1].top + lines[k - 1].bottom) / 2 < y < (lines[k].top + lines[k].bottom) / 2]
        if len(between) != 1:
            return None
        cuts.append(grid.ys.index(between[0]))
    cuts.append(rows[-1] + 1)
    return [(r0, r1, columns[0], columns[-1] + 1) for r0, r1 in itertools.pairwise(cuts)]


def _lost_column_line(grid: Grid, texts: dict[int, str]) -> str | None:
    """A cell of numbers (or blank) over two columns that the row above keeps apart, as does the
    row below (or it is the last row): a column line lost in one row, not a merged cell (a
    merged cell of numbers sits under a merged heading)."""
    slots = grid.slots
    seen: set[int] = set()
    for row in slots:
        for c, origin in enumerate(row):
            text = texts.get(id(origin), "")
            if id(origin) in seen or (text and not _is_value(text)):
                continue
            seen.add(id(origin))
            columns = [k for k in range(len(row)) if row[k] is origin]
            rows = [k for k in range(len(slots)) if slots[k][c] is origin]
            above, below = rows[0] - 1, rows[-1] + 1
            for k in columns[1:]:
                apart_above = above >= 0 and slots[above][k - 1] is not slots[above][k]
                apart_below = below >= len(slots) or slots[below][k - 1] is not slots[below][k]
                if apart_above and apart_below:
                    return f"a column line lost in one row at {round_box(origin.bbox)}"
    return None


def _wrapped_number(grid: Grid, lines: list[Line]) -> bool:
    """Are ``lines`` one number wrapped in a narrow cell (「673」 over 「7」, 「11」 over 「2」): two
    lines of digits, the first of two digits or more and the second no longer, with no row line
    of the grid between them (two rows' values in a cell whose ruling was lost have one: the
    other cells of those rows keep it)?"""
    if len(lines) != 2 or not all(compact(line.text).isdigit() for line in lines):
        return False
    first, second = (len(compact(line.text)) for line in lines)
    between = any(lines[0].bottom < y < lines[1].top for y in grid.ys)
    return first >= 2 and second <= first and not between


def last_page(grid: Grid) -> int:
    return grid.pages[-1][0] if grid.pages else grid.page


COLUMN_TOLERANCE = 4.0  # points; WPS shifts a continued table's outer borders by up to 3 pt


def align_columns(a: Grid, b: Grid) -> bool:
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


def _remap(grid: Grid, xs: list[float], mapping: list[int]) -> None:
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
    bare = compact(text)
    return bool(_VALUE.match(bare)) or bare in TEMPLATE.blank_marks


def _starts_row(text: str) -> bool:
    return bool(_ENUMERATOR.match(compact(text)))


def append_grid(top: Grid, bottom: Grid) -> None:
    """Append ``bottom`` (the continuation on the next page) to ``top``, joining what the page
    break cut: a repeated header, a row split in two, merged labels split in two."""
    repeat = _repeated_header(top.slots, bottom.slots)
    rows, pages, boxes = bottom.slots[repeat:], bottom.pages[repeat:], bottom.boxes[repeat:]
    if not rows:
        return
    last, first = top.slots[-1], rows[0]
    n_cols = len(first)
    pairs: list[tuple[Origin, Origin]] = []  # (cell above the break, cell below) on the same columns
    for below in _row_origins(rows, 0):
        columns = [c for c in range(n_cols) if first[c] is below]
        above = last[columns[0]]
        span = [c for c in range(n_cols) if last[c] is above]
        if span == columns:
            pairs.append((above, below))
    relabel: dict[int, Origin] = {}
    spans = [(above, below, _rowspan(top.slots, above), _rowspan(rows, below)) for above, below in pairs]
    split = len(pairs) == len(_row_origins(rows, 0)) and _split_row(spans)
    for above, below, span_above, span_below in spans:
        if split or _continued_label(above, below, span_above, span_below):
            if below.text and above.text.isdigit() and below.text.isdigit():
                above.text += below.text  # one number wrapped across the break
            elif below.text:
                above.text = join_lines([above.text, below.text])
            relabel[id(below)] = above
    new_rows = [[relabel.get(id(origin), origin) for origin in row] for row in rows]
    if split:  # every cell of the split row moved up: the row itself is gone
        new_rows, pages, boxes = new_rows[1:], pages[1:], boxes[1:]
    top.slots.extend(new_rows)
    top.pages.extend(pages)
    top.boxes.extend(boxes)


def _row_origins(rows: list[list[Origin]], r: int) -> list[Origin]:
    """The distinct cells of row ``r``, left to right."""
    result: list[Origin] = []
    for origin in rows[r]:
        if not result or result[-1] is not origin:
            result.append(origin)
    return result


def _rowspan(rows: list[list[Origin]], origin: Origin) -> int:
    return sum(1 for row in rows if any(o is origin for o in row))


def _repeated_header(above: list[list[Origin]], below: list[list[Origin]]) -> int:
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


def _split_row(spans: list[tuple[Origin, Origin, int, int]]) -> bool:
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


def _continued_label(above: Origin, below: Origin, span_above: int, span_below: int) -> bool:
    """A merged (multi-row) label cell cut by the page break: the part below continues it."""
    if span_above < 2 and span_below < 2:
        return False
    if not above.text or _is_value(above.text):
        return False
    return not below.text or (not _is_value(below.text) and not _starts_row(below.text))


def grid_rows(grid: Grid) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    seen: set[int] = set()
    for r, row in enumerate(grid.slots):
        cells = []
        for c, origin in enumerate(row):
            page = grid.pages[r][c]
            if id(origin) not in seen:
                seen.add(id(origin))
                cells.append(Cell(text=origin.text, line=0, page=page, bbox=round_box(origin.bbox)))
            else:
                cells.append(Cell(text="", line=0, page=page, bbox=round_box(grid.boxes[r][c]), merged=True))
        rows.append(cells)
    return rows


def round_box(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (round(bbox[0], 2), round(bbox[1], 2), round(bbox[2], 2), round(bbox[3], 2))

