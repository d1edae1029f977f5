"""Read a PDF into a :class:`~gongkai.document.Document`: pages with a text layer from it, scanned
pages (no text layer) by OCR, all in one Document in page order.

How it works, and why:

* pypdfium2 (PDFium, C++) does all the parsing: characters with their boxes, and the path objects
  that draw table rulings. pdfminer (under pdfplumber) parses content streams in pure Python at
  roughly 10 pages/s; PDFium does the same work at more than 100 pages/s.
* Edges are taken from stroked lines and thin filled rectangles only. Word processors (WPS in
  particular) paint a white filled rectangle behind every cell and every line of body text; fed to
  a table finder those become "tables" made of paragraphs, so filled areas are never rulings.
* From the characters and edges on, a page is read by :mod:`gongkai.readers.layout` (pdfplumber's
  ruling-line table finder, merged cells, tables continued across pages, paragraphs, page
  furniture), the same code the OCR reader feeds, so a scanned page pasted between typed pages
  joins its neighbours' tables and paragraphs as if it had been typed.
* A page with almost no text under a page-sized image (or text drawn as outlines) is scanned: it
  goes to :func:`gongkai.readers.ocr.read_pdf_pages` (the optional ``gongkai[ocr]``); without the
  extra it is named in a warning, and a PDF with no text page at all is refused with the reason.

Coordinates in ``Cell.bbox`` are PDF points ``(x0, top, x1, bottom)`` measured from the top-left
corner of the page as displayed (page rotation applied), the convention pdfplumber uses.
"""

from __future__ import annotations

import ctypes
import itertools
import math
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from gongkai.document import Document
from gongkai.errors import ParseError

from .layout import (
    Char,
    PageText,
    add_edge,
    assemble,
    check_page_count,
    drop_running_lines,
    fill_tables,
    find_tables,
    group_lines,
)

__all__ = ["MAX_BYTES", "MAX_PAGES", "OCR_NEEDED", "read_pdf"]

MAX_BYTES = 100 * 1024 * 1024  # reports with a text layer are a few MB; refused before parsing
MAX_PAGES = 1000
# Bounds on one page's work: a page beyond them is a drawing (map, chart, hatching), not a table,
# and pdfplumber's intersection search is quadratic in the number of edges.
MAX_OBJECTS_PER_PAGE = 200_000
MAX_PATHS_PER_PAGE = 20_000
MAX_CHARS_PER_PAGE = 200_000

OCR_NEEDED = "scanned PDF without a text layer: OCR needed (pip install 'gongkai[ocr]')"
THIN = 2.5  # a filled shape at most this thick is a ruling (Word and LibreOffice draw borders so)

# --------------------------------------------------------------------------------------------
# Entry point


def read_pdf(data: bytes, name: str, *, max_bytes: int = MAX_BYTES, max_pages: int = MAX_PAGES) -> Document:
    """Read a PDF: text pages from their text layer, scanned pages by OCR. Raises
    :class:`ParseError` for anything that is not a readable PDF: too large, not a PDF, damaged or
    truncated, password-protected, or scanned without the OCR extra installed."""
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
    except ParseError:
        raise
    except Exception as exc:  # anything PDFium or our geometry trips over is a bad input, not a bug to leak
        raise ParseError(name, f"cannot read PDF: {type(exc).__name__}: {exc}") from exc
    finally:
        pdf.close()


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
    check_page_count(count, name, max_pages)
    doc = Document(name=name, media_type="application/pdf", pages=count)
    pages: list[PageText] = []
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
    scores = _read_scanned_pages(pdf, scanned, pages, doc, name) if scanned else {}
    if not pages:
        raise ParseError(name, "PDF contains no text")
    unmapped = [p.number for p in pages if p.unmapped]
    if unmapped:
        doc.warnings.append(
            "pages " + ", ".join(map(str, unmapped)) + ": some characters have no Unicode mapping "
            "in the PDF's fonts (text may be garbled)"
        )
    drop_running_lines(pages)
    assemble(doc, pages)
    if scores:
        from .ocr import set_confidence

        set_confidence(doc, scores)
    return doc


def _read_scanned_pages(pdf: pdfium.PdfDocument, scanned: list[int], pages: list[PageText], doc: Document,
                        name: str) -> dict[int, Any]:
    """Pages without a text layer are read by OCR (gongkai[ocr]) and put among the text pages in
    page order, so a report whose table pages were scanned and pasted between typed pages is
    one Document; returns the OCR character scores per page. Without the OCR extra, the scanned
    pages are named in a warning (or, when no page has text, the PDF is refused with the reason)."""
    from . import ocr

    listed = ", ".join(str(n) for n in scanned)
    which, were = (f"pages {listed} have", "were") if len(scanned) > 1 else (f"page {listed} has", "was")
    if not ocr.available():
        if not pages:
            raise ParseError(name, OCR_NEEDED)
        doc.warnings.append(f"{which} no text layer (scanned) and {were} not read: {ocr.OCR_MISSING}")
        return {}
    if len(scanned) > ocr.MAX_PAGES:
        raise ParseError(name, f"too many scanned pages to OCR: {len(scanned)} (limit {ocr.MAX_PAGES})")
    read, scores = ocr.read_pdf_pages(pdf, scanned, name, doc.warnings)
    empty = sorted(set(scanned) - {page.number for page in read})
    if not pages and not read:
        raise ParseError(name, "OCR found no text on any page")
    if len(scanned) < (doc.pages or 0):
        doc.warnings.append(f"{which} no text layer (scanned) and {were} read by OCR: see each cell's "
                            "confidence")
    else:
        doc.warnings.append(f"text read by OCR from {len(scanned)} scanned page(s); see each cell's "
                            "confidence")
    if empty:
        doc.warnings.append(f"OCR found no text on page(s) {', '.join(map(str, empty))}")
    pages.extend(read)
    pages.sort(key=lambda page: page.number)
    return scores


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


def _read_page(page: pdfium.PdfPage, number: int, warnings: list[str]) -> PageText | None:
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
        return None if image_area > 0.1 * width * height or paths > 200 else PageText(number, height, [], [])
    if len(chars) > MAX_CHARS_PER_PAGE:
        warnings.append(f"page {number}: {len(chars)} characters, only the first {MAX_CHARS_PER_PAGE} read")
        chars = chars[:MAX_CHARS_PER_PAGE]
    if paths > MAX_PATHS_PER_PAGE:
        warnings.append(f"page {number}: {paths} drawing objects, tables not searched")
        edges = []
    tables = find_tables(edges, number, warnings) if edges else []
    rest = fill_tables(tables, chars)
    lines = group_lines(rest)
    return PageText(number, height, lines, tables, unmapped)


def _page_chars(
    textpage: pdfium.PdfTextPage, to_display: Any, rotation: int, width: float, height: float
) -> tuple[list[Char], int]:
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
    chars: list[Char] = []
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
        chars.append(Char(text, x0, top, x1, bottom, quarter, space))
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
                    add_edge(edges, x0, t0, x1, t1)
        elif len(points) > 1:
            xs = [p[0] for p in points]
            ts = [p[1] for p in points]
            w, h = max(xs) - min(xs), max(ts) - min(ts)
            if h <= THIN and w > h:
                mid = (min(ts) + max(ts)) / 2
                add_edge(edges, min(xs), mid, max(xs), mid)
            elif w <= THIN and h > w:
                mid = (min(xs) + max(xs)) / 2
                add_edge(edges, mid, min(ts), mid, max(ts))


