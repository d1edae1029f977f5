"""OCR for scanned PDFs and images → :class:`~gongkai.document.Document`.

How it works, and why:

* Pages are rendered with PDFium (an image-only PDF is a picture per page) at :data:`OCR_DPI`.
* The grey image is the page's *red* channel: black print stays dark, a red seal (公章, often
  stamped over a corner of table 3) turns almost white, so neither the OCR nor the ruling-line
  search sees it.
* Skew (a scan is rarely straight) is measured by the sharpness of the row profile of dark pixels
  over small rotations and undone before anything else, so rulings are horizontal/vertical runs.
* Table rulings are long runs of dark pixels (numpy only, no OpenCV): horizontal runs of at least
  :data:`MIN_RULE_INCHES` along rows, vertical ones along columns. Strokes of text can join into
  such runs (through a ruling, or touching in a bold heading), so a column line must run from one
  horizontal ruling to another, and a short horizontal run must end on a column line; what fails
  is text, neither an edge nor erased. The rulings become pdfplumber edges in points, and from
  then on the page is read exactly as a PDF with a text layer: the same table finder,
  merged-cell expansion, continuation of a table across pages and paragraph joining
  (:mod:`gongkai.readers.layout`), so every format is extracted the same way.
* Rulings printed faint and broken (a worn printer, a copy of a copy) are looked for as well:
  grey pixels not next to print, gaps of paper bridged, pieces of one line joined. Their tables
  are used only where they give many more cells than the plain rulings, and only where their
  cells fit the text read (:func:`gongkai.readers.page_grid.disagreement`: no cell holding two
  rows or two numbers, no ruling through a glyph). A table that does not fit first has the cells
  a lost ruling piece merged cut along the lines the rest of the table keeps, where their text
  says where (:func:`gongkai.readers.page_grid.split_lost_rulings`), and is checked again;
  otherwise the plain rulings' tables, or the text lines, are read — a value is never put into a
  cell it does not belong to.
* Rulings are erased before OCR (a ``|`` next to a digit reads as ``1``). RapidOCR 3 (PP-OCRv6,
  ONNX, models inside the wheel, no network: :mod:`gongkai.readers.ocr_engines`) gives text lines
  with a box and a score for every character; each character goes to the grid cell under its centre.
* The pages of a document are read in parallel by page workers, one per core, each loading the
  models once (:mod:`gongkai.readers.ocr_pages`).
* ``Cell.confidence`` is the lowest character score in the cell (or paragraph), so a caller can
  distrust a cell where one digit is doubtful; nothing is dropped or corrected here.

Coordinates are points (1/72 inch) from the top-left of the page, as for PDFs with a text
layer; images are taken at their stated DPI, or :data:`OCR_DPI` when they state none.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from io import BytesIO
from typing import Any, NamedTuple

from ..document import Document
from ..errors import ParseError
from .layout import (
    Char,
    PageText,
    add_edge,
    assemble,
    check_page_count,
    disagreement,
    drop_running_lines,
    fill_tables,
    find_tables,
    group_lines,
)
from .ocr_engines import DEFAULT_ENGINE, OcrEngine, TextLine, engine_available, load_engine
from .page_grid import split_lost_rulings

__all__ = ["MAX_PAGES", "OCR_DPI", "OCR_MISSING", "available", "read_image", "read_pdf_pages",
           "read_scanned_pdf", "set_confidence"]

OCR_DPI = 150  # scans are usually 150-300 dpi; 150 reads 10.5 pt digits reliably and keeps OCR fast
LOW_RES_DPI = 200  # what a scan coarser than 130 dpi is rendered at
MAX_PAGES = 200  # a scanned annual report has 5-20 pages; OCR costs seconds per page
MAX_PIXELS = 40_000_000  # one image: refuse decompression bombs before decoding
MIN_RULE_INCHES = 0.25  # longer than any stroke of 10.5-16 pt text at 150 dpi
MAX_SKEW = 3.5  # degrees searched for deskewing (scans lean up to 3°)
FAINT_PAPER = 0.88  # a faint ruling: darker than this share of the paper's level …
FAINT_BLACK = 0.5  # … and not within 2 px of print darker than this share
FAINT_GAP_INCHES = 0.12  # gaps of a broken ruling bridged (1-3 mm)
FAINT_DENSITY = 0.6  # share of a bridged faint ruling that is grey (the rest: its gaps)
FAINT_CLEAR = 0.7  # share of its length with paper either side
FAINT_MORE = 1.5  # faint rulings are used when they give this many times the plain rulings' cells
FAINT_WORN = 0.25  # share of grey in each stretch of a known faint ruling followed past its ends
UPRIGHT_SCORE = 0.9  # mean character score of a page read the right way up (upside down: ~0.5)
_FOLIO = re.compile(r"^[\s\-–—－_·.]*(?:第\s*)?\d{1,3}\s*(?:页)?[\s\-–—－_·.]*$")
OCR_MISSING = "OCR needs pip install 'gongkai[ocr]'"

def available() -> bool:
    """Is the optional OCR engine installed?"""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return engine_available(os.environ.get("GONGKAI_OCR_ENGINE") or DEFAULT_ENGINE)


def _ocr_engine(name: str, what: str) -> OcrEngine:
    try:
        import numpy  # noqa: F401

        return load_engine()  # once per process: the models take ~0.5 s to load
    except ImportError:
        raise ParseError(name, f"{what}: {OCR_MISSING}") from None
    except FileNotFoundError as error:
        raise ParseError(name, f"{what}: {error}; reinstall: pip install 'gongkai[ocr]'") from None


# --------------------------------------------------------------------------------------------
# Entry points


def read_scanned_pdf(data: bytes, name: str, *, dpi: int = OCR_DPI, max_pages: int = MAX_PAGES) -> Document:
    """OCR every page of a PDF, text layer or not (:func:`gongkai.readers.pdf.read_pdf` OCRs only
    the pages that have none, and reads the others from their text layer)."""
    _ocr_engine(name, "scanned PDF without a text layer")  # the missing extra, named before anything else
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ParseError(name, f"cannot open PDF: {exc}") from exc
    try:
        count = len(pdf)
        check_page_count(count, name, max_pages, to_ocr=True)
        doc = Document(name=name, media_type="application/pdf", pages=count)
        pages, scores = read_pdf_pages(pdf, list(range(1, count + 1)), name, doc.warnings, dpi=dpi)
    finally:
        pdf.close()
    doc.warnings.append(f"text read by OCR from {count} scanned page(s); see each cell's confidence")
    return _assemble(doc, pages, scores, name)


def read_pdf_pages(pdf: Any, numbers: list[int], name: str, warnings: list[str], *,
                   dpi: float = OCR_DPI) -> tuple[list[PageText], dict[int, Any]]:
    """OCR the pages ``numbers`` (1-based) of an open ``pypdfium2.PdfDocument``, one at a time
    (a rendered page is ~6 MB): the pages that have text, and the character scores per page for
    :func:`set_confidence` once the pages are assembled."""
    engine = _ocr_engine(name, "scanned PDF pages")

    def rendered() -> Iterator[tuple[int, Any, float]]:
        for number in numbers:
            page = pdf[number - 1]
            try:
                # a coarse scan (~100 dpi) is read at LOW_RES_DPI: 10.5 pt digits upsampled to
                # 150 dpi blur into each other and rulings fade; at 200 they read as clean as 150
                page_dpi = LOW_RES_DPI if (_native_dpi(page) or dpi) < 130 else dpi
                yield number, page.render(scale=page_dpi / 72).to_pil(), page_dpi
            finally:
                page.close()

    return _read_pages(rendered(), engine, warnings, len(numbers))


def _native_dpi(page: Any) -> float | None:
    """The resolution of the largest image on a PDF page (a scanned page is one image)."""
    import pypdfium2.raw as pdfium_c

    best: tuple[int, float] | None = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        try:
            meta = obj.get_metadata()
        except Exception:  # a damaged image object: no resolution to go by
            continue
        area = int(meta.width) * int(meta.height)
        if meta.horizontal_dpi and (best is None or area > best[0]):
            best = (area, float(meta.horizontal_dpi))
    return best[1] if best else None


def read_image(data: bytes, name: str) -> Document:
    """OCR an image file (PNG, JPEG, TIFF — every frame of a multi-page TIFF is a page)."""
    engine = _ocr_engine(name, "image file")
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ParseError(name, f"image too large: {image.width}×{image.height} pixels")
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)][:MAX_PAGES]
    except (UnidentifiedImageError, OSError) as exc:
        raise ParseError(name, f"cannot read image: {exc}") from exc
    stated = float(image.info.get("dpi", (0, 0))[0] or 0)
    doc = Document(name=name, media_type=Image.MIME.get(image.format or "", "image/png"), pages=len(frames))
    doc.warnings.append("text read by OCR; see each cell's confidence")
    images = (_at_working_resolution(n, frame, stated) for n, frame in enumerate(frames, start=1))
    pages, scores = _read_pages(images, engine, doc.warnings, len(frames))
    return _assemble(doc, pages, scores, name)


def _at_working_resolution(number: int, frame: Any, stated_dpi: float) -> tuple[int, Any, float]:
    """An image page at a resolution the reader works at: a stated DPI when plausible, else one
    estimated from the size (a photo states none, or 72: its long side taken as an A4 page's);
    coarser than 130 dpi is upsampled to :data:`LOW_RES_DPI`, finer than 300 reduced to 200."""
    from PIL import Image

    dpi = stated_dpi if 90 <= stated_dpi <= 1200 else max(frame.width, frame.height) / 11.69
    target = min(LOW_RES_DPI if dpi < 130 or dpi > 300 else dpi, 3 * dpi)
    if abs(target - dpi) > 1:
        size = (round(frame.width * target / dpi), round(frame.height * target / dpi))
        frame = frame.resize(size, Image.Resampling.LANCZOS if target < dpi else Image.Resampling.BICUBIC)
    return number, frame, target


# --------------------------------------------------------------------------------------------
# Pages


def _read_pages(images: Iterable[tuple[int, Any, float]], engine: Any, warnings: list[str],
                count: int = 1) -> tuple[list[PageText], dict[int, Any]]:
    """OCR ``count`` numbered page images: the pages with text, and every page's character
    scores (an array of centre x, centre y, score). Several pages are read in parallel by the
    page workers (:mod:`gongkai.readers.ocr_pages`), a single one here."""
    pages: list[PageText] = []
    scores: dict[int, Any] = {}
    for number, text, page_scores, page_warnings in _read_each(images, engine, count):
        scores[number] = page_scores
        warnings.extend(page_warnings)
        if text.tables or any(not _FOLIO.match(line.text) for line in text.lines):
            pages.append(text)  # a page that prints only its number (「- 2 -」) is a blank page
    return pages, scores


def _read_each(images: Iterable[tuple[int, Any, float]], engine: Any,
               count: int) -> Iterator[tuple[int, PageText, Any, list[str]]]:
    """Each page read, in page order: in the page workers when more than one is to be used
    (at most two pages per worker rendered ahead: a rendered page is ~6 MB), else here."""
    from collections import deque
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from . import ocr_pages

    workers = ocr_pages.page_workers(count)
    pending: deque[tuple[int, Any, float, Future[Any]]] = deque()
    source = iter(images)
    if workers > 1:
        try:
            for number, image, dpi in source:
                future = ocr_pages.submit(workers, _read_page_alone, image, dpi, number)
                pending.append((number, image, dpi, future))
                while len(pending) >= 2 * workers or (pending and pending[0][3].done()):
                    number, image, dpi, future = pending.popleft()
                    yield (number, *future.result())
            while pending:
                number, image, dpi, future = pending.popleft()
                yield (number, *future.result())
        except BrokenProcessPool:  # a page worker died (out of memory, killed): the rest read here
            ocr_pages.shutdown()
            pending.appendleft((number, image, dpi, Future()))
    for number, image, dpi, _ in pending:
        yield (number, *_read_page_alone(image, dpi, number, engine))
    for number, image, dpi in source:
        yield (number, *_read_page_alone(image, dpi, number, engine))


def _read_page_alone(image: Any, dpi: float, number: int,
                     engine: Any = None) -> tuple[PageText, Any, list[str]]:
    """One page, with the warnings it gives (run in a page worker: the engine loaded there once)."""
    warnings: list[str] = []
    text, scores = _read_page(image, dpi, number, engine or load_engine(), warnings)
    return text, scores, warnings


def _assemble(doc: Document, pages: list[PageText], scores: dict[int, Any], name: str) -> Document:
    if not pages:
        count = len(scores)
        which, which_en = (("第 1 页", "page 1") if count == 1
                           else (f"全部 {count} 页", f"any of the {count} pages"))
        raise ParseError(name, f"{which}均未识别出文字：空白页，或不是文字页面（如照片） "
                               f"(OCR found no text on {which_en}: a blank page or a picture without text)")
    drop_running_lines(pages)
    assemble(doc, pages)
    set_confidence(doc, scores)
    return doc


def _read_page(image: Any, dpi: float, number: int, engine: Any, warnings: list[str]) -> tuple[PageText, Any]:
    """One page image, turned upright first when it was scanned sideways (a page fed in landscape):
    its lines of text then run down the image. Which of the two quarter turns is upright is told
    by the recogniser: upside-down text reads as low-scoring nonsense."""
    import numpy as np

    ink, grey = _grey(_flattened(image, warnings, number))
    if not _sideways(grey):
        page, scores = _read_upright(ink, grey, dpi, number, engine, warnings)
        return page, scores
    best: tuple[PageText, Any] | None = None
    best_score = -1.0
    for turns in (1, 3):
        page, scores = _read_upright(np.ascontiguousarray(np.rot90(ink, turns)),
                                     np.ascontiguousarray(np.rot90(grey, turns)), dpi, number, engine, [])
        mean = float(scores[:, 2].mean()) if len(scores) else 0.0
        if mean > best_score:
            best, best_score = (page, scores), mean
        if mean >= UPRIGHT_SCORE:
            break
    assert best is not None
    warnings.append(f"page {number} was scanned sideways; read turned upright")
    return best


def _flattened(image: Any, warnings: list[str], number: int) -> Any:
    """A photo of a page (the paper bright on a darker desk all round, keystoned by the camera's
    angle) as the flat page: the paper's four corners mapped back to a rectangle. A scan (paper
    to the edges) is returned as it is."""
    import numpy as np
    from PIL import Image

    rgb = image.convert("RGB")
    small = np.asarray(rgb.convert("L").reduce(4), dtype=np.float32)
    if small.shape[0] < 40 or small.shape[1] < 40:
        return image
    low, high = np.percentile(small, 3), np.percentile(small, 90)
    if high - low < 60:
        return image
    bright = small > (low + high) / 2
    edge = max(2, min(small.shape) // 100)
    frame = np.concatenate([bright[:edge].ravel(), bright[-edge:].ravel(), bright[:, :edge].ravel(),
                            bright[:, -edge:].ravel()])
    if frame.mean() > 0.3:  # the paper reaches the edges: a scan, not a photo on a desk
        return image
    ys, xs = np.nonzero(bright)
    if len(xs) < 0.3 * bright.size:
        return image
    corners = [(xs[i], ys[i]) for i in (np.argmin(xs + ys), np.argmax(xs - ys), np.argmax(xs + ys),
                                        np.argmin(xs - ys))]  # top-left, top-right, bottom-right, bottom-left
    quad = [(4 * x + 2.0, 4 * y + 2.0) for x, y in corners]
    (tl, tr, br, bl) = quad
    width = int(max(np.hypot(tr[0] - tl[0], tr[1] - tl[1]), np.hypot(br[0] - bl[0], br[1] - bl[1])))
    height = int(max(np.hypot(bl[0] - tl[0], bl[1] - tl[1]), np.hypot(br[0] - tr[0], br[1] - tr[1])))
    target = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    rows, rhs = [], []
    for (x, y), (u, v) in zip(target, quad, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        rhs += [u, v]
    try:
        coefficients = np.linalg.solve(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64))
    except np.linalg.LinAlgError:
        return image
    warnings.append(f"page {number} is a photo of the page: its perspective was undone")
    return rgb.transform((width, height), Image.Transform.PERSPECTIVE, [float(c) for c in coefficients],
                         resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))


def _sideways(grey: Any) -> bool:
    """Do the page's lines run down rather than across? Lines of text make the profile of dark
    pixels across the lines sharp (dark line, white gap, …) and the one along them flat."""
    import numpy as np
    from PIL import Image

    small = np.asarray(Image.fromarray(grey).reduce(4))
    dark = (small < _threshold(small)).astype(np.float64)
    if dark.sum() < 50:
        return False
    across_rows = float(np.square(np.diff(dark.sum(axis=1))).sum()) / dark.shape[1]
    across_columns = float(np.square(np.diff(dark.sum(axis=0))).sum()) / dark.shape[0]
    return across_columns > 1.5 * across_rows


def _read_upright(ink: Any, grey: Any, dpi: float, number: int, engine: Any,
                  warnings: list[str]) -> tuple[PageText, Any]:
    import numpy as np
    from PIL import Image

    angle = _skew(grey)
    if abs(angle) >= 0.05:
        ink, grey = (np.asarray(Image.fromarray(a).rotate(angle, resample=Image.Resampling.BICUBIC,
                                                          fillcolor=255)) for a in (ink, grey))
    tables, rules, plain_tables = _grid(ink, dpi, number, warnings)
    scale = 72 / dpi
    # Erase the rulings (and a pixel around them) before OCR: text must not touch them.
    clean = grey.copy()
    clean[rules] = 255
    result = engine.recognise(np.ascontiguousarray(np.stack([clean] * 3, axis=-1)))
    chars: list[Any] = []
    char_scores: list[tuple[float, float, float]] = []
    text_lines: list[list[Any]] = []
    for item in result:
        text_lines.append([])
        for ch in _characters(item, scale):
            chars.append(ch[0])
            text_lines[-1].append(ch[0])
            char_scores.append(ch[1])
    fitting = _fitting(tables, plain_tables, text_lines, number, warnings)
    rest = fill_tables(fitting, chars)
    lines = group_lines(rest)
    height = grey.shape[0] * scale
    page = PageText(number, height, lines, fitting)
    return page, np.array(char_scores, dtype=np.float64).reshape(-1, 3)


def _fitting(tables: list[Any], plain_tables: list[Any] | None, text_lines: list[list[Any]], number: int,
             warnings: list[str]) -> list[Any]:
    """The tables to read the page's text into. Tables made with faint rulings (``plain_tables``
    given) are checked against the text read; one that does not fit is replaced by the tables
    the plain rulings gave where it was (the reading before faint rulings were looked for), or
    read from text lines when there are none — never into the wrong cells."""
    if plain_tables is None:
        return tables

    def overlap(a: Any, b: Any) -> bool:
        return (a.bbox[0] < b.bbox[2] and b.bbox[0] < a.bbox[2]
                and a.bbox[1] < b.bbox[3] and b.bbox[1] < a.bbox[3])

    kept: list[Any] = []
    rejected: list[Any] = []
    for table in tables:
        reason = disagreement(table, text_lines)
        if reason is not None:
            # a faint ruling lost in a few cells: those cells cut along the grid's own lines when
            # their text says where, and the whole table checked again
            repaired = split_lost_rulings(table, text_lines)
            if repaired is not None and disagreement(repaired, text_lines) is None:
                warnings.append(f"page {number}: faint table rulings lost in some cells ({reason}); "
                                "those cells cut along the table's other rulings")
                table, reason = repaired, None
        (kept if reason is None else rejected).append(table)
        if reason is not None:
            warnings.append(f"page {number}: faint table rulings do not fit the text ({reason}); "
                            "read with the plain rulings or from text lines")
    instead = [plain for plain in plain_tables if any(overlap(plain, table) for table in rejected)
               and not any(overlap(plain, table) for table in kept)]
    return sorted(kept + instead, key=lambda table: (table.bbox[1], table.bbox[0]))


def _grid(ink: Any, dpi: float, number: int, warnings: list[str]) -> tuple[list[Any], Any, list[Any] | None]:
    """The tables of an upright page found from its rulings, the mask of the rulings' pixels
    (grown by a pixel: text must not touch them) to erase before OCR, and when faint rulings
    made the tables, those of the plain rulings alone (a faint table is used only where it fits
    the text read, else the plain tables where it was: see _read_upright).

    Faint rulings are looked for on every page, but used only where they give many more cells
    than the plain rulings (a page printed faint): on a page with black rulings the plain grid
    is kept as it is."""
    dark = ink < _threshold(ink)
    min_run = max(int(MIN_RULE_INCHES * dpi), 8)
    horizontal = _runs(dark, min_run, axis=1)
    vertical = _runs(dark, min_run, axis=0)
    plain_rows, plain_columns = _segments(horizontal, min_run), _segments(vertical.T, min_run)
    plain_warnings: list[str] = []
    plain = _tables(plain_rows, plain_columns, [], (horizontal.copy(), vertical.copy()), dpi, number,
                    plain_warnings)
    if dpi > OCR_DPI + 1:
        # a coarse scan read upsampled (LOW_RES_DPI) blurs its text into grey strokes that line up
        # like faint rulings (100-dpi scans lost cells to them): looked for at OCR_DPI only
        warnings.extend(plain_warnings)
        return plain[0], plain[1], None
    faint, black = _faint(ink)
    gap = max(int(FAINT_GAP_INCHES * dpi), 4)
    faint_rows = _faint_segments((faint, black), min_run, gap)
    faint_columns = _faint_segments((faint.T, black.T), min_run, gap)
    if faint_rows or faint_columns:
        # a faint ruling whose last piece is lost short of the border it meets would leave its cell
        # open (reached: faint rulings, or plain ones too long to be a bold title's strokes)
        long_rows = [r for r in plain_rows if r.end - r.start >= 4 * min_run]
        long_columns = [c for c in plain_columns if c.end - c.start >= 4 * min_run]
        faint_rows = _reaching(faint_rows, long_columns + faint_columns, 2 * gap, black)
        faint_columns = _reaching(faint_columns, long_rows + faint_rows, 2 * gap, black.T)
        faint_warnings: list[str] = []
        faint_runs = faint_rows + faint_columns
        with_faint = _tables(plain_rows + faint_rows, plain_columns + faint_columns, faint_runs,
                             (horizontal, vertical, faint), dpi, number, faint_warnings)
        cells, plain_cells = _cell_count(with_faint[0]), _cell_count(plain[0])
        if cells >= FAINT_MORE * plain_cells and cells >= plain_cells + 10:
            warnings.extend(faint_warnings)
            return with_faint[0], with_faint[1], plain[0]
    warnings.extend(plain_warnings)
    return plain[0], plain[1], None


def _cell_count(tables: list[Any]) -> int:
    return sum(len({id(origin) for row in table.slots for origin in row}) for table in tables)


def _tables(row_runs: list[_Run], column_runs: list[_Run], faint_runs: list[_Run], masks: tuple[Any, ...],
            dpi: float, number: int, warnings: list[str]) -> tuple[list[Any], Any]:
    """Tables from ruling candidates (text strokes among them dropped), and the pixels to erase:
    ``masks`` are the plain run masks (horizontal, vertical), then the faint mask when
    ``faint_runs`` (those of the candidates that are faint rulings) are given."""
    horizontal, vertical = masks[0], masks[1]
    rows = _row_lines(row_runs, column_runs, max(int(MIN_RULE_INCHES * dpi), 8))
    columns = _column_lines(column_runs, rows, max(int(MIN_RULE_INCHES * dpi), 8))
    found_faint = {(r.position, r.first, r.last) for r in faint_runs}  # kept when trimmed

    def is_faint(run: _Run) -> bool:
        return (run.position, run.first, run.last) in found_faint

    # What was dropped is text: it is not erased before OCR (「改」 with a stroke erased reads 「7」).
    horizontal &= _covering([r for r in rows if not is_faint(r)], horizontal.shape, vertical=False)
    vertical &= _covering([c for c in columns if not is_faint(c)], vertical.shape)
    if found_faint:  # a faint ruling's grey pixels along its length (its gaps are paper)
        horizontal |= _covering([r for r in rows if is_faint(r)], horizontal.shape, vertical=False) & masks[2]
        vertical |= _covering([c for c in columns if is_faint(c)], vertical.shape) & masks[2]
    scale = 72 / dpi
    edges: list[dict[str, Any]] = []
    for y, x0, x1, _, _ in rows:
        add_edge(edges, x0 * scale, y * scale, x1 * scale, y * scale)
    for x, y0, y1, _, _ in columns:
        add_edge(edges, x * scale, y0 * scale, x * scale, y1 * scale)
    tables = find_tables(edges, number, warnings) if edges else []
    return tables, _grow(horizontal | vertical)


def _faint(ink: Any) -> tuple[Any, Any]:
    """``(grey, black)``: pixels that may be a faint ruling — grey (lighter than print, darker
    than paper) and not beside black print, whose grey anti-aliased edges would otherwise line up
    into rulings (a column of 「0」) — and the pixels of black print."""
    import numpy as np

    paper = float(np.percentile(ink, 75))
    black = ink < FAINT_BLACK * paper
    return (ink < FAINT_PAPER * paper) & ~_grow(black), black


def _faint_segments(faint: tuple[Any, Any], min_run: int, gap: int) -> list[_Run]:
    """Rulings printed faint and broken (a worn printer, a copy of a copy), runs along axis 1 of
    the masks of :func:`_faint`: gaps of paper up to ``gap`` pixels bridged (a gap where black
    print crosses the line is text, never bridged), kept when at least :data:`FAINT_DENSITY` of
    the bridged run is grey and paper lies either side of it along most of its length (aligned
    strokes of a line of text have other strokes beside them); pieces of one ruling up to two
    gaps apart joined the same way (not more: the gap between two tables stacked on a page).
    Tables found with them are checked against the text read
    (:func:`gongkai.readers.page_grid.disagreement`)."""
    import numpy as np

    mask, black = faint
    thick = mask.copy()
    thick[1:, :] |= mask[:-1, :]
    thick[:-1, :] |= mask[1:, :]
    cs = np.concatenate([np.zeros((thick.shape[0], 1), np.int32), np.cumsum(thick, axis=1, dtype=np.int32)],
                        axis=1)
    n = thick.shape[1]
    idx = np.arange(n)
    before = cs[:, idx] - cs[:, np.clip(idx - gap, 0, n)] > 0
    after = cs[:, np.clip(idx + gap + 1, 0, n)] - cs[:, np.clip(idx + 1, 0, n)] > 0
    closed = thick | (before & after & ~black)
    height = mask.shape[0]
    pieces: list[_Run] = []
    for found in _lines_of(_runs(closed, min_run // 2, axis=1), min_run // 2):
        # the line's rows are those of its grey pixels (not of the masks thickened across)
        low = max(found.first - 2, 0)
        counts = mask[low: found.last + 3, found.start: found.end].sum(axis=1)
        rows = low + np.flatnonzero(counts >= 0.6 * counts.max())
        run = found._replace(position=float(rows.mean()), first=max(int(rows[0]) - 1, 0),
                             last=min(int(rows[-1]) + 1, height - 1))
        # ends bridged over a stray grey pixel of the paper's noise: cut back to solid ruling
        grey = thick[run.first: run.last + 1, run.start: run.end].any(axis=0)
        solid = np.flatnonzero(np.convolve(grey, np.ones(gap), mode="valid") >= FAINT_DENSITY * gap)
        if not len(solid):
            continue
        first_grey = np.flatnonzero(grey[solid[0]:])[0] + solid[0]
        last_grey = np.flatnonzero(grey[: solid[-1] + gap])[-1]
        run = run._replace(start=run.start + int(first_grey), end=run.start + int(last_grey) + 1)
        if thick[run.first: run.last + 1, run.start: run.end].any(axis=0).mean() < FAINT_DENSITY:
            continue
        above, below = max(run.first - 2, 0), min(run.last + 2, height - 1)
        beside = mask[above, run.start: run.end] | mask[below, run.start: run.end]
        if beside.mean() <= 1 - FAINT_CLEAR:
            pieces.append(run)
    pieces.sort(key=lambda r: r.position)
    lines: list[list[_Run]] = []  # pieces within 1.5 px of each other's rows: one line
    for run in pieces:
        if lines and run.position - lines[-1][0].position <= 1.5:
            lines[-1].append(run)
        else:
            lines.append([run])
    joined: list[_Run] = []
    for line in lines:
        line.sort(key=lambda r: r.start)
        current = line[0]
        for run in line[1:]:
            # the gap between two pieces crossed by print on the ruling's own row: text, not a break
            crossed = black[round(min(current.position, run.position)):
                            round(max(current.position, run.position)) + 1,
                            current.end: max(run.start, current.end)].any()
            if run.start - current.end <= 2 * gap and not crossed:
                current = current._replace(end=max(current.end, run.end), first=min(current.first, run.first),
                                           last=max(current.last, run.last))
            else:
                joined.append(current)
                current = run
        joined.append(current)
    return [_continued(run, thick, black, gap) for run in joined if run.end - run.start >= min_run]


def _continued(run: _Run, thick: Any, black: Any, gap: int) -> _Run:
    """A faint ruling followed on along its own row past its ends, as long as each stretch of
    ``gap`` pixels holds some grey and no print crosses it: where its line is known, a worn
    stretch (a cell's width broken in several places) still counts."""
    import numpy as np

    low = max(round(run.position) - 2, 0)
    along = thick[low: round(run.position) + 3, run.start: run.end].mean(axis=1)
    y = low + int(np.argmax(along))
    grey, crossed = thick[y], black[y]
    n = len(grey)
    end = run.end
    while end < n and not crossed[end: end + gap].any() and grey[end: end + gap].mean() >= FAINT_WORN:
        end = min(end + gap, n)
    start = run.start
    while start > 0 and not crossed[max(start - gap, 0): start].any() \
            and grey[max(start - gap, 0): start].mean() >= FAINT_WORN:
        start = max(start - gap, 0)
    # the last stretch taken may run past the ruling's end into paper: back to its last grey pixel
    tail = np.flatnonzero(grey[run.end: end])
    head = np.flatnonzero(grey[start: run.start])
    return run._replace(start=start + int(head[0]) if len(head) else run.start,
                        end=run.end + int(tail[-1]) + 1 if len(tail) else run.end)


def _reaching(runs: list[_Run], across: list[_Run], gap: int, black: Any) -> list[_Run]:
    """``runs`` each lengthened to the nearest ruling ``across`` them (perpendicular) that lies
    at most ``gap`` pixels beyond an end over paper (``black``: print, along axis 1 as ``runs``;
    print across the way is text in a merged cell, which the ruling does not cross)."""
    reached = []
    for run in runs:
        row = black[round(run.position)]
        crossing = [c.position for c in across if c.start - 3 <= run.position <= c.end + 3]
        ahead = [p for p in crossing
                 if run.end - 1 < p <= run.end + gap and not row[run.end: int(p)].any()]
        behind = [p for p in crossing
                  if run.start - gap <= p < run.start and not row[int(p) + 1: run.start].any()]
        reached.append(run._replace(start=int(max(behind)) if behind else run.start,
                                    end=int(min(ahead)) + 1 if ahead else run.end))
    return reached


def _lines_of(mask: Any, min_run: int) -> list[_Run]:
    """The lines of a run mask (runs along axis 1) one by one: runs of neighbouring rows that
    overlap are one line, at the row of its longest run, two rows either side (unlike
    :func:`_segments`, whose bands span the page: a faint ruling beside the left edge of a
    column of text would be lost in the text's band)."""
    import numpy as np

    groups: list[list[tuple[int, int, int]]] = []
    open_groups: list[list[tuple[int, int, int]]] = []
    for y in np.flatnonzero(mask.any(axis=1)):
        changes = np.flatnonzero(np.diff(np.concatenate([[0], mask[y].astype(np.int8), [0]])))
        still_open = [g for g in open_groups if g[-1][0] >= y - 1]
        for start, end in zip(changes[::2], changes[1::2], strict=True):
            if end - start < min_run:
                continue
            piece = (int(y), int(start), int(end))
            for group in still_open:
                if any(row >= y - 1 and start < e and end > s for row, s, e in group[-3:]):
                    group.append(piece)
                    break
            else:
                still_open.append([piece])
                groups.append(still_open[-1])
        open_groups = still_open
    lines = []
    for group in groups:
        centre = max(group, key=lambda piece: piece[2] - piece[1])[0]
        near = [piece for piece in group if abs(piece[0] - centre) <= 2]
        first, last = min(p[0] for p in near), max(p[0] for p in near)
        lines.append(_Run((first + last) / 2, min(p[1] for p in near), max(p[2] for p in near), first, last))
    return lines


def _characters(item: TextLine, scale: float) -> list[tuple[Any, tuple[float, float, float]]]:
    """One OCR text line → PDF-reader characters (points) with (centre x, centre y, score)."""

    box, text = item.box, item.text
    out = []
    if item.glyphs and "".join(g.text for g in item.glyphs).replace(" ", "") == text.replace(" ", ""):
        glyphs = [g.text for g in item.glyphs]
        boxes = [g.box for g in item.glyphs]
        glyph_scores = [g.score for g in item.glyphs]
    else:  # no per-character boxes: divide the line's box evenly
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
        glyphs = [g for g in text if not g.isspace()]
        step = (x1 - x0) / max(len(glyphs), 1)
        boxes = [[[x0 + k * step, top], [x0 + (k + 1) * step, top], [x0 + (k + 1) * step, bottom],
                  [x0 + k * step, bottom]] for k in range(len(glyphs))]
        glyph_scores = [item.score] * len(glyphs)
    line_top = min(p[1] for p in box) * scale
    line_bottom = max(p[1] for p in box) * scale
    previous_x1: float | None = None
    for glyph_box, glyph, glyph_score in zip(boxes, glyphs, glyph_scores, strict=False):
        xs = [p[0] * scale for p in glyph_box]
        x0, x1 = min(xs), max(xs)
        # The line's height for every glyph: a digit's box is narrower than an ideograph's, and
        # the line grouping needs the glyphs of one line to overlap vertically.
        space = previous_x1 is not None and x0 - previous_x1 > 0.5 * (line_bottom - line_top)
        ch = Char(glyph, x0, line_top, x1, line_bottom, 0, space)
        out.append((ch, ((x0 + x1) / 2, (line_top + line_bottom) / 2, float(glyph_score))))
        previous_x1 = x1
    return out


def set_confidence(doc: Document, scores: dict[int, Any]) -> None:
    """Each cell's confidence: the lowest score of the characters inside its box (only on the
    pages in ``scores``: cells read from a text layer have none)."""
    for row in doc.rows:
        for cell in row.cells:
            if not cell.text or cell.bbox is None or cell.page is None:
                continue
            chars = scores.get(cell.page)
            if chars is None or not len(chars):
                continue
            x0, top, x1, bottom = cell.bbox
            inside = ((chars[:, 0] >= x0 - 1) & (chars[:, 0] <= x1 + 1)
                      & (chars[:, 1] >= top - 1) & (chars[:, 1] <= bottom + 1))
            if inside.any():
                cell.confidence = float(chars[inside, 2].min())


# --------------------------------------------------------------------------------------------
# Image processing (numpy only)


def _grey(image: Any) -> tuple[Any, Any]:
    """``(ink, text)``: two grey images of the page from its red channel, where black print is
    dark and a red seal (its ink multiplies over the print) pale.

    ``ink`` is the red channel itself, for the rulings: a grey, anti-aliased ruling under the
    seal stays darker than the threshold there, so it is not cut in two (a cut ruling merges two
    rows of table 2 into one cell). ``text`` also sets clearly reddish pixels to paper, for the
    OCR: the seal's rim, pale as it is, would read as a ``/``."""
    import numpy as np

    if image.mode not in ("RGB", "RGBA", "P", "CMYK", "RGBX"):
        grey = np.ascontiguousarray(np.asarray(image.convert("L")))
        return grey, grey
    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    red = rgb[..., 0]
    text = red.copy()
    paper = int(np.percentile(red, 75))
    # Only pale reddish pixels are seal: print under the seal stays dark in the red channel, and
    # JPEG's halved colour resolution tints the edges of digits beside the seal red too (erased,
    # a 「0」 loses its sides and reads 「1」).
    reddish = (red - np.maximum(rgb[..., 1], rgb[..., 2]) > 35) & (red > 0.6 * paper)
    text[reddish] = paper
    return np.ascontiguousarray(red.astype(np.uint8)), np.ascontiguousarray(text.astype(np.uint8))


def _threshold(grey: Any) -> float:
    """Between paper and ink: paper is the commonest bright level."""
    import numpy as np

    paper = float(np.percentile(grey, 75))
    return paper * 0.7


def _skew(grey: Any) -> float:
    """The rotation (degrees, PIL's sense) that makes text lines and rulings horizontal: the one
    whose row profile of dark pixels is sharpest, searched on a half-size image."""
    import numpy as np
    from PIL import Image

    small = Image.fromarray(grey).reduce(2)
    dark = (np.asarray(small) < _threshold(np.asarray(small))).astype(np.uint8) * 255
    source = Image.fromarray(dark)

    def sharpness(angle: float) -> float:
        rotated = np.asarray(source.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0))
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(best - 0.2, best + 0.2 + 1e-9, 0.05), key=sharpness)
    return float(fine)


