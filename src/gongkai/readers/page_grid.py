"""Tables from a page's ruling lines: pdfplumber's ``lines`` strategy (snap and join edges, find
intersections, build cells, group cells into tables) run on the edges a reader gives, every
character put into the cell under its centre, and a table continued on the next page appended to
it (a repeated header dropped, a row or a merged label cut by the page break joined again).
Shared by the PDF and OCR readers through :mod:`gongkai.readers.layout`.

A grid found from a scan's faint, broken rulings is checked against the text read
(:func:`disagreement`) and, where a ruling was lost (in a cell, over several rows, or along the
whole table) or a stray one found, repaired only where the text places each line beyond doubt
(:func:`split_lost_rulings`, :func:`restore_lost_lines`): numbers centred in their columns,
labels that start a row, a word no ruling runs through.
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
           "find_tables", "grid_rows", "last_page", "restore_lost_lines", "round_box",
           "split_lost_rulings"]

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
# a label, a gap, then numbers: a row's label and its values in one cell
_NUMBER = r"[+\-－]?\d[\d,，.．]*"
_LABEL_THEN_NUMBER = re.compile(rf"^.*[\u4e00-\u9fff）)][^\d]*\s+{_NUMBER}(?:\s+{_NUMBER})*$")
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
        labelled = [text for text in texts if _LABEL_THEN_NUMBER.match(text)]
        if labelled:  # 「行政许可  1463」: the column line between a row's label and its value lost
            return f"one cell holds a label and a number: {labelled[0]} at {round_box(origin.bbox)}"
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

    A ruling lost along the whole table (no row keeps that column line, no column that row line)
    is not among the grid's lines: it is put back first where the text places it
    (:func:`restore_lost_lines`).

    The result must still pass :func:`disagreement`; the caller checks."""
    restored = restore_lost_lines(grid, text_lines)
    grid = restored or grid
    changed = restored is not None
    # a cut piece may need cutting the other way (a label row, then its numbers), a cell the cut of
    # the cell beside it (the row line kept beside it only then)
    for _ in range(len(grid.xs) + len(grid.ys)):
        cut = _cut_merged(grid, text_lines)
        if cut is None:
            break
        grid, changed = cut, True
    if changed:
        grid = _without_blank_last_row(grid, text_lines)
    return grid if changed else None


def _without_blank_last_row(grid: Grid, text_lines: list[list[Char]]) -> Grid:
    """``grid`` without a last row that holds no text (a stray ruling piece below the table's last
    row of text): a row cut by the page break must end the page's part of the table, or the digits
    wrapped onto the next page are not joined to it."""
    if len(grid.ys) < 3:
        return grid
    low, high = grid.ys[-2], grid.ys[-1]
    x0, x1 = grid.xs[0], grid.xs[-1]
    for chars in text_lines:
        for ch in chars:
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.top + ch.bottom) / 2
            if x0 - 1 <= cx <= x1 + 1 and low - 1 <= cy <= high + 1:
                return grid
    clipped: dict[int, Origin] = {}
    for origin in grid.slots[-2]:
        if origin.bbox[3] > low + 0.5 and id(origin) not in clipped:
            clipped[id(origin)] = Origin((origin.bbox[0], origin.bbox[1], origin.bbox[2], low))
    slots = [[clipped.get(id(origin), origin) for origin in row] for row in grid.slots[:-1]]
    bbox = (grid.bbox[0], grid.bbox[1], grid.bbox[2], low)
    return Grid(grid.page, bbox, list(grid.xs), grid.ys[:-1], slots, [list(p) for p in grid.pages[:-1]],
                [list(b) for b in grid.boxes[:-1]])


def _cut_merged(grid: Grid, text_lines: list[list[Char]]) -> Grid | None:
    """One pass of :func:`split_lost_rulings` over the merged cells of ``grid``."""
    n_rows, n_cols = len(grid.slots), len(grid.xs) - 1
    chars_of = _chars_by_cell(grid, text_lines)
    line_of = {id(ch): k for k, chars in enumerate(text_lines) for ch in chars}
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
            heading_first = labels == list(range(len(labels))) and len(lines) > len(labels)
            if len(rows) > 1 and (not labels or heading_first):
                # numbers (under a heading whose ruling was lost, or none) over several rows
                pieces = _number_rows(grid, rows, columns, lines)
            elif len(rows) == 1 and (not labels or len(lines) == 1):
                # numbers side by side (after a label in the first column, or none) in one row
                pieces = _number_columns(grid, r, columns, chars)
            elif labels and len(rows) > 1 and len(columns) > 1:
                # labels over several rows and columns: the rulings between them lost both ways
                pieces = _label_block(grid, rows, columns, _ocr_lines(chars, line_of))
            elif labels:
                pieces = _label_rows(grid, rows, columns, lines)
            else:
                pieces = None
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


