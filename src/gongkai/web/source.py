"""A cell in its source: the lines around it, the table grid it sits in, the PDF page with its box.

Source bytes come from ``blobs`` (zlib) or, failing that, the file at ``sources.path`` (a zip
member for ``archive.zip!/member``). Reading a source again is the reader's work, not the whole
parse; the last few documents read are kept in memory because a reviewer clicks many cells of
one report in a row.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select

from ..document import Document
from ..store.schema import Blob, Source

CONTEXT_LINES = 6  # lines shown above and below the cell's line
MAX_GRID_ROWS = 60
PAGE_SCALE = 1.5  # PNG pixels per PDF point


class SourceUnavailable(LookupError):
    """The report's source is neither stored nor at its recorded path; the message says which."""


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

    def __init__(self, engine: Engine, size: int = 16) -> None:
        self.engine = engine
        self.size = size
        self._documents: OrderedDict[int, tuple[bytes, str, Document]] = OrderedDict()
        self._sections: OrderedDict[int, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()
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
        shown = "、".join(paths) or "（无记录）"
        raise SourceUnavailable(f"原文未存入数据库，原路径也已不可读：{shown}")

    def document(self, conn: Connection, document_id: int) -> tuple[bytes, str, Document]:
        with self._lock:
            if document_id in self._documents:
                self._documents.move_to_end(document_id)
                return self._documents[document_id]
        from ..errors import ParseError
        from ..readers import read

        data, name = self.raw(conn, document_id)
        try:
            document = read(data, name=name)
        except ParseError as error:
            raise SourceUnavailable(f"原文无法读取：{error.reason}") from None
        with self._lock:
            self._documents[document_id] = (data, name, document)
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)
        return data, name, document

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
        with self._lock:
            if document_id in self._sections:
                return self._sections[document_id]
        from ..pipeline import parse_document

        _, _, document = self.document(conn, document_id)
        sections = parse_document(document).sections
        with self._lock:
            self._sections[document_id] = sections
            while len(self._sections) > self.size:
                self._sections.popitem(last=False)
        return sections

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


def page_png(data: bytes, page: int, bbox: list[float] | None) -> bytes:
    """A PDF page (1-based) as PNG, with the cell's box (PDF points from the top-left) drawn."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page <= len(pdf):
            raise SourceUnavailable(f"PDF 只有 {len(pdf)} 页，没有第 {page} 页")
        image = pdf[page - 1].render(scale=PAGE_SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()
    if bbox and len(bbox) == 4:
        x0, top, x1, bottom = (v * PAGE_SCALE for v in bbox)
        ImageDraw.Draw(image).rectangle((x0 - 3, top - 3, x1 + 3, bottom + 3), outline=(220, 30, 30), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