def _runs(dark: Any, length: int, axis: int) -> Any:
    """Pixels that belong to a run of at least ``length`` dark pixels along ``axis``. The mask is
    first thickened across the runs by one pixel each side, so a ruling left a pixel off
    straight by the deskew still counts as one run."""
    import numpy as np

    mask = dark.copy()
    if axis == 1:
        mask[1:, :] |= dark[:-1, :]
        mask[:-1, :] |= dark[1:, :]
    else:
        mask[:, 1:] |= dark[:, :-1]
        mask[:, :-1] |= dark[:, 1:]
    m = np.moveaxis(mask, axis, -1).astype(np.int32)
    cs = np.concatenate([np.zeros((*m.shape[:-1], 1), np.int32), np.cumsum(m, axis=-1)], axis=-1)
    full = (cs[..., length:] - cs[..., :-length]) == length  # a full window starts here
    # Every pixel covered by a full window belongs to a long run.
    fs = np.concatenate([np.zeros((*full.shape[:-1], 1), np.int32), np.cumsum(full, axis=-1)], axis=-1)
    n = m.shape[-1]
    idx = np.arange(n)
    lo = np.clip(idx - length + 1, 0, full.shape[-1])
    hi = np.clip(idx + 1, 0, full.shape[-1])
    covered = (fs[..., hi] - fs[..., lo]) > 0
    return np.moveaxis(covered, -1, axis) & np.moveaxis(m.astype(bool), -1, axis)


