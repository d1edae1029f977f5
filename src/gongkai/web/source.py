"""A cell in its source: the lines around it, the table grid it sits in, the PDF page with its box.

Source bytes come from ``blobs`` (zlib) or, failing that, the file at ``sources.path`` (a zip
member for ``archive.zip!/member``). Reading a source again is the reader's work, not the whole
parse; the last few documents read are kept in memory because a reviewer clicks many cells of
one report in a row — at most :data:`MAX_DOCUMENTS` of them and :data:`MAX_SOURCE_BYTES` of source.

A page image is capped at :data:`MAX_PAGE_PIXELS` pixels (a PDF page of 14,400 pt once took 17 s
and 3.5 GB at the normal scale), at most :data:`RENDER_SLOTS` pages render at once, and the PNGs
are cached (:data:`MAX_PNG_BYTES`).
"""

from __future__ import annotations

import io
import json
import math
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select

from ..document import Document
from ..errors import GongkaiError
from ..store.schema import Blob, Source
from .cache import BoundedCache

CONTEXT_LINES = 6  # lines shown above and below the cell's line
MAX_GRID_ROWS = 60
PAGE_SCALE = 1.5  # PNG pixels per PDF point
MAX_PAGE_PIXELS = 4_000_000  # an A4 page at 1.5 is 1.3 M; a larger page is drawn smaller
MAX_PAGE_SIDE = 6_000  # pixels, so a very long thin page stays drawable too
RENDER_SLOTS = 2
RENDER_WAIT_SECONDS = 20.0
MAX_DOCUMENTS = 16
MAX_SOURCE_BYTES = 256 * 1024 * 1024
MAX_PNG_BYTES = 64 * 1024 * 1024
_render_slots = threading.BoundedSemaphore(RENDER_SLOTS)


class SourceUnavailable(GongkaiError, LookupError):
    """The report's source is neither stored nor at its recorded path; the message says why
    (never a server path: it is shown to readers)."""


class RenderBusy(GongkaiError, RuntimeError):
    """Every page-rendering slot stayed busy; the client is asked to retry (503)."""


@dataclass(slots=True)
class SourceLine:
    number: int
    text: str
    target: bool


@dataclass(slots=True)
class SourceView:
    """What the web page shows for one cell."""

    kind: str  # text | table | pdf
    lines: list[SourceLine] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)  # the source table, cell texts
    target: tuple[int, int] | None = None  # (row, column) in ``grid``
    page: int | None = None
    bbox: list[float] | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "lines": [{"number": s.number, "text": s.text, "target": s.target}
                                             for s in self.lines],
                "grid": self.grid, "target": list(self.target) if self.target else None,
                "page": self.page, "bbox": self.bbox, "note": self.note}