def _chars_by_cell(grid: Grid, text_lines: list[list[Char]]) -> dict[int, list[Char]]:
    """The characters read inside ``grid``, by the cell (``id`` of its origin) under their centre."""
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
    return chars_of


def restore_lost_lines(grid: Grid, text_lines: list[list[Char]]) -> Grid | None:
    """``grid`` with the column lines (and row lines) put back that a faint ruling lost along the
    whole table — so that no row keeps them and they are not among the grid's lines — where the
    text places them beyond doubt; None when none is.

    * A column line: every cell of one grid column holding numbers holds two, side by side
      (「0  0」), and one position splits each pair with each number wholly on its side and near
      the middle of its half (numbers are centred in their columns, so each number says where
      the line is; they must all agree). Its other cells are cut too when no glyph lies across
      the line, else left merged over both columns.
    * A row line: every cell of one grid row holding text holds two lines, one over the other,
      the lower (or both) numbers, and one height lies between every pair with each line near
      the middle of its half (a label wrapped in a tall row has a single-line number beside it).

    A column or row whose cells say anything else (a lone number, three numbers, a glyph across
    the position) is left as it is."""
    changed = False
    for _ in range(len(grid.xs) + len(grid.ys)):  # each pass puts back at most one line
        chars_of = _chars_by_cell(grid, text_lines)
        false_row = _false_row(grid, chars_of)
        if false_row is not None:
            grid = _without_row(grid, false_row)
            changed = True
            continue
        through = _through_label(grid, text_lines, chars_of)
        if through is not None:
            grid = through
            changed = True
            continue
        found = _lost_column(grid, chars_of)
        if found is not None:
            grid = _with_column(grid, *found, chars_of)
        else:
            found = _lost_row(grid, chars_of)
            if found is None:
                break
            grid = _with_row(grid, *found, chars_of)
        changed = True
    return grid if changed else None


def _groups(chars: list[Char]) -> list[list[Char]]:
    """The characters of one line in groups separated by a gap wider than half the line's height
    (two numbers side by side)."""
    ordered = sorted(chars, key=lambda ch: ch.x0)
    groups: list[list[Char]] = []
    for ch in ordered:
        if groups and ch.x0 - groups[-1][-1].x1 <= 0.5 * (ch.bottom - ch.top):
            groups[-1].append(ch)
        else:
            groups.append([ch])
    return groups


def _origins_in(grid: Grid, k: int, *, column: bool) -> list[Origin]:
    """The cells one grid column (or row) wide at column (row) ``k``, top to bottom (left to right)."""
    slots = grid.slots
    n = len(slots) if column else len(grid.xs) - 1
    found: list[Origin] = []
    for i in range(n):
        origin = slots[i][k] if column else slots[k][i]
        if found and found[-1] is origin:
            continue
        if column:
            alone = all(j < 0 or j >= len(slots[i]) or slots[i][j] is not origin for j in (k - 1, k + 1))
        else:
            alone = all(j < 0 or j >= len(slots) or slots[j][i] is not origin for j in (k - 1, k + 1))
        if alone:
            found.append(origin)
    return found


