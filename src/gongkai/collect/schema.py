"""The collector's tables (revision 0006), beside the store's own and linked to them by sha256.

* ``collect_runs`` — one row per collection run. A run left unfinished (killed) is resumed by the
  next ``gongkai collect``: what it already fetched is not fetched again. A finished run makes the
  next one a new run, which revisits every known URL with conditional GETs.
* ``collect_sites`` — the seed URLs (one annual-report column per unit) and the unit's name.
* ``collect_hosts`` — robots.txt per host (``netloc``), fetched once per run.
* ``collect_urls`` — the frontier: every URL met (list page, report page or file), how it was
  found (referrer, anchor text, the date printed beside the link), its HTTP validators (ETag,
  Last-Modified) for conditional GETs, and the run that last finished it (``done_run``). A URL is
  pending in run R while ``done_run`` < R, so starting a new run is free, and a resumed run skips
  what it already did. A fetch is recorded in ONE transaction with the links it yielded, so a
  kill loses at most the requests in flight.
* ``collect_documents`` — every version of every collected document (report page or attachment):
  URL, referring page, title, publication date as the page states it (and where it was read),
  HTTP date headers, fetched-at, sha256, the raw bytes (zlib; dropped once the store keeps them
  in ``blobs``) and the previous version of the same URL (``previous_id``). ``ingest`` says
  whether it was handed to the store (``pending`` | ``done`` | ``skip``: a wrapper page whose report is
  its attachment).
* ``collect_failures`` — every failure that ended a URL in a run (after retries): URL, referrer,
  reason, HTTP status.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..store.schema import NAMING

METADATA = MetaData(naming_convention=NAMING)

runs = Table(
    "collect_runs", METADATA,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("options", Text),  # JSON: the politeness settings the run used
)

sites = Table(
    "collect_sites", METADATA,
    Column("id", Integer, primary_key=True),
    Column("seed_url", Text, nullable=False, unique=True),
    Column("unit", Text),
    Column("added_at", DateTime, nullable=False),
)

hosts = Table(
    "collect_hosts", METADATA,
    Column("host", String(255), primary_key=True),
    Column("robots", Text),  # the robots.txt body (None: none, or unreachable)
    Column("robots_status", Integer),  # HTTP status; 0: unreachable
    Column("robots_run", Integer),
    Column("robots_fetched_at", DateTime),
)

urls = Table(
    "collect_urls", METADATA,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("site_id", Integer, ForeignKey("collect_sites.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),  # list | page | file
    Column("depth", Integer, nullable=False),
    Column("referrer", Text),
    Column("anchor", Text),  # the link's text (or title attribute)
    Column("hint_date", String(10)),  # the date the referrer printed beside the link (or its own)
    Column("hint_source", String(16)),
    Column("first_run", Integer, nullable=False),
    Column("done_run", Integer),
    Column("state", String(9), nullable=False),  # pending | done | failed | forbidden
    Column("http_status", Integer),
    Column("error", Text),
    Column("final_url", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("fingerprint", String(64)),  # of the latest version stored (pages: of their text)
    Column("fetched_at", DateTime),
    Index("ix_collect_urls_pending", "done_run", "state"),
    Index("ix_collect_urls_site", "site_id", "kind"),
)

documents = Table(
    "collect_documents", METADATA,
    Column("id", Integer, primary_key=True),
    Column("url_id", Integer, ForeignKey("collect_urls.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("previous_id", Integer, ForeignKey("collect_documents.id")),
    Column("run", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("final_url", Text),
    Column("referrer", Text),
    Column("kind", String(8), nullable=False),  # page | file
    Column("title", Text),
    Column("year", Integer),  # the year the title names
    Column("published", String(10)),  # YYYY-MM-DD as the page states it (None: it states none)
    Column("published_source", String(16)),  # meta | text | url | list | page
    Column("dates", Text),  # JSON: every date found, by source
    Column("http_date", Text),
    Column("last_modified", Text),
    Column("etag", Text),
    Column("content_type", Text),
    Column("fetched_at", DateTime, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("body", LargeBinary),  # zlib; None once the store keeps the bytes (blobs)
    Column("ingest", String(8), nullable=False),  # pending | done | skip
    Column("ingest_note", Text),
    Column("ingested_at", DateTime),
    UniqueConstraint("url_id", "version", name="uq_collect_documents_url_version"),
    Index("ix_collect_documents_sha256", "sha256"),
    Index("ix_collect_documents_ingest", "ingest", "id"),
)

failures = Table(
    "collect_failures", METADATA,
    Column("id", Integer, primary_key=True),
    Column("run", Integer, nullable=False),
    Column("url_id", Integer, ForeignKey("collect_urls.id", ondelete="CASCADE")),
    Column("url", Text, nullable=False),
    Column("referrer", Text),
    Column("kind", String(8)),
    Column("http_status", Integer),
    Column("reason", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_collect_failures_run", "run", "id"),
)
