"""Readers: any published form of a report → :class:`~gongkai.document.Document`.

The format is decided by content (magic bytes), never by the file's extension: a ``.pdf`` that
is really an HTML page is read as HTML, and a file of another kind is refused with the reason.
A file over the size cap is refused from its size before it is read; a zip of reports is
refused with the hint to use ``gongkai ingest``, which reads archives member by member. JSON is
not a published form: :func:`read_input` gives the Report of a report JSON gongkai wrote
(:mod:`.report_json`) and refuses any other JSON as not a report.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Callable
from importlib import import_module
from io import BytesIO
from pathlib import Path

from ..document import Document
from ..errors import ParseError
from ..report import Report
from .report_json import is_json, looks_like_json, read_report_json
from .text import read_text

__all__ = ["MAX_FILE_BYTES", "read", "read_input", "sniff"]

DEFAULT_MAX_FILE_MB = 100  # a scanned report is a few tens of MB; a text or Word one far less


def _size_cap() -> int:
    """The largest file read at all, checked on the file's size before any byte is read:
    ``GONGKAI_MAX_FILE_MB`` from the environment, else :data:`DEFAULT_MAX_FILE_MB`."""
    configured = os.environ.get("GONGKAI_MAX_FILE_MB", "").strip()
    try:
        return int(float(configured or DEFAULT_MAX_FILE_MB) * 2**20)
    except ValueError:
        warnings.warn(f"GONGKAI_MAX_FILE_MB={configured!r} is not a number: the limit stays "
                      f"{DEFAULT_MAX_FILE_MB} MB", stacklevel=1)
        return DEFAULT_MAX_FILE_MB * 2**20


MAX_FILE_BYTES = _size_cap()

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|table|div|p)\b",
                         re.IGNORECASE | re.DOTALL)
# a table in a text markup: two rows of pipes (markdown, Textile, Org), a markdown row over its rule
# row (「|---|---|」), an AsciiDoc 「|===」 or MediaWiki 「{|」 block, a grid table's rule (「+---+」)
_TEXT_TABLE = re.compile(rb"^[ \t]*(?:\|.*\|[ \t]*\r?\n[ \t]*\|.*\||\|.*\|[ \t]*\r?\n[ \t]*\|?[ \t]*:?-{3,}"
                         rb"|\|===|\{\||\+[-=]{3,}\+)", re.MULTILINE)
_HTML_TABLE = re.compile(rb"<t[dh][\s>]", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """The kind of a file from its first bytes: pdf, docx, xlsx, zip, ole, html, image, json
    (JSON or JSON Lines, decoded to tell), text."""
    head = data[:2048]
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "zip"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(stripped) or re.search(rb"<html[\s>]", head, re.IGNORECASE):
        # markdown (or Textile, AsciiDoc, …) that keeps some raw HTML (pandoc's gfm and Textile keep
        # <div>s, crawlers' markdown the page's wrappers) is text: its tables are rows of its own
        # markup, which an HTML reading would run together into one paragraph
        if _TEXT_TABLE.search(data) and not _HTML_TABLE.search(data):
            return "text"
        return "html"
    if is_json(data):
        return "json"
    return "text"


# kind → the module (in this package) and function that read it, imported on first use, and the
# extra whose packages the module needs (None: the base install has them)
_READERS: dict[str, tuple[str, str, str | None]] = {
    "html": ("html", "read_html", "formats"),
    "pdf": ("pdf", "read_pdf", "formats"),
    "docx": ("docx", "read_docx", "formats"),
    "xlsx": ("xlsx", "read_xlsx", "formats"),
    "ole": ("legacy", "read_legacy", None),
    "image": ("ocr", "read_image", None),
}


def _reader(kind: str, name: str) -> Callable[[bytes, str], Document]:
    """The reader for a kind, or a ParseError saying what is missing or why it is refused."""
    if kind == "text":
        return read_text
    if kind == "zip":
        return _refuse_archive
    if kind not in _READERS:
        raise ParseError(name, f"unsupported file kind {kind}")
    module, function, extra = _READERS[kind]
    try:
        reader: Callable[[bytes, str], Document] = getattr(import_module(f".{module}", __name__), function)
    except ImportError as error:
        if extra is None:
            raise
        raise ParseError(name, f"reading {kind.upper()} needs an optional dependency: {error.name} "
                               f"(pip install 'gongkai[{extra}]')") from None
    return reader


def _refuse_archive(data: bytes, name: str) -> Document:
    """A zip of reports is many documents, and a parse gives one report: refuse it, saying what
    is inside and how to read them all (``gongkai ingest`` walks archives member by member)."""
    try:
        members = [i.filename for i in zipfile.ZipFile(BytesIO(data)).infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ParseError(name, f"damaged zip archive ({error}), and not a DOCX or XLSX") from None
    shown = ", ".join(members[:3]) + (", …" if len(members) > 3 else "")
    raise ParseError(name, f"a zip archive of {len(members)} file(s) ({shown or 'empty'}), not one report: "
                           f"use `gongkai ingest {Path(name).name}`, which reads every report in an "
                           "archive, or unpack it first")


def read(source: str | bytes | Path, *, name: str | None = None, max_bytes: int | None = None) -> Document:
    """Read a report from a path, bytes, or text (a ``str`` that is not an existing path).

    A file larger than ``max_bytes`` (default :data:`MAX_FILE_BYTES`) is refused from its size,
    before it is read, so a huge file costs no memory. A report JSON is no document: it is
    refused here (:func:`read_input` reads it)."""
    found = read_input(source, name=name, max_bytes=max_bytes)
    if isinstance(found, Report):
        path = isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source))
        shown = name or (str(source) if path else "<json>")
        raise ParseError(shown, f"gongkai 报告 JSON（由 {found.source} 解析而来），不是原文文件"
                                f"（a gongkai report JSON parsed from {found.source}, "
                                "not a source document）")
    return found


def read_input(source: str | bytes | Path, *, name: str | None = None,
               max_bytes: int | None = None) -> Document | Report:
    """As :func:`read`, but a report JSON that gongkai wrote gives its :class:`Report` (any other
    JSON is refused as not a report)."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        name = name or str(path)
        try:
            size = path.stat().st_size
            if size > limit:
                raise ParseError(name, f"file too large: {_mib(size)} (limit {_mib(limit)}; "
                                       "set GONGKAI_MAX_FILE_MB to raise it)")
            if path.is_dir():
                raise ParseError(name, "a folder, not a file: use `gongkai ingest` to read a folder")
            data = path.read_bytes()
        except OSError as error:
            raise ParseError(name, error.strerror or str(error)) from None
    elif isinstance(source, str):
        if looks_like_json(source[:64].encode() + source[-64:].encode()):
            report = read_report_json(source, name or "<text>")
            if report is not None:
                return report
        return read_text(source, name or "<text>")
    else:
        data = source
        name = name or "<bytes>"
        if len(data) > limit:
            raise ParseError(name, f"input too large: {_mib(len(data))} (limit {_mib(limit)})")
    if looks_like_json(data):
        report = read_report_json(data, name)
        if report is not None:
            return report
        return read_text(data, name)  # only begins and ends like JSON
    return _reader(sniff(data), name)(data, name)


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _looks_like_path(text: str) -> bool:
    """Is this string a file's path rather than a report's text (a crawler's one-line page)?"""
    if "\n" in text or len(text) >= 4096:
        return False
    try:
        return Path(text).exists()
    except OSError:  # a name too long for the file system, a NUL …: text, not a path
        return False
