"""What the collector knows, for the command line and the web app: the collected documents with
their source URL, publication date and versions; the failures; timeliness against the legal
deadline.

The web app can call :func:`collected` (one row per collected document; ``document_id`` is the
store's report id, ``previous_document_id`` the report it replaces) and :func:`failures`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect

if TYPE_CHECKING:
    import pandas as pd


_COLLECTED = """
SELECT c.id, c.url, c.referrer, s.unit, c.kind, c.title, c.year AS title_year, c.published,
       c.published_source, c.http_date, c.last_modified, c.fetched_at, c.version, c.previous_id,
       c.sha256, c.size, c.ingest, c.ingest_note, d.id AS document_id, d.status AS document_status,
       d.error AS document_error, r.agency, r.agency_name, r.year AS report_year, r.level,
       r.region_code, pd.id AS previous_document_id
FROM collect_documents c
JOIN collect_urls u ON u.id = c.url_id
JOIN collect_sites s ON s.id = u.site_id
LEFT JOIN documents d ON d.sha256 = c.sha256 OR (c.kind = 'file' AND d.id IN (
    SELECT m.document_id FROM sources m WHERE substr(m.path, 1, length(c.url) + 2) = c.url || '!/'))
LEFT JOIN reports r ON r.document_id = d.id
LEFT JOIN collect_documents p ON p.id = c.previous_id
LEFT JOIN documents pd ON pd.sha256 = p.sha256
{where}
ORDER BY c.id
"""


def available(engine: Engine) -> bool:
    """The database has the collector's tables (revision 0006)."""
    return inspect(engine).has_table("collect_documents")


def collected(engine: Engine, *, latest: bool = True) -> pd.DataFrame:
    """One row per collected document and report (a zip: one per member; ``latest``: only each
    URL's newest version), with its URL,
    referring page, unit, title, publication date as the page states it and where that was read,
    HTTP dates, version and the version it replaces, and the store's report (id, agency, year)."""
    from ..store.export import frame_of

    where = ("WHERE c.version = (SELECT MAX(v.version) FROM collect_documents v WHERE v.url_id = c.url_id)"
             if latest else "")
    return frame_of(engine, _COLLECTED.format(where=where))


def failures(engine: Engine, *, current: bool = True) -> pd.DataFrame:
    """The URLs that failed (``current``: as they stand after the latest run that tried them;
    else every failure of every run): URL, referrer, kind, HTTP status, reason, when."""
    from ..store.export import frame_of

    if current:
        return frame_of(engine, "SELECT u.url, u.referrer, u.kind, u.state, u.http_status, "
                                "u.error AS reason, "
                                "u.fetched_at AS at, u.done_run AS run FROM collect_urls u "
                                "WHERE u.state IN ('failed', 'forbidden') ORDER BY u.id")
    return frame_of(engine, "SELECT f.run, f.url, f.referrer, f.kind, f.http_status, f.reason, f.at "
                            "FROM collect_failures f ORDER BY f.id")


def deadline(level: str | None, year: int | None) -> date | None:
    """The legal publication deadline of a report on ``year`` by a unit of ``level`` (None: the
    regulation names none for that level, or the level or year is unknown). The deadlines are
    data in template.yaml (``deadlines:``), shared with the checker's C-LATE."""
    from ..template import TEMPLATE

    return TEMPLATE.deadline(level, year)


def timeliness(engine: Engine) -> pd.DataFrame:
    """Per collected report (latest versions, parsed): publication date, deadline and whether it
    was late (None when either date is unknown: never guessed)."""
    frame = collected(engine)
    frame = frame[frame["document_id"].notna() & frame["report_year"].notna()].copy()
    deadlines = [deadline(level, int(year)) for level, year in zip(frame["level"], frame["report_year"],
                                                                    strict=True)]
    frame["deadline"] = [d.isoformat() if d else None for d in deadlines]
    frame["late"] = [None if not (p and d) else date.fromisoformat(p) > d
                     for p, d in zip(frame["published"], deadlines, strict=True)]
    return frame[["url", "unit", "agency", "level", "report_year", "published", "published_source",
                  "deadline", "late", "document_id"]].reset_index(drop=True)