class SourceCache:
    """Read documents (and their parsed reports) by document id, the last ``size`` kept."""

    def __init__(self, engine: Engine, size: int = MAX_DOCUMENTS, max_bytes: int = MAX_SOURCE_BYTES) -> None:
        self.engine = engine
        self.size = size
        # a read document weighs about twice its source (its rows and cells); bounded by that
        self._documents: BoundedCache[tuple[bytes, str, Document]] = BoundedCache(
            size, max_bytes=max_bytes, size=lambda entry: 2 * len(entry[0]))
        self._sections: BoundedCache[dict[str, str]] = BoundedCache(
            4 * size, max_bytes=16 * 1024 * 1024, size=lambda sections: sum(map(len, sections.values())) * 4)
        self.pages: BoundedCache[bytes] = BoundedCache(256, max_bytes=MAX_PNG_BYTES, size=len)
        self._has_sections_column: bool | None = None

    # -------------------------------------------------------------- bytes and documents
    def raw(self, conn: Connection, document_id: int) -> tuple[bytes, str]:
        """The source bytes and the name they were seen under."""
        paths = [p for (p,) in conn.execute(select(Source.path).where(Source.document_id == document_id)
                                               .order_by(Source.id))]
        name = paths[0] if paths else f"document-{document_id}"
        blob = conn.execute(select(Blob.codec, Blob.data).where(Blob.document_id == document_id)).first()
        if blob is not None:
            return (zlib.decompress(blob.data) if blob.codec == "zlib" else bytes(blob.data)), name
        for path in paths:
            data = _read_path(path)
            if data is not None:
                return data, path
        raise SourceUnavailable("原文未存入数据库，原路径也已不可读")

    def document(self, conn: Connection, document_id: int) -> tuple[bytes, str, Document]:
        hit = self._documents.get(document_id)
        if hit is not None:
            return hit
        from ..errors import ParseError
        from ..readers import read

        data, name = self.raw(conn, document_id)
        try:
            document = read(data, name=name)
        except ParseError as error:
            raise SourceUnavailable(f"原文无法读取：{error.reason}") from None
        return self._documents.put(document_id, (data, name, document))

    # -------------------------------------------------------------- sections
    def sections(self, conn: Connection, document_id: int) -> dict[str, str]:
        """The report's text sections: the ``reports.sections`` column where the store has one,
        else a parse of the source (kept in memory)."""
        if self._has_sections_column is None:
            columns = {c["name"] for c in inspect(conn).get_columns("reports")}
            self._has_sections_column = "sections" in columns
        if self._has_sections_column:
            from sqlalchemy import text

            stored = conn.execute(text("SELECT sections FROM reports WHERE document_id = :id"),
                                  {"id": document_id}).scalar()
            if stored:
                return json.loads(stored)
        hit = self._sections.get(document_id)
        if hit is not None:
            return hit
        from ..pipeline import parse_document

        _, _, document = self.document(conn, document_id)
        return self._sections.put(document_id, parse_document(document).sections)

    def page(self, conn: Connection, document_id: int, page: int, bbox: list[float] | None) -> bytes:
        """A PDF page of the document as PNG with the box drawn (cached)."""
        key = (document_id, page, tuple(bbox) if bbox else None)
        hit = self.pages.get(key)
        if hit is not None:
            return hit
        data, _, document = self.document(conn, document_id)
        if document.media_type != "application/pdf":
            raise SourceUnavailable("原文不是 PDF，没有页面图像")
        return self.pages.put(key, page_png(data, page, bbox))

    # -------------------------------------------------------------- one cell
    def cell(self, conn: Connection, document_id: int, line: int | None, locator: dict | None) -> SourceView:
        _, _, document = self.document(conn, document_id)
        locator = locator or {}
        line = locator.get("line", line)
        page, bbox = locator.get("page"), locator.get("bbox")
        kind = "pdf" if page is not None and bbox else "table" if "table" in locator else "text"
        view = SourceView(kind, page=page, bbox=bbox)
        if line is not None:
            view.lines = context(document, int(line))
        table_index = locator.get("table")
        if table_index is not None and 0 <= table_index < len(document.tables):
            table = document.tables[table_index]
            view.grid = [[c.text for c in row.cells] for row in table.rows[:MAX_GRID_ROWS]]
            row, column = locator.get("row"), locator.get("column")
            if row is not None and column is not None:
                view.target = (int(row), int(column))
        if line is None and not view.grid:
            view.note = "该单元格没有来源位置（空白、缺失或推算所得）"
        return view


def context(document: Document, line: int) -> list[SourceLine]:
    """The rows of the document within CONTEXT_LINES of ``line``, in order."""
    rows = [r for r in document.rows if abs(r.line - line) <= CONTEXT_LINES]
    return [SourceLine(r.line, "  ".join(c.text for c in r.cells if not c.merged), r.line == line)
            for r in rows]


def _read_path(path: str) -> bytes | None:
    try:
        if "!/" in path:
            archive, member = path.split("!/", 1)
            with zipfile.ZipFile(archive) as handle:
                return handle.read(member)
        file = Path(path)
        return file.read_bytes() if file.is_file() else None
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


def page_scale(width: float, height: float) -> float:
    """Pixels per PDF point for a page: :data:`PAGE_SCALE`, less when the page would pass
    :data:`MAX_PAGE_PIXELS` or :data:`MAX_PAGE_SIDE`."""
    width, height = max(width, 1.0), max(height, 1.0)
    return min(PAGE_SCALE, math.sqrt(MAX_PAGE_PIXELS / (width * height)), MAX_PAGE_SIDE / max(width, height))


def page_png(data: bytes, page: int, bbox: list[float] | None) -> bytes:
    """A PDF page (1-based) as PNG, with the cell's box (PDF points from the top-left) drawn; at
    most :data:`MAX_PAGE_PIXELS` pixels, and at most :data:`RENDER_SLOTS` renders at once."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    if not _render_slots.acquire(timeout=RENDER_WAIT_SECONDS):
        raise RenderBusy("页面图像生成繁忙，请稍后再试")
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(pdf):
                raise SourceUnavailable(f"PDF 只有 {len(pdf)} 页，没有第 {page} 页")
            pdf_page = pdf[page - 1]
            scale = page_scale(*pdf_page.get_size())
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()
    finally:
        _render_slots.release()
    if bbox and len(bbox) == 4 and all(math.isfinite(v) and abs(v) < 1e6 for v in bbox):
        x0, top, x1, bottom = (v * scale for v in bbox)
        x0, x1 = sorted((x0, x1))  # a box given the wrong way round is still drawn
        top, bottom = sorted((top, bottom))
        ImageDraw.Draw(image).rectangle((x0 - 3, top - 3, x1 + 3, bottom + 3), outline=(220, 30, 30), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
