"""The pipeline: read (any format → Document) → extract (→ cells) → infer → check (→ findings)."""

from __future__ import annotations

from pathlib import Path

from .document import Document
from .errors import ParseError
from .report import Report

__all__ = ["ParseError", "parse", "parse_document"]


def parse_document(document: Document) -> Report:
    """Extract, infer and check a document that a reader produced."""
    from .check import check
    from .extract import extract

    report = extract(document)
    report.findings.extend(check(report))
    return report


def parse(source: str | bytes | Path, *, name: str | None = None) -> Report:
    """Parse a report from a path, raw bytes, or its text.

    Raises :class:`ParseError` naming the file and the reason when the input is not a readable
    report (empty, binary, wrong kind of document, …).
    """
    from .readers import read

    return parse_document(read(source, name=name))
