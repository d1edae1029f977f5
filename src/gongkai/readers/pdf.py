"""Read a PDF with a text layer into a :class:`~gongkai.document.Document`.

How it works, and why:

* pypdfium2 (PDFium, C++) does all the parsing: characters with their boxes, and the path objects
  that draw table rulings. pdfminer (under pdfplumber) parses content streams in pure Python at
  roughly 10 pages/s; PDFium does the same work at more than 100 pages/s.
* pdfplumber's ruling-line table finder (snap and join edges, find intersections, build cells,
  group cells into tables) runs on the edges taken from PDFium, so tables are found exactly as
  pdfplumber's ``lines`` strategy would, only without pdfminer.
* Edges are taken from stroked lines and thin filled rectangles only. Word processors (WPS in
  particular) paint a white filled rectangle behind every cell and every line of body text; fed to
  a table finder those become "tables" made of paragraphs, so filled areas are never rulings.
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

Coordinates in ``Cell.bbox`` are PDF points ``(x0, top, x1, bottom)`` measured from the top-left
corner of the page as displayed (page rotation applied), the convention pdfplumber uses.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gongkai.document import Cell, Document
from gongkai.errors import ParseError

__all__ = ["MAX_BYTES", "MAX_PAGES", "OCR_NEEDED", "read_pdf"]

MAX_BYTES = 100 * 1024 * 1024  # reports with a text layer are a few MB; refused before parsing
MAX_PAGES = 1000
# Bounds on one page's work: a page beyond them is a drawing (map, chart, hatching), not a table,
# and pdfplumber's intersection search is quadratic in the number of edges.
MAX_OBJECTS_PER_PAGE = 200_000
MAX_PATHS_PER_PAGE = 20_000
MAX_EDGES_PER_PAGE = 4_000
MAX_CHARS_PER_PAGE = 200_000

OCR_NEEDED = "scanned PDF without a text layer: OCR needed (pip install 'gongkai[ocr]')"

# pdfplumber table settings, tuned for WPS/Word output: WPS draws the borders of neighbouring
# cells as separate lines up to ~0.5 pt apart, and breaks long borders into per-cell pieces.
SNAP_TOLERANCE = 3.0
JOIN_TOLERANCE = 3.0
EDGE_MIN_LENGTH = 3.0
INTERSECTION_TOLERANCE = 3.0
THIN = 2.5  # a filled shape at most this thick is a ruling (Word and LibreOffice draw borders so)

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
_BLANK_MARKS = {"/", "-", "—", "——", "－", "无", "／"}
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


class _Char:
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
    chars: list[_Char] = field(default_factory=list)
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
class _PageText:
    number: int
    height: float
    lines: list[_Line]
    tables: list[_Grid]
    unmapped: int = 0


# --------------------------------------------------------------------------------------------
# Entry point


def read_pdf(data: bytes, name: str, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Document:
    """Read a PDF that has a text layer. Raises :class:`ParseError` for anything that is not a
    readable PDF: too large, not a PDF, damaged or truncated, password-protected, or scanned
    (no text layer on any page)."""
    if len(data) > max_bytes:
        raise ParseError(name, f"file too large: {len(data)} bytes (limit {max_bytes})")
    if b"%PDF-" not in data[:1024]:
        raise ParseError(name, "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-2048:]:
        raise ParseError(name, "truncated PDF: the file does not end with %%EOF (incomplete download?)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ParseError(name, _open_error(exc)) from exc
    try:
        return _read(pdf, name, max_pages)
    except ParseError as error:
        if error.reason != OCR_NEEDED:
            raise
    except Exception as exc:  # anything PDFium or our geometry trips over is a bad input, not a bug to leak
        raise ParseError(name, f"cannot read PDF: {type(exc).__name__}: {exc}") from exc
    finally:
        pdf.close()
    # no text layer on any page: a scan, read by OCR (gongkai[ocr]) or refused with the reason
    from .ocr import read_scanned_pdf

    return read_scanned_pdf(data, name)


def _open_error(exc: pdfium.PdfiumError) -> str:
    code = getattr(exc, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF: a password is needed to open it"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF with an unsupported security handler"
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return "damaged or truncated PDF (PDFium cannot parse its structure)"
    return f"cannot open PDF: {exc}"


def _read(pdf: pdfium.PdfDocument, name: str, max_pages: int) -> Document:
    count = len(pdf)
    if count == 0:
        raise ParseError(name, "PDF has no pages")
    if count > max_pages:
        raise ParseError(name, f"too many pages: {count} (limit {max_pages})")
    doc = Document(name=name, media_type="application/pdf", pages=count)
    pages: list[_PageText] = []
    scanned: list[int] = []
    for index in range(count):
        number = index + 1
        try:
            page = pdf[index]
        except pdfium.PdfiumError:
            doc.warnings.append(f"page {number}: cannot be loaded (damaged), skipped")
            continue
        try:
            result = _read_page(page, number, doc.warnings)
        finally:
            page.close()
        if result is None:
            scanned.append(number)
        elif result.lines or result.tables:
            pages.append(result)
    if not pages:
        if scanned:
            raise ParseError(name, OCR_NEEDED)
        raise ParseError(name, "PDF contains no text")
    if scanned:
        listed = ", ".join(str(n) for n in scanned)
        which = f"pages {listed} have" if len(scanned) > 1 else f"page {listed} has"
        doc.warnings.append(
            f"{which} no text layer (scanned) and were not read: OCR needed (pip install 'gongkai[ocr]')"
        )
    unmapped = [p.number for p in pages if p.unmapped]
    if unmapped:
        doc.warnings.append(
            "pages " + ", ".join(map(str, unmapped)) + ": some characters have no Unicode mapping "
            "in the PDF's fonts (text may be garbled)"
        )
    _drop_running_lines(pages)
    _assemble(doc, pages)
    return doc


# --------------------------------------------------------------------------------------------
# One page


def _display_transform(page: pdfium.PdfPage) -> tuple[float, float, float, float, float, float, float, float]:
    """Coefficients mapping PDF user space to display space (points, top-left origin):
    X = a*x + b*y + c, T = d*x + e*y + f; plus the displayed width and height."""
    x0, y0, x1, y1 = page.get_cropbox()
    rotation = pdfium_c.FPDFPage_GetRotation(page.raw) % 4
    if rotation == 1:  # 90° clockwise
        return 0, 1, -y0, 1, 0, -x0, y1 - y0, x1 - x0
    if rotation == 2:
        return -1, 0, x1, 0, 1, -y0, x1 - x0, y1 - y0
    if rotation == 3:
        return 0, -1, y1, -1, 0, x1, y1 - y0, x1 - x0
    return 1, 0, -x0, 0, -1, y1, x1 - x0, y1 - y0


def _read_page(page: pdfium.PdfPage, number: int, warnings: list[str]) -> _PageText | None:
    """Read one page; None when the page has no text layer but shows something (a scan)."""
    a, b, c, d, e, f, width, height = _display_transform(page)
    rotation = pdfium_c.FPDFPage_GetRotation(page.raw) % 4 * 90

    def to_display(x: float, y: float) -> tuple[float, float]:
        return a * x + b * y + c, d * x + e * y + f

    textpage = page.get_textpage()
    try:
        chars, unmapped = _page_chars(textpage, to_display, rotation, width, height)
    finally:
        textpage.close()
    edges, image_area, paths = _page_graphics(page, to_display)
    visible = sum(1 for ch in chars if not ch.text.isspace())
    if visible < 20 and image_area >= 0.5 * width * height:
        return None  # a scan, perhaps with a page number or stamp added as text
    if not visible:
        # Text drawn as outlines (many paths) needs OCR as much as a scan; a blank page does not.
        return None if image_area > 0.1 * width * height or paths > 200 else _PageText(number, height, [], [])
    if len(chars) > MAX_CHARS_PER_PAGE:
        warnings.append(f"page {number}: {len(chars)} characters, only the first {MAX_CHARS_PER_PAGE} read")
        chars = chars[:MAX_CHARS_PER_PAGE]
    if paths > MAX_PATHS_PER_PAGE:
        warnings.append(f"page {number}: {paths} drawing objects, tables not searched")
        edges = []
    tables = _find_tables(edges, number, warnings) if edges else []
    rest = _fill_tables(tables, chars)
    lines = _group_lines(rest)
    return _PageText(number, height, lines, tables, unmapped)


def _page_chars(
    textpage: pdfium.PdfTextPage, to_display: Any, rotation: int, width: float, height: float
) -> tuple[list[_Char], int]:
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    loose = pdfium_c.FS_RECTF()
    # (index, text, box in PDF space, angle in quarter turns, word break before it)
    found: list[tuple[int, str, list[float], int, bool]] = []
    unmapped = 0
    space_before = False
    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (0x20, 0x3000, 0xA0):
            if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
                # PDFium saw a word gap here; used only where the gap is real (see _make_line)
                space_before = True
                continue
            text = " "
        elif code < 0x20 or code in (0xFFFE, 0xFFFF, 0xFEFF) or 0xD800 <= code <= 0xDFFF:
            space_before = False  # generated line breaks
            continue
        else:
            text = chr(code)
            if pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1 or 0xE000 <= code <= 0xF8FF:
                unmapped += 1
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose):
            continue
        # PDFium gives the angle clockwise in radians; snap to a quarter turn, counterclockwise
        angle = pdfium_c.FPDFText_GetCharAngle(raw, i)
        quarter = (360 - round(math.degrees(angle) / 90) * 90 - rotation) % 360 if angle >= 0 else 0
        found.append((i, text, [loose.left, loose.top, loose.right, loose.bottom], quarter, space_before))
        space_before = False
    # PDFium's font-based ("loose") box is sometimes absurd (20 times the glyph, seen on WPS's
    # stacked vertical labels); for those the glyph's own ("tight") box is the better guess.
    heights = sorted(box[1] - box[3] for _, text, box, _, _ in found if text != " ")
    limit = 3 * heights[len(heights) // 2] if heights else math.inf
    left, right, bottom_, top_ = (ctypes.c_double() for _ in range(4))
    chars: list[_Char] = []
    seen: set[tuple[str, int, int]] = set()
    for i, text, box, quarter, space in found:
        if box[1] - box[3] > limit and pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom_, top_):
            box = [left.value, top_.value, right.value, bottom_.value]
        ax, at = to_display(box[0], box[1])
        bx, bt = to_display(box[2], box[3])
        x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
        top, bottom = (at, bt) if at <= bt else (bt, at)
        cx, cy = (x0 + x1) / 2, (top + bottom) / 2
        if not (0 <= cx <= width and 0 <= cy <= height):
            continue  # outside the visible page
        key = (text, round(cx), round(cy))
        if key in seen:
            continue  # the same glyph painted twice (fake bold, shadow)
        seen.add(key)
        chars.append(_Char(text, x0, top, x1, bottom, quarter, space))
    return chars, unmapped


# --------------------------------------------------------------------------------------------
# Rulings


def _page_graphics(page: pdfium.PdfPage, to_display: Any) -> tuple[list[dict[str, Any]], float, int]:
    """Edges (pdfplumber's edge dicts) from the page's vector graphics, the area covered by
    images, and the number of path objects (more than MAX_PATHS_PER_PAGE when the page has too
    many objects to look at)."""
    edges: list[dict[str, Any]] = []
    state = {"image_area": 0.0, "paths": 0, "objects": 0}
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

    def walk(count: int, get: Any, parent: tuple[float, ...], depth: int) -> None:
        matrix = pdfium_c.FS_MATRIX()
        for i in range(count):
            state["objects"] += 1
            if state["objects"] > MAX_OBJECTS_PER_PAGE:
                state["paths"] = max(state["paths"], MAX_PATHS_PER_PAGE + 1)
                return
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                state["paths"] += 1
                if state["paths"] <= MAX_PATHS_PER_PAGE:
                    pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
                    _path_edges(obj, _compose(_matrix(matrix), parent), to_display, edges)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                left, bottom, right, top = (ctypes.c_float() for _ in range(4))
                if pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                    scale = abs(parent[0] * parent[3] - parent[1] * parent[2])  # form space to page
                    area = abs((right.value - left.value) * (top.value - bottom.value))
                    state["image_area"] += area * scale
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
                pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
                inner = _compose(_matrix(matrix), parent)
                walk(
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    lambda k, form=obj: pdfium_c.FPDFFormObj_GetObject(form, k),
                    inner,
                    depth + 1,
                )

    walk(
        pdfium_c.FPDFPage_CountObjects(page.raw),
        lambda k: pdfium_c.FPDFPage_GetObject(page.raw, k),
        identity,
        0,
    )
    return edges, state["image_area"], int(state["paths"])


def _matrix(m: Any) -> tuple[float, float, float, float, float, float]:
    return m.a, m.b, m.c, m.d, m.e, m.f


def _compose(
    inner: tuple[float, ...], outer: tuple[float, ...]
) -> tuple[float, float, float, float, float, float]:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _visible(color_getter: Any, obj: Any) -> bool:
    """False for white or fully transparent paint (invisible rulings must not split cells)."""
    r, g, b, alpha = (ctypes.c_uint() for _ in range(4))
    if not color_getter(obj, r, g, b, alpha):
        return True
    if alpha.value == 0:
        return False
    return not (r.value > 240 and g.value > 240 and b.value > 240)


def _path_edges(obj: Any, matrix: tuple[float, ...], to_display: Any, edges: list[dict[str, Any]]) -> None:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke):
        return
    stroked = bool(stroke.value) and _visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    filled = bool(fill_mode.value) and _visible(pdfium_c.FPDFPageObj_GetFillColor, obj)
    if not stroked and not filled:
        return  # white cell backgrounds and invisible paths
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float, bool]]] = []  # points with "reached by a straight line"
    for k in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, k)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = to_display(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(point[0], point[1], False)])
        else:
            subpaths[-1].append((point[0], point[1], kind == pdfium_c.FPDF_SEGMENT_LINETO))
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            first = subpaths[-1][0]
            subpaths[-1].append((first[0], first[1], True))
    for points in subpaths:
        if stroked:
            for (x0, t0, _), (x1, t1, straight) in itertools.pairwise(points):
                if straight:
                    _add_edge(edges, x0, t0, x1, t1)
        elif len(points) > 1:
            xs = [p[0] for p in points]
            ts = [p[1] for p in points]
            w, h = max(xs) - min(xs), max(ts) - min(ts)
            if h <= THIN and w > h:
                mid = (min(ts) + max(ts)) / 2
                _add_edge(edges, min(xs), mid, max(xs), mid)
            elif w <= THIN and h > w:
                mid = (min(xs) + max(xs)) / 2
                _add_edge(edges, mid, min(ts), mid, max(ts))


def _add_edge(edges: list[dict[str, Any]], x0: float, t0: float, x1: float, t1: float) -> None:
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


def _find_tables(edges: list[dict[str, Any]], page: int, warnings: list[str]) -> list[_Grid]:
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


def _fill_tables(grids: list[_Grid], chars: list[_Char]) -> list[_Char]:
    """Put every character inside a table into the cell under its centre; return the rest."""
    rest: list[_Char] = []
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
                lines = _group_lines(origin.chars)
                origin.text = _join_lines([line.text for line in lines])
                if lines:
                    last = lines[-1]
                    origin.wrapped = last.x1 >= origin.bbox[2] - 1.5 * last.size - 4
                origin.chars = []
    return rest


# --------------------------------------------------------------------------------------------
# Text lines


def _group_lines(chars: list[_Char]) -> list[_Line]:
    """Group characters into lines (per writing direction), ordered top to bottom."""
    by_angle: dict[int, list[_Char]] = {}
    for ch in chars:
        by_angle.setdefault(ch.angle, []).append(ch)
    lines: list[_Line] = []
    for group in by_angle.values():
        framed = sorted(((ch.frame(), ch) for ch in group), key=lambda item: item[0][2] + item[0][3])
        current: list[tuple[tuple[float, float, float, float], _Char]] = []
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


def _make_line(items: list[tuple[tuple[float, float, float, float], _Char]]) -> _Line:
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


def _drop_running_lines(pages: list[_PageText]) -> None:
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


def _assemble(doc: Document, pages: list[_PageText]) -> None:
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
    mapping = []
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
    return bool(_VALUE.match(compact)) or compact in _BLANK_MARKS


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