class _Run(NamedTuple):
    """A ruling found in a run mask whose runs go along axis 1 (x for a horizontal ruling, y for
    a vertical one, in the mask's own orientation)."""

    position: float  # centre of the band of neighbouring rows
    start: int
    end: int  # exclusive
    first: int  # the band's first and last row: a ruling's thickness
    last: int


def _segments(mask: Any, min_run: int) -> list[_Run]:
    """Ruling segments of a run mask, runs along axis 1: bands of neighbouring rows become one
    line at the band's centre."""
    import numpy as np

    rows = np.flatnonzero(mask.any(axis=1))
    segments: list[_Run] = []
    if not len(rows):
        return segments
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    for band in bands:
        if len(band) > 12:
            continue  # a filled block (a black bar, a photo), not a ruling
        coverage = mask[band[0]: band[-1] + 1].any(axis=0).astype(np.int8)
        changes = np.flatnonzero(np.diff(np.concatenate([[0], coverage, [0]])))
        centre = float(band.mean())
        for start, end in zip(changes[::2], changes[1::2], strict=True):
            if end - start >= min_run:
                segments.append(_Run(centre, int(start), int(end), int(band[0]), int(band[-1])))
    return segments


def _column_lines(columns: list[_Run], rows: list[_Run], min_run: int) -> list[_Run]:
    """The vertical runs that are column lines, trimmed to the horizontal rulings they join.

    A vertical run can be text: a glyph's stroke in one row, bridged through the horizontal
    ruling under it to a digit's stroke in the next row, makes a run longer than ``min_run``
    that would split a merged cell (「313.889894」 read as 「313.8898」). A printed column line
    runs from one horizontal ruling to another, so an end of a run that touches no ruling is
    cut back to the last ruling the run crosses, and what is left must still be ``min_run``
    long. The exception is a table cut by the page break without a closing ruling: there
    several column lines stop at the same height, with no ruling ahead of them."""
    crossing = {run: [r for r in rows if r.start - 3 <= run.position <= r.end + 3] for run in columns}

    def touches(run: _Run, y: int) -> bool:
        return any(r.first - 1 <= y <= r.last + 1 for r in crossing[run])

    def ruling_ahead(run: _Run, y: int, step: int) -> bool:
        return any(0 < (r.first - y if step > 0 else y - r.last) <= min_run for r in crossing[run])

    open_ends = Counter((step, end) for run in columns for step, end in ((-1, run.start), (1, run.end - 1))
                        if not touches(run, end))

    def cut(run: _Run, y: int, step: int) -> bool:
        """Is the open end ``y`` of ``run`` a stroke of text (not a table cut by the page)?"""
        if touches(run, y):
            return False
        shared = sum(n for (s, e), n in open_ends.items() if s == step and abs(e - y) <= 2) > 1
        return not shared or ruling_ahead(run, y, step)

    kept: list[_Run] = []
    for run in columns:
        inside = [r for r in crossing[run] if run.start < r.first and r.last < run.end - 1]
        top, bottom = run.start, run.end
        if inside:  # a run that crosses no ruling is left as it is: it joins no table
            if cut(run, run.start, -1):
                top = min(r.first for r in inside)
            if cut(run, run.end - 1, 1):
                bottom = max(r.last for r in inside) + 1
        if bottom - top >= min_run:
            kept.append(run._replace(start=top, end=bottom))
    return kept


