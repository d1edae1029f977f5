"""The persistent crawl state: runs, sites, robots.txt, the frontier and the collected documents.

Every outcome of a request is written in ONE transaction together with what it yielded (the
document version, the links found), so a ``kill -9`` at any moment loses at most the requests in
flight: the next run finds their URLs still pending and fetches them, and nothing recorded is
fetched again within the run (see :mod:`gongkai.collect.schema`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, or_, select, text, update

from .schema import documents, failures, hosts, runs, sites, urls

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

KINDS = ("list", "page", "file")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(slots=True)
class UrlRow:
    """A URL to fetch in this run, with what is known of it."""

    id: int
    url: str
    site_id: int
    kind: str
    depth: int
    referrer: str | None
    anchor: str | None
    hint_date: str | None
    hint_source: str | None
    etag: str | None
    last_modified: str | None
    fingerprint: str | None


@dataclass(slots=True)
class Child:
    """A link found on a fetched page, to add to the frontier."""

    url: str
    kind: str
    anchor: str | None = None
    hint_date: str | None = None
    hint_source: str | None = None


@dataclass(slots=True)
class NewDocument:
    kind: str  # page | file
    body: bytes
    sha256: str
    fingerprint: str
    title: str | None
    year: int | None
    published: str | None
    published_source: str | None
    dates: dict[str, str]
    content_type: str | None
    ingest: str  # pending | skip
    ingest_note: str | None = None


_URL_COLUMNS = (urls.c.id, urls.c.url, urls.c.site_id, urls.c.kind, urls.c.depth, urls.c.referrer,
                urls.c.anchor, urls.c.hint_date, urls.c.hint_source, urls.c.etag, urls.c.last_modified,
                urls.c.fingerprint)


def _insert(conn: Connection) -> Callable[[Any], PostgresInsert | SqliteInsert]:
    """The dialect's INSERT (both have the ON CONFLICT calls used here)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert
        return postgres_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert


