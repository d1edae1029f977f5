"""Parsing one document into plain tuples for the database: what the ingest's workers run.

Parsing is a pure function of the bytes, so any engine's workers (local processes, Ray, dask) run
:func:`parse_work` without a database and return :data:`Done` tuples; only the ingest's main
process writes them (:mod:`gongkai.store.writer`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from ..agency import identify
from ..readers import sniff
from .stats import finding_figures, stat_values

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "text": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "ole": "application/x-ole-storage",
    "image": "image/*",
    "json": "application/json",  # a report JSON gongkai wrote, read back (other JSON is refused)
}

# source bytes kept in ``blobs`` up to this size (the web app shows a cell in its source)
MAX_BLOB_BYTES = 20 * 1024 * 1024


# ("ok", meta, cells, findings) | ("failed", reason, media_type); cells are columns (paths, values,
# is_int, status, raw, line, locator, rule, note), findings rows
Parsed = tuple[Any, ...]


def parse_bytes(data: bytes, name: str) -> Parsed:
    """Parse one document into plain tuples ready for the database (runs in the workers): the
    JSON of locators, findings and sections and the agency identity are made here, so the main
    process only writes."""
    from ..errors import ParseError
    from ..pipeline import parse

    try:
        kind = sniff(data)
    except Exception:  # sniffing never should fail; a document still must not stop the batch
        kind = "text"
    media_type = MEDIA_TYPES.get(kind)
    try:
        report = parse(data, name=name)
    except ParseError as error:
        return ("failed", error.reason, media_type)
    except Exception as error:  # a parser bug is this document's failure, not the batch's
        return ("failed", f"internal error: {type(error).__name__}: {error}", media_type)
    dumps = json.dumps
    who = identify(report.agency) if report.agency and report.agency.strip() else None
    meta = {"source": name, "agency": report.agency, "agency_key": who.key if who else None,
            "year": report.year, "template": report.template, "hybrid": bool(report.hybrid),
            "title": report.title, "published": report.published,
            **finding_figures(report.findings),
            "agency_name": who.name if who else None, "region_code": who.region_code if who else None,
            "province": who.province if who else None, "city": who.city if who else None,
            "county": who.county if who else None, "township": who.township if who else None,
            "level": who.level if who else None,
            "sections": dumps(report.sections, ensure_ascii=False) if report.sections else None,
            **stat_values(report.shape, report.value),
            # a report JSON keeps its original's media type; the document stored is the JSON
            "media_type": media_type if kind == "json" else report.media_type or media_type}
    # column-wise, so that the writer builds the rows in C (zip) rather than a tuple per cell here
    values = tuple(report.cells.values())
    cells = (tuple(report.cells), [c.value for c in values], [type(c.value) is int for c in values],
             [c.status for c in values], [c.raw for c in values], [c.line for c in values],
             [dumps(c.locator, ensure_ascii=False, separators=(",", ":")) if c.locator else None
              for c in values], [c.rule for c in values], [c.note for c in values])
    findings = [(f.rule, f.severity, f.message, f.message_en,
                 dumps(f.cells, ensure_ascii=False) if f.cells else None,
                 dumps(f.values, ensure_ascii=False) if f.values else None, f.line, f.evidence)
                for f in report.findings]
    return ("ok", meta, cells, findings)


Work = list[tuple[bytes, str]]
Done = tuple[Parsed, bytes | None]  # the parse and the zlib-compressed source (None: not kept)


def parse_work(work: Work, keep_source: bool, on_parsed: Callable[[], None] | None = None) -> list[Done]:
    """Parse documents and compress their bytes for ``blobs``: a pure function of the bytes, so
    any engine's workers can run it without a database. ``on_parsed()`` after each document (the
    progress of an ingest moves per file, not per batch)."""
    done: list[Done] = []
    for data, name in work:
        done.append((parse_bytes(data, name),
                     zlib.compress(data, 6) if keep_source and len(data) <= MAX_BLOB_BYTES else None))
        if on_parsed is not None:
            on_parsed()
    return done

