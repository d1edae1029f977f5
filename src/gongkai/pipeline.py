"""The pipeline: read (any format → Document) → extract (→ cells) → infer → check (→ findings)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .document import Document
from .errors import ParseError
from .report import Report

__all__ = ["ParseError", "parse", "parse_document"]


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A parse allocates many small objects and no reference cycles, so reference counting frees
    all of it; the cyclic collector would only keep re-walking the long-lived label caches
    (a third of the time). It is paused for one parse and resumed after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_document(document: Document) -> Report:
    """Extract, infer and check a document that a reader produced."""
    from .check import check
    from .extract import extract

    with _without_cycle_collection():
        report = extract(document)
        report.findings.extend(check(report))
    return report


def parse(source: str | bytes | Path, *, name: str | None = None, max_bytes: int | None = None) -> Report:
    """Parse a report from a path, raw bytes, or its text.

    Raises :class:`ParseError` naming the file and the reason when the input is not a readable
    report (empty, binary, too large, damaged, encrypted, a zip of many files, wrong kind of
    document, …). ``max_bytes`` overrides the size cap (:data:`gongkai.readers.MAX_FILE_BYTES`).
    """
    from .readers import read

    with _without_cycle_collection():
        return parse_document(read(source, name=name, max_bytes=max_bytes))
