"""Read a Word (.docx) file into a :class:`~gongkai.document.Document`.

The main part's XML is read directly with lxml (python-docx loads every part and hides
``vMerge`` continuation cells, text boxes and content controls): body paragraphs and tables in
document order, ``gridSpan``/``vMerge`` expanded to an exact grid, text boxes
(``w:txbxContent``) as paragraphs after the paragraph that anchors them, a table split in two
kept as two tables. Headers and footers are left out (page chrome).

Also home of the zip guard shared with the XLSX reader (:func:`open_zip`, :func:`read_member`).
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Container
from typing import Any

from lxml import etree

from ..document import Document
from ..errors import ParseError
from ..text import collapse_space
from .html import Span, build_grid

__all__ = ["open_zip", "read_docx", "read_member"]

# Zip-bomb limits, checked on the declared sizes before anything is inflated. zipfile never
# returns more than a member's declared size (and fails its CRC if the data is longer), so the
# declared sizes bound memory even when they lie.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # small members (XML of a blank form) may compress better than 100:1
MAX_MEMBERS = 10_000
CHECK_CHUNK = 64 * 1024

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
    for info in infos:
        _check_declared_size(archive, info, name)
    return archive


def _check_declared_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate a member in bounded chunks and refuse it if it inflates beyond its declared size.

    The checks above trust the declared sizes; a forged header declaring 2 KB for 300 MB would
    pass them, and ``ZipFile.read`` inflates a whole compressed block at once before cutting it
    to the declared size (600 MB of memory for a 300 KB file). Reading one byte more than
    declared, 64 KB at a time, proves the size without ever holding more than a chunk; after
    this, every reader (ours and openpyxl) sees members no larger than the bounded totals."""
    if info.flag_bits & 0x1:
        raise ParseError(name, f"password-protected (encrypted) zip member {info.filename}")
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC  # checked below on the whole member: zipfile would check it at the forged size
    inflated, crc = 0, 0
    try:
        with archive.open(probe) as handle:
            while chunk := handle.read(CHECK_CHUNK):
                inflated += len(chunk)
                if inflated > info.file_size:
                    raise ParseError(name, f"zip bomb: {info.filename} inflates beyond its declared "
                                           f"size of {info.file_size} bytes")
                crc = zlib.crc32(chunk, crc)
    except ParseError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as error:
        raise ParseError(name, f"corrupt or truncated zip ({info.filename}): {error}") from None
    if inflated != info.file_size or crc != info.CRC:
        raise ParseError(name, f"corrupt or truncated zip ({info.filename}): its data does not match "
                               "its declared size and checksum")


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


