"""Read an HTML page into a :class:`~gongkai.document.Document`.

Paragraphs become one-cell rows, data tables become exact grids (rowspan/colspan expanded), site
chrome stays as paragraphs for the extractor to ignore; ``<script>``, ``<style>`` and ``<nav>``
are dropped. The page is decoded before lxml sees it (BOM, then ``<meta>`` charset, then
detection), so a wrong or missing declaration cannot garble the Chinese text.

Also home of the grid helpers the DOCX and XLSX readers share (:class:`Span`, :func:`build_grid`).
"""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from lxml import etree

from ..document import Cell, Document
from ..errors import ParseError
from ..text import collapse_space

__all__ = ["Span", "build_grid", "decode_html", "normalise", "read_html"]

MAX_BYTES = 50 * 1024 * 1024  # a report page is ~50 KB; anything this big is not one
MAX_GRID_CELLS = 1_000_000  # rows × columns of one table, after spans are placed
MAX_COLSPAN = 1000  # the HTML standard's own clamp
MAX_ROWSPAN = 65534

# ---------------------------------------------------------------------------- text and grids

# the name the readers and their tests have imported from here (gongkai.text.collapse_space)
normalise = collapse_space


@dataclass(slots=True)
class Span:
    """One cell of a source table at its grid position: (row, col) and how far it reaches."""

    row: int
    col: int
    rows: int
    cols: int
    text: str


def build_grid(spans: list[Span], n_rows: int, first_line: int, name: str) -> list[list[Cell]]:
    """Lay spans out on a full grid: the origin keeps the text, covered positions are merged "".

    Columns in which no cell starts are dropped: every cell covering such a column also covers
    the one before it, so no cell loses a position of its own, and a malformed ``colspan="999"``
    cannot widen the table. Positions no cell covers (short rows) become blank cells.
    """
    if n_rows <= 0 or not spans:
        return [[] for _ in range(max(n_rows, 0))]
    starts = sorted({s.col for s in spans})
    width = len(starts)
    if n_rows * width > MAX_GRID_CELLS:
        raise ParseError(name, f"table of {n_rows} rows × {width} columns is too large")
    grid: list[list[Cell | None]] = [[None] * width for _ in range(n_rows)]
    for span in spans:
        first = bisect_left(starts, span.col)
        last = bisect_right(starts, span.col + span.cols - 1) - 1  # last start inside the span
        bottom = min(span.row + span.rows, n_rows)
        for r in range(span.row, bottom):
            line = first_line + r
            row = grid[r]
            for c in range(first, last + 1):
                if row[c] is not None:  # overlapping spans (malformed): the first one wins
                    continue
                origin = r == span.row and c == first
                row[c] = Cell(text=span.text if origin else "", line=line, merged=not origin)
    return [
        [cell if cell is not None else Cell(text="", line=first_line + r) for cell in row]
        for r, row in enumerate(grid)
    ]


def _span_value(raw: str | None, default: int = 1) -> int | None:
    """The HTML "rules for parsing non-negative integers": leading digits, else None."""
    if raw is None:
        return default
    match = re.match(r"\s*\+?(\d+)", raw)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------------- decoding

# Labels browsers treat as GBK; gb18030 is a superset that also decodes the characters GBK
# pages use without declaring them (rare names, the euro sign).
_GB_LABELS = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "gb_2312",
              "csgb2312", "iso-ir-58", "chinese", "csiso58gb231280", "euc-cn", "gb18030"}
_META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    if label.startswith(("utf-16", "utf-32", "unicode")):
        return "utf-8"  # the declaration was readable as ASCII, so the bytes are not UTF-16
    if label in ("iso-8859-1", "latin1", "latin-1", "ascii", "us-ascii"):
        return "cp1252"  # as browsers do
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str, str | None]:
    """Decode a page: ``(text, encoding, warning)``. BOM, then declaration, then detection."""
    encoding: str | None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace"), encoding, None
    head = data[:16384]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    warning = None
    if match:
        label = match.group(1).decode("ascii", "replace")
        encoding = _codec(label)
        if encoding and encoding != "utf-8" and not data.isascii():
            # Pages moved to UTF-8 often keep their old gb2312 <meta>; non-ASCII text that is
            # valid UTF-8 is practically never GBK, so the bytes win over the declaration.
            try:
                return data.decode("utf-8"), "utf-8", f"declared charset {label!r}, but the bytes are UTF-8"
            except UnicodeDecodeError:
                pass
        if encoding:
            try:
                return data.decode(encoding), encoding, None
            except UnicodeDecodeError:
                warning = f"declared charset {label!r} does not fit the bytes; detected instead"
        else:
            warning = f"unknown charset {label!r}; detected instead"
    # Chinese government sites are UTF-8 or GBK: strict UTF-8 rarely passes by accident.
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding, warning
        except UnicodeDecodeError:
            pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the fallback below is lossy but never fails
        best = None
    else:
        best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "gb18030"
    note = f"charset guessed as {encoding}; some characters may be wrong"
    return data.decode(encoding, "replace"), encoding, f"{warning}; {note}" if warning else note


_MAGIC = ((b"PK\x03\x04", "a zip archive (DOCX/XLSX?)"), (b"%PDF", "a PDF"),
          (b"\xd0\xcf\x11\xe0", "an OLE file (.doc/.xls)"), (b"\x89PNG", "a PNG image"),
          (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def _check_bytes(data: bytes, name: str) -> None:
    if not data.strip():
        raise ParseError(name, "empty file")
    if len(data) > MAX_BYTES:
        raise ParseError(name, f"{len(data)} bytes is too large for a report page")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ParseError(name, f"not HTML: the file is {what}")


_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 32)])


def _check_text(text: str, data: bytes, encoding: str, name: str) -> None:
    """Refuse binary data: NULs, many control characters or undecodable bytes."""
    if encoding.startswith(("utf-16", "utf-32")):
        sample = text[:65536]
        bad = len(_CONTROL.findall(sample))
    else:  # ASCII-compatible: count control bytes in C, much faster than a regex on the text
        sample_bytes = data[:65536]
        if b"\x00" in sample_bytes:
            raise ParseError(name, "not HTML: binary data")
        sample = text[:65536]
        bad = len(sample_bytes) - len(sample_bytes.translate(None, _CONTROL_BYTES))
        bad += sample.count("\ufffd")
    if "\x00" in sample or bad > max(8, len(sample) // 50):
        raise ParseError(name, "not HTML: binary data")


# ---------------------------------------------------------------------------- walking the tree

_DROP = frozenset({"script", "style", "nav", "noscript", "template", "iframe", "object", "embed",
                   "svg", "math", "select", "textarea", "head"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
                    "dd", "section", "article", "header", "footer", "aside", "main", "blockquote",
                    "pre", "address", "figure", "figcaption", "form", "fieldset", "legend",
                    "center", "hr", "br", "tr", "td", "th", "caption", "thead", "tbody", "tfoot",
                    "body", "html", "title", "option", "table"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A table is page layout rather than data when one of its cells holds a block of prose; data
# cells of the report's tables are at most a label of a few dozen characters.
_LAYOUT_CHARS = 200


def _hidden(element: etree._Element) -> bool:
    style = element.get("style")
    # substring test first: Word-made pages put a style on nearly every element
    return bool(style) and ("display" in style or "visibility" in style) and (
        _HIDDEN.search(style) is not None)


def _rows_of(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if tr.tag == "tr")
    return rows


def _cell_text(cell: etree._Element, nested: list[etree._Element]) -> str:
    """A cell's own text, nested tables left out (and collected into ``nested``)."""
    if len(cell) == 0:  # text only, as most cells are: no walk (a third of the reading time)
        return collapse_space(cell.text) if cell.text else ""
    parts: list[str] = []
    walker = etree.iterwalk(cell, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if element is not cell:
                if not isinstance(tag, str) or tag in _DROP or _hidden(element):
                    walker.skip_subtree()
                    continue
                if tag == "table":
                    nested.append(element)
                    walker.skip_subtree()
                    continue
                if tag in _BLOCK:
                    parts.append(" ")
            if element.text:
                parts.append(element.text)
        elif element is not cell:
            if tag in _BLOCK:
                parts.append(" ")
            if element.tail:
                parts.append(element.tail)
    return collapse_space("".join(parts))


def _table_spans(table: etree._Element, name: str,
                 nested: list[etree._Element]) -> tuple[list[Span], int, str]:
    """Place a table's cells on a grid the way browsers do; returns spans, rows, caption."""
    rows = _rows_of(table)
    n_rows = len(rows)
    caption = ""
    for child in table:
        if child.tag == "caption":
            caption = _cell_text(child, nested)
    spans: list[Span] = []
    busy: list[int] = []  # busy[c]: first row not covered by a rowspan at column c
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th") or _hidden(cell):
                continue
            colspan = _span_value(cell.get("colspan")) or 1
            colspan = min(colspan, MAX_COLSPAN)
            rowspan = _span_value(cell.get("rowspan"))
            # rowspan="0" reaches to the end of the table; junk counts as 1; never past the end
            rowspan = n_rows - r if rowspan == 0 else min(rowspan or 1, MAX_ROWSPAN, n_rows - r)
            while c < len(busy) and busy[c] > r:
                c += 1
            end = c + colspan
            if end > len(busy):
                if n_rows * end > MAX_GRID_CELLS:
                    raise ParseError(name, f"table of {n_rows} rows × {end} columns is too large")
                busy.extend([0] * (end - len(busy)))
            busy[c:end] = [r + rowspan] * colspan
            spans.append(Span(r, c, rowspan, colspan, _cell_text(cell, nested)))
            c = end
    return spans, n_rows, caption


class _Builder:
    """Collects paragraphs and tables into a Document, numbering rows as it goes."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.parts: list[str] = []

    def text(self, text: str | None) -> None:
        if text:
            self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            text = collapse_space("".join(self.parts))
            self.parts.clear()
            if text:
                self.paragraph(text)

    def paragraph(self, text: str) -> None:
        self.document.add_paragraph(text, line=len(self.document.rows) + 1)

    def table(self, table: etree._Element, name: str) -> bool:
        """Add a data table (and the tables nested in it); False if it is page layout."""
        nested: list[etree._Element] = []
        spans, n_rows, caption = _table_spans(table, name, nested)
        if any(len(span.text) > _LAYOUT_CHARS for span in spans):
            return False
        # Nested tables are their own tables, after the one that holds them (each table's
        # rows stay together); an explicit stack rather than recursion, so depth cannot hurt.
        stack: list[tuple[list[Span], int, str, list[etree._Element]]] = [
            (spans, n_rows, caption, nested)]
        while stack:
            spans, n_rows, caption, nested = stack.pop()
            if caption:
                self.paragraph(caption)
            if n_rows:
                first_line = len(self.document.rows) + 1
                self.document.add_table(build_grid(spans, n_rows, first_line, name), exact=True)
            children = []
            for element in nested:
                inner: list[etree._Element] = []
                children.append((*_table_spans(element, name, inner), inner))
            stack.extend(reversed(children))  # popped in document order
        return True


def html_tables(markup: str, first_line: int, name: str) -> list[list[list[Cell]]]:
    """The tables of an HTML fragment (a ``<table>`` left raw in a markdown text) laid out on grids
    as :func:`read_html` lays them out, each row on the source line of its ``<tr>`` (counted from
    ``first_line``, the fragment's first line). Tables nested in a cell follow the one holding them."""
    parser = etree.HTMLParser(**_PARSER_OPTIONS)
    root = etree.fromstring(markup.encode("utf-8", "surrogatepass"), parser)
    if root is None:
        return []
    grids: list[list[list[Cell]]] = []
    stack = [t for t in root.iter("table") if not any(a.tag == "table" for a in t.iterancestors())]
    stack.reverse()
    while stack:
        table = stack.pop()
        nested: list[etree._Element] = []
        spans, n_rows, _caption = _table_spans(table, name, nested)
        if n_rows:
            grid = build_grid(spans, n_rows, first_line, name)
            for cells, tr in zip(grid, _rows_of(table), strict=True):
                for cell in cells:
                    cell.line = first_line + (tr.sourceline or 1) - 1
            grids.append(grid)
        stack.extend(reversed(nested))
    return grids


def _walk(root: etree._Element, builder: _Builder, name: str) -> None:
    pre = 0
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if not isinstance(tag, str) or tag in _DROP or _hidden(element):
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                builder.flush()
            if tag == "table" and builder.table(element, name):
                walker.skip_subtree()
                continue
            if tag == "pre":
                pre += 1
            _add_text(builder, element.text, pre)
        else:
            if isinstance(tag, str) and tag in _BLOCK:
                builder.flush()
                if tag == "pre":
                    pre -= 1
            _add_text(builder, element.tail, pre)
    builder.flush()


def _add_text(builder: _Builder, text: str | None, pre: int) -> None:
    if not text:
        return
    if pre and "\n" in text:  # preformatted text keeps its lines
        lines = text.split("\n")
        for line in lines[:-1]:
            builder.text(line)
            builder.flush()
        builder.text(lines[-1])
    else:
        builder.text(text)


_RESOURCE_LIMIT = getattr(etree.ErrorTypes, "ERR_RESOURCE_LIMIT", -1)  # not in old lxml
_PARSER_OPTIONS = {"remove_comments": True, "remove_pis": True, "no_network": True,
                   "huge_tree": False, "encoding": "utf-8"}


def read_html(data: bytes, name: str) -> Document:
    """Read an HTML page. Raises :class:`ParseError` for garbage, binary or absurd input."""
    _check_bytes(data, name)
    text, encoding, warning = decode_html(data)
    _check_text(text, data, encoding, name)
    # lxml gets UTF-8 and is told so, so a <meta charset> cannot make it re-decode the page
    if encoding == "utf-8" and warning is None:
        utf8 = data[3:] if data.startswith(codecs.BOM_UTF8) else data  # already checked
    else:
        utf8 = text.encode("utf-8", "surrogatepass")
    parser = etree.HTMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(utf8, parser)
    except (etree.ParserError, ValueError) as error:
        raise ParseError(name, f"not readable as HTML: {error}") from None
    for entry in parser.error_log:
        # libxml2 stops at 256 levels without huge_tree; a partial page would lose text silently
        if entry.type == _RESOURCE_LIMIT or "Excessive depth" in entry.message:
            raise ParseError(name, "HTML nested too deeply (over 256 levels)")
    if root is None:
        raise ParseError(name, "no HTML content")
    document = Document(name=name, media_type="text/html", encoding=encoding)
    if warning:
        document.warnings.append(warning)
    builder = _Builder(document)
    title = root.find("head/title")
    if title is not None and title.text and collapse_space(title.text):
        builder.paragraph(collapse_space(title.text))  # the tab title often names agency and year
    _walk(root, builder, name)
    if not document.rows:
        raise ParseError(name, "no text in the page")
    return document