def _lost_column(grid: Grid, chars_of: dict[int, list[Char]]) -> tuple[int, float] | None:
    for k in range(len(grid.xs) - 1):
        low, high = grid.xs[k], grid.xs[k + 1]
        pairs: list[tuple[list[Char], list[Char]]] = []
        for origin in _origins_in(grid, k, column=True):
            chars = chars_of.get(id(origin), [])
            lines = group_lines(chars)
            if not lines:
                continue
            if not all(_is_value(line.text) for line in lines):
                continue  # a heading: cut too where no glyph lies across the line
            groups = _groups(chars)
            if len(lines) != 1 or len(groups) != 2:
                pairs = []
                break
            pairs.append((groups[0], groups[1]))
        if not pairs:
            continue
        # each number centred in its half: the line is as far right of the left number's centre
        # as the left border is left of it (and so for the right number)
        estimates = [left[0].x0 + left[-1].x1 - low for left, _ in pairs]
        estimates += [right[0].x0 + right[-1].x1 - high for _, right in pairs]
        x = sorted(estimates)[len(estimates) // 2]
        if all(left[-1].x1 <= x <= right[0].x0 and _near_middle(low, x, left[0].x0, left[-1].x1)
               and _near_middle(x, high, right[0].x0, right[-1].x1) for left, right in pairs):
            return k, x
    return None


def _lost_row(grid: Grid, chars_of: dict[int, list[Char]]) -> tuple[int, float] | None:
    for k in range(len(grid.ys) - 1):
        low, high = grid.ys[k], grid.ys[k + 1]
        pairs: list[tuple[Line, Line]] = []
        blank_or_paired = True
        for origin in _origins_in(grid, k, column=False):
            lines = group_lines(chars_of.get(id(origin), []))
            if not lines:
                continue
            if len(lines) != 2:
                blank_or_paired = False
                break
            pairs.append((lines[0], lines[1]))
        if not blank_or_paired or not pairs or not any(_is_value(lower.text) for _, lower in pairs):
            continue
        if any(_is_value(upper.text) and not _is_value(lower.text) for upper, lower in pairs):
            continue
        estimates = [upper.top + upper.bottom - low for upper, _ in pairs]
        estimates += [lower.top + lower.bottom - high for _, lower in pairs]
        y = sorted(estimates)[len(estimates) // 2]
        if all(upper.bottom - 0.25 * upper.size <= y <= lower.top + 0.25 * lower.size
               and _near_middle(low, y, upper.top, upper.bottom)
               and _near_middle(y, high, lower.top, lower.bottom) for upper, lower in pairs):
            return k, y
    return None


def _false_row(grid: Grid, chars_of: dict[int, list[Char]]) -> int | None:
    """An inner row line that is a ruling too many (a grey smudge taken for a piece of faint
    ruling): kept in at most a third of the columns, there between two one-row cells of which
    at most one holds text, that text fitting the row the line would close (its middle in the
    middle half), and crossed elsewhere by a line of text that the line would cut."""
    slots, ys = grid.slots, grid.ys
    n_cols = len(grid.xs) - 1
    for k in range(1, len(ys) - 1):
        keeping = [c for c in range(n_cols) if slots[k - 1][c] is not slots[k][c]]
        if not keeping or 3 * len(keeping) > n_cols:
            continue
        fits = True
        for c in keeping:
            upper, lower = slots[k - 1][c], slots[k][c]
            one_row = all(abs(o.bbox[1] - top) < 0.5 and abs(o.bbox[3] - bottom) < 0.5 for o, top, bottom
                          in ((upper, ys[k - 1], ys[k]), (lower, ys[k], ys[k + 1])))
            texts = [chars for chars in (chars_of.get(id(upper)), chars_of.get(id(lower))) if chars]
            lines = group_lines(texts[0]) if texts else []
            same_columns = all(abs(upper.bbox[j] - lower.bbox[j]) < 0.5 for j in (0, 2))
            # (a taller cell joined to a blank one: its text stays where it is)
            if not same_columns or len(texts) > 1 or (one_row and not all(
                    _near_middle(ys[k - 1], ys[k + 1], line.top, line.bottom) for line in lines)):
                fits = False
                break
        if not fits:
            continue
        crossed = any(line.top < ys[k] - 0.25 * line.size and line.bottom > ys[k] + 0.25 * line.size
                      for c in range(n_cols) if c not in keeping
                      for line in group_lines(chars_of.get(id(slots[k][c]), [])))
        if crossed:
            return k
    return None


def _through_label(grid: Grid, text_lines: list[list[Char]], chars_of: dict[int, list[Char]]) -> Grid | None:
    """``grid`` with two cells of one row joined where the column line between them runs through
    a word of a label — through a glyph, or between two glyphs of one OCR line that touch
    (「采购总金额」, 「政府|集中采购」 under which the column lines of the next table went on: no
    ruling is drawn through a word) — when neither holds a number; None when there is none."""

    def cjk(ch: Char) -> bool:
        return not ch.text.isascii() and not ch.text.isdigit()

    for chars in text_lines:
        glyphs = sorted((ch for ch in chars if cjk(ch)), key=lambda ch: ch.x0)
        spots = [(ch.x0, ch.x1, ch) for ch in glyphs]  # (a line here cuts the word)
        spots += [(a.x1 - 0.5, b.x0 + 0.5, a) for a, b in itertools.pairwise(glyphs)
                  if 0 <= b.x0 - a.x1 < 0.25 * (a.x1 - a.x0)]
        for low, high, ch in spots:
            cy = (ch.top + ch.bottom) / 2
            if not grid.ys[0] <= cy <= grid.ys[-1]:
                continue
            r = min(max(bisect_right(grid.ys, cy) - 1, 0), len(grid.ys) - 2)
            for k in range(1, len(grid.xs) - 1):
                x = grid.xs[k]
                inner = min(x - low, high - x) > 0.4 * (high - low) if ch.x0 == low else low <= x <= high
                if not inner:
                    continue
                left, right = grid.slots[r][k - 1], grid.slots[r][k]
                same_rows = all(abs(left.bbox[j] - right.bbox[j]) < 0.5 for j in (1, 3))
                texts = [line.text for o in (left, right) for line in group_lines(chars_of.get(id(o), []))]
                if left is right or not same_rows or any(_is_value(text) for text in texts):
                    continue
                joined = Origin((left.bbox[0], left.bbox[1], right.bbox[2], left.bbox[3]))
                slots = [[joined if o is left or o is right else o for o in row] for row in grid.slots]
                return Grid(grid.page, grid.bbox, list(grid.xs), list(grid.ys), slots,
                            [list(p) for p in grid.pages], [list(b) for b in grid.boxes])
    return None


def _without_row(grid: Grid, k: int) -> Grid:
    """``grid`` without its row line ``k``: the cells it kept apart joined (over all their rows)."""
    joined: dict[int, Origin] = {}
    for upper, lower in zip(grid.slots[k - 1], grid.slots[k], strict=True):
        if upper is not lower and id(upper) not in joined:
            joined[id(upper)] = joined[id(lower)] = Origin((upper.bbox[0], upper.bbox[1], upper.bbox[2],
                                                            lower.bbox[3]))
    slots = [[joined.get(id(origin), origin) for origin in row] for row in grid.slots]
    slots = [*slots[: k - 1], slots[k - 1], *slots[k + 1:]]
    boxes = [*grid.boxes[: k - 1], [(a[0], a[1], a[2], b[3]) for a, b in zip(grid.boxes[k - 1], grid.boxes[k],
                                                                           strict=True)], *grid.boxes[k + 1:]]
    pages = [*grid.pages[:k], *grid.pages[k + 1:]]
    return Grid(grid.page, grid.bbox, list(grid.xs), [*grid.ys[:k], *grid.ys[k + 1:]], slots, pages, boxes)


def _with_column(grid: Grid, k: int, x: float, chars_of: dict[int, list[Char]]) -> Grid:
    """``grid`` with a column line at ``x`` inside column ``k``: a cell of that column alone is cut
    in two unless a glyph lies across ``x``; a wider cell covers both new columns."""
    halves: dict[int, tuple[Origin, Origin]] = {}
    alone = {id(origin) for origin in _origins_in(grid, k, column=True)}
    slots = []
    for row in grid.slots:
        origin = row[k]
        if id(origin) not in halves:
            chars = chars_of.get(id(origin), [])
            if id(origin) in alone and all(ch.x1 <= x + 0.5 or ch.x0 >= x - 0.5 for ch in chars):
                x0, top, x1, bottom = origin.bbox
                halves[id(origin)] = (Origin((x0, top, x, bottom)), Origin((x, top, x1, bottom)))
            else:
                halves[id(origin)] = (origin, origin)
        slots.append([*row[:k], *halves[id(origin)], *row[k + 1:]])
    xs = [*grid.xs[: k + 1], x, *grid.xs[k + 1:]]
    pages = [[*row[: k + 1], *row[k:]] for row in grid.pages]
    boxes = [[*row[:k], (row[k][0], row[k][1], x, row[k][3]), (x, row[k][1], row[k][2], row[k][3]),
              *row[k + 1:]] for row in grid.boxes]
    return Grid(grid.page, grid.bbox, xs, list(grid.ys), slots, pages, boxes)


def _with_row(grid: Grid, k: int, y: float, chars_of: dict[int, list[Char]]) -> Grid:
    """``grid`` with a row line at ``y`` inside row ``k``: a cell of that row alone is cut in two
    unless a text line lies across ``y``; a taller cell covers both new rows."""
    halves: dict[int, tuple[Origin, Origin]] = {}
    alone = {id(origin) for origin in _origins_in(grid, k, column=False)}
    upper_row: list[Origin] = []
    lower_row: list[Origin] = []
    for origin in grid.slots[k]:
        if id(origin) not in halves:
            chars = chars_of.get(id(origin), [])
            if id(origin) in alone and all(ch.bottom <= y + 0.25 * (ch.bottom - ch.top)
                                           or ch.top >= y - 0.25 * (ch.bottom - ch.top) for ch in chars):
                x0, top, x1, bottom = origin.bbox
                halves[id(origin)] = (Origin((x0, top, x1, y)), Origin((x0, y, x1, bottom)))
            else:
                halves[id(origin)] = (origin, origin)
        upper_row.append(halves[id(origin)][0])
        lower_row.append(halves[id(origin)][1])
    slots = [*grid.slots[:k], upper_row, lower_row, *grid.slots[k + 1:]]
    ys = [*grid.ys[: k + 1], y, *grid.ys[k + 1:]]
    pages = [*grid.pages[: k + 1], list(grid.pages[k]), *grid.pages[k + 1:]]
    boxes = [*grid.boxes[:k], [(b[0], b[1], b[2], y) for b in grid.boxes[k]],
             [(b[0], y, b[2], b[3]) for b in grid.boxes[k]], *grid.boxes[k + 1:]]
    return Grid(grid.page, grid.bbox, list(grid.xs), ys, slots, pages, boxes)


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


def _number_rows(grid: Grid, rows: list[int], columns: list[int], lines: list[Line]) -> list[_Piece] | None:
    if len(lines) == 1 and (len(rows) != 2 or not _is_value(lines[0].text)):
        return None  # (no lines: a blank cell, cut as blank cells)
    for upper, lower in itertools.pairwise(rows):  # a neighbouring column keeps the row line
        if not any(0 <= k < len(grid.xs) - 1 and grid.slots[upper][k] is not grid.slots[lower][k]
                   for k in (columns[0] - 1, columns[-1] + 1)):
            return None
    heading = [line for line in lines if not _is_value(line.text)]
    if len(heading) > 1:  # a heading over several lines (「总」 over 「计」, printed down the cell)
        joined = "".join(line.text for line in heading)
        x0, x1 = min(line.x0 for line in heading), max(line.x1 for line in heading)
        block = Line(joined, x0, heading[0].top, x1, heading[-1].bottom, heading[0].size)
        lines = [block, *lines[len(heading):]]
    blocks: list[Line] = []  # a number wrapped in its narrow cell (「156」 over 「9」) is one block
    for line in lines:
        if blocks and _wrapped_number(grid, [blocks[-1], line]) and not any(
                (blocks[-1].top + blocks[-1].bottom) / 2 < y < (line.top + line.bottom) / 2 for y in grid.ys):
            first = blocks.pop()
            line = Line(first.text + line.text, min(first.x0, line.x0), first.top, max(first.x1, line.x1),
                        line.bottom, line.size)
        blocks.append(line)
    lines = blocks
    taken: set[int] = set()
    for line in lines:
        found = [k for k in rows if _near_middle(grid.ys[k], grid.ys[k + 1], line.top, line.bottom)]
        if len(found) != 1 or found[0] in taken:
            return None
        span, part = (grid.ys[rows[0]], grid.ys[rows[-1] + 1]), (grid.ys[found[0]], grid.ys[found[0] + 1])
        if len(lines) == 1 and not _lone_inside(span, part, line.top, line.bottom):
            return None
        taken.add(found[0])
    return [(k, k + 1, columns[0], columns[-1] + 1) for k in rows]


def _number_columns(grid: Grid, r: int, columns: list[int], chars: list[Char]) -> list[_Piece] | None:
    """A one-row cell over several columns cut at the column lines the rows above and below keep
    (the one row beside it at a table's first or last row; one of them is enough between two
    pieces that both hold text: the text says it too) and no glyph lies across: each piece then
    holds one number near its middle, or nothing, except that the first may hold the row's label
    (「行政强制  0」: the label over the label columns, as the rows beside it have it)."""
    slots = grid.slots
    if len(slots) < 2:
        return None

    def kept(k: int) -> tuple[bool, bool]:
        above = r == 0 or slots[r - 1][k - 1] is not slots[r - 1][k]
        below = r + 1 >= len(slots) or slots[r + 1][k - 1] is not slots[r + 1][k]
        if not (above or below) and any(row[k - 1] is not row[k] for row in slots):
            return True, False  # kept further up or down the table: one side, as below
        return above, below

    def pieces_at(lines_at: list[int]) -> list[tuple[int, int, list[Char]]]:
        bounds = [columns[0], *lines_at, columns[-1] + 1]
        return [(c0, c1, [ch for ch in chars if grid.xs[c0] - 0.5 <= ch.x0 and ch.x1 <= grid.xs[c1] + 0.5])
                for c0, c1 in itertools.pairwise(bounds)]

    # no line through a glyph, nor between the digits of one number (「1|1」 is 11)
    spans = [(group[0].x0, group[-1].x1) for group in _groups(chars)]
    free = [k for k in columns[1:] if any(kept(k))
            and not any(x0 < grid.xs[k] - 0.5 and x1 > grid.xs[k] + 0.5 for x0, x1 in spans)]
    pieces = pieces_at(free)
    one_sided = {k for k in free if not all(kept(k))}
    if one_sided:  # kept on one side only: cut only between two pieces that hold text
        free = [k for k in free if k not in one_sided
                or all(piece[2] for piece in pieces if k in (piece[0], piece[1]))]
        pieces = pieces_at(free)
    if len(pieces) < 2 or sum(len(piece[2]) for piece in pieces) != len(chars):
        return None
    filled = [(c0, c1, group_lines(group)) for c0, c1, group in pieces if group]
    first = filled[0] if filled else None
    if first and len(first[2]) == 1 and not _is_value(first[2][0].text):
        filled = filled[1:]  # the row's label, over the blank pieces before it too
        pieces = [(columns[0], first[1], []), *[piece for piece in pieces if piece[0] >= first[1]]]
    if not filled:  # blank: cut as the rows beside it; a label alone over several columns: merged
        return [(r, r + 1, c0, c1) for c0, c1, _ in pieces] if not chars else None
    if len(filled) == 1 and len(pieces) != 2:
        return None
    span = (grid.xs[columns[0]], grid.xs[columns[-1] + 1])
    for c0, c1, lines in filled:
        if len(lines) != 1 or not _is_value(lines[0].text) or not _near_middle(
                grid.xs[c0], grid.xs[c1], lines[0].x0, lines[0].x1):
            return None
        if len(filled) == 1 and not _lone_inside(span, (grid.xs[c0], grid.xs[c1]), lines[0].x0, lines[0].x1):
            return None
    return [(r, r + 1, c0, c1) for c0, c1, _ in pieces]


def _ocr_lines(chars: list[Char], line_of: dict[int, int]) -> list[Line]:
    """The text lines the OCR read among ``chars`` (kept apart: a vertical label's lines beside
    the sub-labels of its rows would be joined by :func:`group_lines`), top to bottom."""
    by_line: dict[int, list[Char]] = {}
    for ch in chars:
        by_line.setdefault(line_of.get(id(ch), -1), []).append(ch)
    lines = []
    for group in by_line.values():
        group.sort(key=lambda ch: ch.x0)
        top, bottom = min(ch.top for ch in group), max(ch.bottom for ch in group)
        lines.append(Line("".join(ch.text for ch in group), min(ch.x0 for ch in group), top,
                          max(ch.x1 for ch in group), bottom, bottom - top))
    return sorted(lines, key=lambda line: (line.top, line.x0))


_RESTART = re.compile(r"^(?:1[、．.](?!\d)|[（(]一[）)]|一、|①)")


def _label_block(grid: Grid, rows: list[int], columns: list[int], lines: list[Line]) -> list[_Piece] | None:
    """A cell of labels over several rows and columns (the rulings inside lost both ways: 「（三）
    不予公开」 beside its sub-labels 「1.」…「8.」, under 「（二）部分公开」 over both columns), cut
    where the text says, from the top down, left to right:

    * at a column line of the grid that no line of text crosses, with text either side;
    * else at the first row line below text where every line of the row under it starts a row;
    * a group label left of rows cut that way (「（三）」 over 「1.」…「8.」) only where the
      numbering beside it starts again at 「1.」, each part then holding one group label whose
      first line starts a row; elsewhere a label column is left merged.

    None when a part cannot be cut so (its text would say two rows in one cell)."""

    def middle(line: Line) -> float:
        return (line.top + line.bottom) / 2

    def inside(line: Line, r0: int, r1: int, c0: int, c1: int) -> bool:
        x = (line.x0 + line.x1) / 2
        return grid.ys[r0] <= middle(line) < grid.ys[r1] and grid.xs[c0] <= x < grid.xs[c1]

    def crosses_row(line: Line, y: float) -> bool:
        return line.top + 0.25 * line.size < y < line.bottom - 0.25 * line.size

    def cut(r0: int, r1: int, c0: int, c1: int) -> list[_Part] | None:
        own = [line for line in lines if inside(line, r0, r1, c0, c1)]
        if r1 - r0 == 1 or not own:
            return [(r0, r1, c0, c1, own)]
        for k in range(c0 + 1, c1):
            x = grid.xs[k]
            if any(line.x0 < x - 1 < x + 1 < line.x1 for line in own):
                continue
            if not any(line.x1 <= x + 1 for line in own) or not any(line.x0 >= x - 1 for line in own):
                continue
            right = cut(r0, r1, k, c1)
            if right is None:
                return None
            if k - c0 == 1:  # a label column left of rows: cut only where their numbering says
                left_part = (r0, r1, c0, k, [line for line in own if (line.x0 + line.x1) / 2 < x])
                left = _groups_beside(left_part, right, grid, crosses_row, middle)
            else:
                left = cut(r0, r1, c0, k)
            return None if left is None else left + right
        for k in range(r0 + 1, r1):
            y = grid.ys[k]
            below = [line for line in own if grid.ys[k] <= middle(line) < grid.ys[k + 1]]
            # the first lines of the row under the line (a label wrapped within it goes on below)
            below = [line for line in below if not any(other.bottom <= middle(line) and other.x0 < line.x1
                                                       and line.x0 < other.x1 for other in below)]
            if (below and all(_starts_row(line.text) for line in below)
                    and any(middle(line) < y for line in own)
                    and not any(crosses_row(line, y) for line in own)):
                upper, lower = cut(r0, k, c0, c1), cut(k, r1, c0, c1)
                return None if upper is None or lower is None else upper + lower
        if c1 - c0 == 1 and any(_starts_row(line.text) for line in own[1:]):
            return None  # two rows' labels in one cell
        return [(r0, r1, c0, c1, own)]

    parts = cut(rows[0], rows[-1] + 1, columns[0], columns[-1] + 1)
    if parts is None or len(parts) < 2:
        return None
    return [(r0, r1, c0, c1) for r0, r1, c0, c1, _ in parts]


_Part = tuple[int, int, int, int, list[Line]]  # a piece of a grid and the text lines in it


def _groups_beside(label: _Part, beside: list[_Part], grid: Grid, crosses_row: Any,
                   middle: Any) -> list[_Part] | None:
    """The label column ``label`` cut at the rows where the numbering of the labels ``beside`` it
    starts again (「1.」), when each part then holds text whose first line, and no other, starts
    a row; left whole when its text starts no row after its first line; else None."""
    r0, r1, c0, c1, own = label
    if not any(_starts_row(line.text) for line in own[1:]):
        return [label]
    restarts = sorted({b[0] for b in beside if b[0] > r0 and b[4] and _RESTART.match(compact(b[4][0].text))})
    bounds = [r0, *restarts, r1]
    parts = []
    for a, b in itertools.pairwise(bounds):
        part = [line for line in own if grid.ys[a] <= middle(line) < grid.ys[b]]
        if not part or not _starts_row(part[0].text) or any(_starts_row(line.text) for line in part[1:]):
            return None
        parts.append((a, b, c0, c1, part))
    if any(crosses_row(line, grid.ys[k]) for k in restarts for line in own):
        return None
    return parts


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