class State:
    """The collector's tables in a store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def begin(self) -> AbstractContextManager[Connection]:
        """A write transaction (SQLite: taking the write lock at BEGIN, as the store does)."""
        if self.engine.dialect.name == "sqlite":
            return self.engine.execution_options(sqlite_begin="IMMEDIATE").begin()
        return self.engine.begin()

    # ------------------------------------------------------------------------- runs and sites
    def begin_run(self, options: dict[str, Any]) -> tuple[int, bool]:
        """The run to work in: the last one if it was left unfinished (resumed), else a new one."""
        with self.begin() as conn:
            last = conn.execute(select(runs.c.id, runs.c.finished_at)
                                .order_by(runs.c.id.desc()).limit(1)).first()
            if last is not None and last.finished_at is None:
                return last.id, True
            run_id = conn.execute(runs.insert().values(started_at=now(), options=json.dumps(options))
                                  .returning(runs.c.id)).scalar_one()
            return run_id, False

    def finish_run(self, run_id: int) -> None:
        with self.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(finished_at=now()))

    def add_sites(self, seeds: Iterable[tuple[str, str | None]], run_id: int) -> dict[str, int]:
        """Record the seeds (column URL, unit) and put each in the frontier as a list page."""
        seeds = list(seeds)
        with self.begin() as conn:
            insert = _insert(conn)
            for seed, unit in seeds:
                conn.execute(insert(sites).values(seed_url=seed, unit=unit, added_at=now())
                             .on_conflict_do_nothing(index_elements=["seed_url"]))
                if unit:
                    conn.execute(update(sites).where(sites.c.seed_url == seed, sites.c.unit.is_(None))
                                 .values(unit=unit))
            wanted = [s for s, _ in seeds]
            ids = dict(conn.execute(select(sites.c.seed_url, sites.c.id)
                                    .where(sites.c.seed_url.in_(wanted))).all()) if seeds else {}
            for seed, _ in seeds:
                conn.execute(insert(urls).values(url=seed, site_id=ids[seed], kind="list", depth=0,
                                                 first_run=run_id, state="pending")
                             .on_conflict_do_nothing(index_elements=["url"]))
        return ids

    def sites(self) -> dict[int, tuple[str, str | None]]:
        with self.engine.connect() as conn:
            return {row.id: (row.seed_url, row.unit)
                    for row in conn.execute(select(sites.c.id, sites.c.seed_url, sites.c.unit))}

    def list_urls(self) -> dict[str, int]:
        """Every list page known, with its site (the cap on a column's pages counts them)."""
        with self.engine.connect() as conn:
            return dict(conn.execute(select(urls.c.url, urls.c.site_id).where(urls.c.kind == "list")).all())

    def pending(self, run_id: int) -> list[UrlRow]:
        """Every URL not yet finished in this run, list pages first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_URL_COLUMNS)
                                .where(or_(urls.c.done_run.is_(None), urls.c.done_run < run_id))
                                .order_by(urls.c.depth, urls.c.id)).all()
        return [UrlRow(*tuple(row)) for row in rows]

    # ------------------------------------------------------------------------- robots.txt
    def robots(self, host: str, run_id: int) -> tuple[int, str | None] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(hosts.c.robots_status, hosts.c.robots)
                               .where(hosts.c.host == host, hosts.c.robots_run == run_id)).first()
        return (row[0], row[1]) if row is not None else None

    def save_robots(self, host: str, run_id: int, status: int, body: str | None) -> None:
        with self.begin() as conn:
            values = {"robots": body, "robots_status": status, "robots_run": run_id,
                      "robots_fetched_at": now()}
            insert = _insert(conn)
            conn.execute(insert(hosts).values(host=host, **values)
                         .on_conflict_do_update(index_elements=["host"], set_=values))

    # ------------------------------------------------------------------------- outcomes
    def record(self, row: UrlRow, run_id: int, *, status: int, final_url: str | None,
               headers: dict[str, str], document: NewDocument | None = None,
               children: Iterable[tuple[Child, int]] = ()) -> tuple[list[UrlRow], int | None]:
        """A fetched URL (200 or 304): its validators, the document version it yields (None when
        its content did not change), and its links (``(child, depth)``), in one transaction.
        Returns the links still to fetch in this run and the new document's id."""
        fetched = now()
        children = list(children)
        with self.begin() as conn:
            doc_id = None
            values: dict[str, Any] = {"state": "done", "done_run": run_id, "http_status": status,
                                      "error": None, "fetched_at": fetched}
            if status != 304:
                values.update(final_url=final_url, etag=headers.get("etag"),
                              last_modified=headers.get("last-modified"))
            if document is not None and document.fingerprint != row.fingerprint:
                doc_id = self._add_version(conn, row, run_id, final_url, headers, document, fetched)
                values["fingerprint"] = document.fingerprint
            conn.execute(update(urls).where(urls.c.id == row.id).values(**values))
            todo = self._add_children(conn, row, run_id, children) if children else []
        return todo, doc_id

    def _add_version(self, conn: Connection, row: UrlRow, run_id: int, final_url: str | None,
                     headers: dict[str, str], document: NewDocument, fetched: datetime) -> int:
        previous = conn.execute(select(documents.c.id, documents.c.version)
                                .where(documents.c.url_id == row.id)
                                .order_by(documents.c.version.desc()).limit(1)).first()
        return conn.execute(documents.insert().values(
            url_id=row.id, version=(previous.version + 1) if previous else 1,
            previous_id=previous.id if previous else None, run=run_id, url=row.url, final_url=final_url,
            referrer=row.referrer, kind=document.kind, title=document.title, year=document.year,
            published=document.published, published_source=document.published_source,
            dates=json.dumps(document.dates, ensure_ascii=False) if document.dates else None,
            http_date=headers.get("date"), last_modified=headers.get("last-modified"),
            etag=headers.get("etag"), content_type=document.content_type, fetched_at=fetched,
            sha256=document.sha256, size=len(document.body), body=zlib.compress(document.body, 6),
            ingest=document.ingest, ingest_note=document.ingest_note,
        ).returning(documents.c.id)).scalar_one()

    def _add_children(self, conn: Connection, row: UrlRow, run_id: int,
                      children: list[tuple[Child, int]]) -> list[UrlRow]:
        insert = _insert(conn)
        conn.execute(insert(urls).on_conflict_do_nothing(index_elements=["url"]), [
            {"url": child.url, "site_id": row.site_id, "kind": child.kind, "depth": depth,
             "referrer": row.url, "anchor": child.anchor, "hint_date": child.hint_date,
             "hint_source": child.hint_source, "first_run": run_id, "state": "pending"}
            for child, depth in children])
        found: list[UrlRow] = []
        wanted = list(dict.fromkeys(child.url for child, _ in children))
        for start in range(0, len(wanted), 500):
            found += [UrlRow(*tuple(r)) for r in conn.execute(
                select(*_URL_COLUMNS).where(urls.c.url.in_(wanted[start:start + 500]),
                                            or_(urls.c.done_run.is_(None), urls.c.done_run < run_id)))]
        return found

    def fail(self, row: UrlRow, run_id: int, reason: str, *, status: int | None = None,
             forbidden: bool = False) -> None:
        """A URL that could not be fetched in this run (after its retries), with the reason."""
        with self.begin() as conn:
            conn.execute(update(urls).where(urls.c.id == row.id).values(
                state="forbidden" if forbidden else "failed", done_run=run_id, http_status=status,
                error=reason, fetched_at=now()))
            conn.execute(failures.insert().values(run=run_id, url_id=row.id, url=row.url,
                                                  referrer=row.referrer, kind=row.kind, http_status=status,
                                                  reason=reason, at=now()))

    # ------------------------------------------------------------------------- ingest hand-over
    def to_ingest(self, limit: int) -> list[tuple[int, str, str, bytes, str | None]]:
        """Documents not yet handed to the store: (id, url, sha256, bytes, content type)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(documents.c.id, documents.c.url, documents.c.sha256, documents.c.body,
                                       documents.c.content_type)
                                .where(documents.c.ingest == "pending").order_by(documents.c.id)
                                .limit(limit)).all()
        return [(r.id, r.url, r.sha256, zlib.decompress(r.body), r.content_type) for r in rows]

    def ingested(self, ids: list[int]) -> None:
        """Mark documents handed to the store; give their reports the page's publication date
        and the URL as their source; drop our copy of bytes the store now keeps (``blobs``)."""
        if not ids:
            return
        with self.begin() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                conn.execute(update(documents).where(documents.c.id.in_(chunk))
                             .values(ingest="done", ingested_at=now()))
                rows = conn.execute(select(documents.c.id, documents.c.url, documents.c.sha256,
                                           documents.c.published).where(documents.c.id.in_(chunk))).all()
                for row in rows:
                    params = {"url": row.url, "sha": row.sha256, "members": row.url + "!/",
                              "n": len(row.url) + 2,
                              "published": row.published}
                    if row.published:
                        # the report (or, for a zip, its members' reports) takes the date the page states
                        conn.execute(text(
                            "UPDATE reports SET published = :published WHERE document_id IN (SELECT id "
                            "FROM documents WHERE sha256 = :sha) OR document_id IN (SELECT document_id "
                            "FROM sources WHERE substr(path, 1, :n) = :members)"), params)
                    conn.execute(text("UPDATE collect_documents SET body = NULL WHERE id = :id "
                                               "AND EXISTS (SELECT 1 FROM documents d JOIN blobs b ON "
                                               "b.document_id = d.id WHERE d.sha256 = :sha)"),
                                 {"id": row.id, "sha": row.sha256})

    def body(self, document_id: int) -> bytes | None:
        """A collected document's bytes: ours, or the store's copy once handed over."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents.c.body, documents.c.sha256)
                               .where(documents.c.id == document_id)).first()
            if row is None:
                return None
            if row.body is not None:
                return zlib.decompress(row.body)
            blob = conn.execute(text("SELECT b.data FROM blobs b JOIN documents d ON "
                                              "d.id = b.document_id WHERE d.sha256 = :sha"),
                                {"sha": row.sha256}).first()
        return zlib.decompress(blob[0]) if blob is not None else None