def _related_parts(archive: zipfile.ZipFile, member: str, name: str) -> dict[str, str]:
    """The main part's related parts by relationship type (styles, numbering …)."""
    folder, base = posixpath.split(member)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    names = set(archive.namelist())
    parts = {kind: posixpath.join(folder, f"{kind}.xml") for kind in ("styles", "numbering")}
    if rels_name in names:
        rels = parse_xml(read_member(archive, rels_name, name), name, rels_name)
        for rel in rels.iter(_REL + "Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            if rel.get("TargetMode") != "External" and kind in parts:
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                parts[kind] = posixpath.normpath(path)
    return {kind: path for kind, path in parts.items() if path in names}


def _optional_part(archive: zipfile.ZipFile, member: str | None, name: str) -> etree._Element | None:
    """A part that only adds detail (numbering, styles): unreadable means absent."""
    if member is None:
        return None
    try:
        return parse_xml(read_member(archive, member, name), name, member)
    except ParseError:
        return None


# ---------------------------------------------------------------------------- text

def _text(element: etree._Element, boxes: list[etree._Element] | None, numbering: _Numbering) -> str:
    """The text of a paragraph or cell, list numbers included. Text boxes go to ``boxes`` (or
    inline if None); the VML fallback copy of a text box (mc:Fallback) is skipped so it is not
    read twice."""
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
            parts.append(numbering.label(node))
        elif tag in _SKIP:
            walker.skip_subtree()
        elif tag == _TXBX and boxes is not None:
            boxes.append(node)
            walker.skip_subtree()
        elif tag == _TBL and node is not element:
            walker.skip_subtree()  # nested tables are read as tables of their own
    return collapse_space("".join(parts))


def _descendants(parent: etree._Element, tag: str, through: Container[Any] | None) -> list[etree._Element]:
    """Elements with ``tag`` below ``parent`` in document order, not looking inside them, going down
    only through elements whose tag is in ``through`` (None: through any element)."""
    found: list[etree._Element] = []
    stack = [iter(parent)]  # an explicit stack: no recursion limit on deeply nested files
    while stack:
        for child in stack[-1]:
            if child.tag == tag:
                found.append(child)
            elif through is None or child.tag in through:
                stack.append(iter(child))
                break
        else:
            stack.pop()
    return found


def _children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Children with ``tag``, looking through content controls and other wrappers."""
    return _descendants(parent, tag, _WRAPPERS)


def _val(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(W + "val")


def _int(element: etree._Element | None, default: int, low: int = 1, high: int = 1000,
         attribute: str = "val") -> int:
    if element is None:
        return default
    try:
        return max(low, min(int(element.get(W + attribute, default)), high))
    except ValueError:
        return default


# ---------------------------------------------------------------------------- list numbering

_DIGITS = "〇一二三四五六七八九"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (Word's chineseCounting)."""
    if not 0 < n < 10000:
        return str(n)
    parts, zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                parts.append("零")
            parts.append(("" if value == 10 and not parts and digit == 1 else _DIGITS[digit]) + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "japaneseCounting", "koreanCounting", "taiwaneseCounting"):
        return _chinese(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional" and 0 < n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt == "ideographZodiac" and 0 < n <= 12:
        return "子丑寅卯辰巳午未申酉戌亥"[n - 1]
    if fmt in ("upperLetter", "lowerLetter") and n > 0:
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        roman = ""
        for value, symbol in _ROMAN:
            count, n = divmod(n, value)
            roman += symbol * count
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalEnclosedCircle" and 0 < n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Numbering:
    """Word's automatic list numbers ("一、", "（三）", "1.") that are not in the text: section
    headings and table labels are often numbered this way. Counts per list, in reading order."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId → ilvl → fmt, text, start
        self.counters: dict[str, list[int]] = {}
        self.style_numbers: dict[str, tuple[str, int]] = {}
        if numbering is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for element in numbering.iter(W + "abstractNum"):
                abstract[element.get(W + "abstractNumId", "")] = {
                    _int(lvl, 0, 0, 8, "ilvl"): self._level(lvl) for lvl in element.iter(W + "lvl")}
            for num in numbering.iter(W + "num"):
                levels = dict(abstract.get(_val(num.find(W + "abstractNumId")) or "", {}))
                for override in num.iter(W + "lvlOverride"):
                    ilvl = _int(override, 0, 0, 8, "ilvl")
                    lvl = override.find(W + "lvl")
                    if lvl is not None:
                        levels[ilvl] = self._level(lvl)
                    start = override.find(W + "startOverride")
                    if start is not None and ilvl in levels:
                        levels[ilvl] = (*levels[ilvl][:2], _int(start, 1, 0, 10**6))
                self.levels[num.get(W + "numId", "")] = levels
        if styles is not None:
            based: dict[str, str] = {}
            own: dict[str, tuple[str | None, int | None]] = {}
            for style in styles.iter(W + "style"):
                style_id = style.get(W + "styleId", "")
                parent = style.find(W + "basedOn")
                if parent is not None:
                    based[style_id] = _val(parent) or ""
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None:
                    ilvl = num_pr.find(W + "ilvl")
                    own[style_id] = (_val(num_pr.find(W + "numId")),
                                     _int(ilvl, 0, 0, 8) if ilvl is not None else None)
            for style_id in {*own, *based}:
                num_id: str | None = None
                level: int | None = None
                seen: set[str] = set()
                current: str | None = style_id
                while current and current not in seen:  # basedOn chains may loop in bad files
                    seen.add(current)
                    found = own.get(current, (None, None))
                    num_id = num_id if num_id is not None else found[0]
                    level = level if level is not None else found[1]
                    current = based.get(current)
                if num_id:
                    self.style_numbers[style_id] = (num_id, level or 0)

    @staticmethod
    def _level(lvl: etree._Element) -> tuple[str, str, int]:
        return (_val(lvl.find(W + "numFmt")) or "decimal", _val(lvl.find(W + "lvlText")) or "",
                _int(lvl.find(W + "start"), 1, 0, 10**6))

    def label(self, paragraph: etree._Element) -> str:
        """The paragraph's list number as printed, advancing its list's counter."""
        if not self.levels:
            return ""
        properties = paragraph.find(W + "pPr")
        num_id, ilvl = None, 0
        if properties is not None:
            num_pr = properties.find(W + "numPr")
            style = properties.find(W + "pStyle")
            if style is not None and _val(style) in self.style_numbers:
                num_id, ilvl = self.style_numbers[_val(style) or ""]
            if num_pr is not None:
                num_id = _val(num_pr.find(W + "numId")) or num_id
                ilvl = _int(num_pr.find(W + "ilvl"), ilvl, 0, 8)
        levels = self.levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return ""  # numId 0 (numbering removed) or unknown
        counters = self.counters.setdefault(num_id or "", [0] * 9)
        for level in range(9):  # levels above that never started count from their start
            if level < ilvl and counters[level] == 0 and level in levels:
                counters[level] = levels[level][2]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl][2]
        for level in range(ilvl + 1, 9):
            counters[level] = 0
        fmt, text, _start = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_fmt = levels.get(level, ("decimal", "", 1))[0]
            return _format_number(counters[level] if 0 <= level < 9 else 0, level_fmt)

        return re.sub(r"%([1-9])", number, text)


# ---------------------------------------------------------------------------- tables

def _table_spans(table: etree._Element, numbering: _Numbering) -> tuple[list[Span], int]:
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
                cell = Span(r, c, 1, span, _text(tc, None, numbering))
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
    return _descendants(table, _TBL, None)


class _Reader:
    def __init__(self, document: Document, name: str, numbering: _Numbering) -> None:
        self.document = document
        self.name = name
        self.numbering = numbering

    def paragraph(self, text: str) -> None:
        if text:
            self.document.add_paragraph(text, line=len(self.document.rows) + 1)

    def table(self, table: etree._Element) -> None:
        # The table, then any tables nested in its cells (their text is not in the cells).
        stack = [table]
        while stack:
            current = stack.pop()
            spans, n_rows = _table_spans(current, self.numbering)
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
                    self.paragraph(_text(child, boxes, self.numbering))
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
        parts = _related_parts(archive, member, name)
        numbering = _Numbering(*(_optional_part(archive, parts.get(kind), name)
                                 for kind in ("numbering", "styles")))
    body = root.find(W + "body")
    if body is None:
        raise ParseError(name, f"{member} has no body: not a Word document")
    document = Document(name=name, media_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    _Reader(document, name, numbering).blocks(body)
    if not document.rows:
        raise ParseError(name, "no text in the document")
    return document