def _row_lines(rows: list[_Run], columns: list[_Run], min_run: int) -> list[_Run]:
    """The horizontal runs that are rulings: not the strokes of a line of bold text that touch
    each other (「收到和」 makes a run of 63 px), which are short and end on no column line. A
    ruling of one narrow cell is as short but ends on column lines; a piece of a ruling broken
    by noise or the seal has the rest of the ruling beside it (joined again by the table finder:
    dropped, it would merge two rows)."""

    def on_column(x: int, run: _Run) -> bool:
        return any(c.first - 3 <= x <= c.last + 3 and c.start - 3 <= run.position <= c.end + 3
                   for c in columns)

    def beside_another(run: _Run) -> bool:
        return any(other is not run and abs(other.position - run.position) <= 2
                   and max(other.start - run.end, run.start - other.end) <= min_run for other in rows)

    return [run for run in rows if run.end - run.start >= 3 * min_run or on_column(run.start, run)
            or on_column(run.end - 1, run) or beside_another(run)]


def _covering(runs: list[_Run], shape: tuple[int, ...], *, vertical: bool = True) -> Any:
    """A mask of the pixels of ``runs``: vertical ones (a run's start and end are image rows) or
    horizontal ones (they are columns)."""
    import numpy as np

    mask = np.zeros(shape, dtype=bool)
    for run in runs:
        if vertical:
            mask[run.start: run.end, run.first: run.last + 1] = True
        else:
            mask[run.first: run.last + 1, run.start: run.end] = True
    return mask


def _grow(mask: Any) -> Any:
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown
