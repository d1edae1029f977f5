"""Read a Word (.docx) file into a :class:`~gongkai.document.Document`.

The main part's XML is read directly with lxml (python-docx loads every part and hides
``vMerge`` continuation cells, text boxes and content controls): body paragraphs and tables in
document order, ``gridSpan``/``vMerge`` expanded to an exact grid, text boxes
(``w:txbxContent``) as paragraphs after the paragraph that anchors them, a table split in two
kept as two tables. Headers and footers are left out (page chrome).

Also home of the zip guard shared with the XLSX reader (:func:`open_zip`, :func:`read_member`).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from lxml import etree

from ..document import Document
from ..errors import ParseError
from .html import Span, build_grid, normalise

__all__ = ["open_zip", "read_docx", "read_member"]

# Zip-bomb limits, checked on the declared sizes before anything is inflated. zipfile never
# returns more than a member's declared size (and fails its CRC if the data is longer), so the
# declared sizes bound memory even when they lie.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # small members (XML of a blank form) may compress better than 100:1
MAX_MEMBERS = 10_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"

_P, _TBL, _TR, _TC, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "t"
_TXBX = W + "txbxContent"
_FALLBACK = _MC + "Fallback"
# Elements that only wrap blocks, rows or cells (content controls, custom XML, tracked moves).
_WRAPPERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag",
                       W + "ins", W + "moveTo", _MC + "AlternateContent", _MC + "Choice"})
_SPACES = frozenset({W + "tab", W + "br", W + "cr", W + "ptab"})
_SKIP = frozenset({_FALLBACK, W + "del", W + "moveFrom", W + "instrText", W + "delText",
                   W + "sdtPr", W + "rPr", W + "pPr"})


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, remove_comments=True, remove_pis=True)


# ---------------------------------------------------------------------------- zip guard

def open_zip(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """Open an Office zip after checking it is not a bomb; every failure is a ParseError."""
    if not data:
        raise ParseError(name, "empty file")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ParseError(name, f"legacy binary Office file (OLE), not {kind}; save it as {kind}")
    if not data.startswith(b"PK"):
        raise ParseError(name, f"not a {kind} file (not a zip archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise ParseError(name, f"corrupt or truncated zip: {error}") from None
    if len(infos) > MAX_MEMBERS:
        raise ParseError(name, f"zip with {len(infos)} members is not a {kind} file")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ParseError(name, f"zip bomb: {info.filename} inflates "
                                   f"{info.file_size // max(info.compress_size, 1)}×")
    if total > MAX_UNCOMPRESSED:
        raise ParseError(name, f"zip bomb: {total} bytes uncompressed (limit {MAX_UNCOMPRESSED})")
    return archive


def read_member(archive: zipfile.ZipFile, member: str, name: str) -> bytes:
    """One member's bytes (its declared size, already bounded by :func:`open_zip`)."""
    try:
        return archive.read(member)
    except KeyError:
        raise ParseError(name, f"{member} missing from the archive") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as error:
        raise ParseError(name, f"corrupt or truncated zip ({member}): {error}") from None


def parse_xml(data: bytes, name: str, member: str) -> etree._Element:
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise ParseError(name, f"{member} is not well-formed XML: {error}") from None


def _main_part(archive: zipfile.ZipFile, name: str) -> str:
    """The main document part, as the package relationships name it (usually word/document.xml)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = parse_xml(read_member(archive, "_rels/.rels", name), name, "_rels/.rels")
        for rel in rels.iter(_REL + "Relationship"):
            if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
                target = (rel.get("Target") or "").lstrip("/")
                target = posixpath.normpath(target)
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ParseError(name, "not a DOCX file (no word/document.xml)")


# ---------------------------------------------------------------------------- text

def _text(element: etree._Element, boxes: list[etree._Element] | None) -> str:
    """The text of a paragraph or cell. Text boxes go to ``boxes`` (or inline if None);
    the VML fallback copy of a text box (mc:Fallback) is skipped so it is not read twice."""
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start",))
    for _event, node in walker:
        tag = node.tag
        if tag == _T:
            if node.text:
                parts.append(node.text)
        elif tag in _SPACES:
            parts.append(" ")
        elif tag == _P:
            parts.append(" ")  # paragraphs inside a cell or text box
        elif tag in _SKIP:
            walker.skip_subtree()
        elif tag == _TXBX and boxes is not None:
            boxes.append(node)
            walker.skip_subtree()
        elif tag == _TBL and node is not element:
            walker.skip_subtree()  # nested tables are read as tables of their own
    return normalise("".join(parts))


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Children with ``tag``, looking through content controls and other wrappers."""
    found: list[etree._Element] = []
    stack = [iter(parent)]
    while stack:
        for child in stack[-1]:
            if child.tag == tag:
                found.append(child)
            elif child.tag in _WRAPPERS:
                stack.append(iter(child))
                break
        else:
            stack.pop()
    return found


def _int(element: etree._Element | None, default: int, low: int = 1, high: int = 1000) -> int:
    if element is None:
        return default
    try:
        return max(low, min(int(element.get(W + "val", default)), high))
    except ValueError:
        return default


# ---------------------------------------------------------------------------- tables

def _table_spans(table: etree._Element) -> tuple[list[Span], int]:
    """A table's cells at their grid positions, vertical merges joined to their first cell."""
    rows = _children(table, _TR)
    spans: list[Span] = []
    open_merges: dict[int, Span] = {}  # grid column → the cell whose vMerge runs there
    for r, tr in enumerate(rows):
        properties = tr.find(W + "trPr")
        c = _int(properties.find(W + "gridBefore") if properties is not None else None, 0, 0)
        previous: Span | None = None
        for tc in _children(tr, _TC):
            cell_properties = tc.find(W + "tcPr")
            span, vmerge, hmerge = 1, None, None
            if cell_properties is not None:
                span = _int(cell_properties.find(W + "gridSpan"), 1)
                element = cell_properties.find(W + "vMerge")
                if element is not None:
                    vmerge = element.get(W + "val", "continue")
                element = cell_properties.find(W + "hMerge")
                if element is not None:
                    hmerge = element.get(W + "val", "continue")
            above = open_merges.get(c)
            if vmerge == "continue" and above is not None and above.row + above.rows == r:
                above.rows += 1  # the continuation's own text, if any, Word does not show
            elif hmerge == "continue" and previous is not None:
                previous.cols += span  # legacy horizontal merge (Word 95 era)
            else:
                cell = Span(r, c, 1, span, _text(tc, None))
                spans.append(cell)
                previous = cell
                for column in range(c, c + span):
                    open_merges.pop(column, None)
                if vmerge is not None:  # "restart" (or a stray "continue" starting one)
                    open_merges[c] = cell
            c += span
    return spans, len(rows)


def _nested_tables(table: etree._Element) -> list[etree._Element]:
    """Tables directly inside this table's cells (not inside those tables)."""
    found: list[etree._Element] = []
    stack = [iter(table)]
    while stack:
        for child in stack[-1]:
            if child.tag == _TBL:
                found.append(child)
            else:
                stack.append(iter(child))
                break
        else:
            stack.pop()
    return found


class _Reader:
    def __init__(self, document: Document, name: str) -> None:
        self.document = document
        self.name = name

    def paragraph(self, text: str) -> None:
        if text:
            self.document.add_paragraph(text, line=len(self.document.rows) + 1)

    def table(self, table: etree._Element) -> None:
        # The table, then any tables nested in its cells (their text is not in the cells).
        stack = [table]
        while stack:
            current = stack.pop()
            spans, n_rows = _table_spans(current)
            if n_rows:
                first_line = len(self.document.rows) + 1
                grid = build_grid(spans, n_rows, first_line, self.name)
                self.document.add_table(grid, exact=True)
            stack.extend(reversed(_nested_tables(current)))

    def blocks(self, container: etree._Element) -> None:
        """Paragraphs and tables of the body (or a text box), in document order."""
        stack = [iter(container)]
        while stack:
            for child in stack[-1]:
                tag = child.tag
                if tag == _P:
                    boxes: list[etree._Element] = []
                    self.paragraph(_text(child, boxes))
                    if boxes:
                        stack.append(iter([b for box in boxes for b in box]))
                        break
                elif tag == _TBL:
                    self.table(child)
                elif tag in _WRAPPERS:
                    stack.append(iter(child))
                    break
            else:
                stack.pop()


def read_docx(data: bytes, name: str) -> Document:
    """Read a .docx file. Raises :class:`ParseError` for anything that is not a sound DOCX."""
    archive = open_zip(data, name, "DOCX")
    with archive:
        member = _main_part(archive, name)
        root = parse_xml(read_member(archive, member, name), name, member)
    body = root.find(W + "body")
    if body is None:
        raise ParseError(name, f"{member} has no body: not a Word document")
    document = Document(name=name, media_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    _Reader(document, name).blocks(body)
    if not document.rows:
        raise ParseError(name, "no text in the document")
    return document
