"""A collection of reports in a database: ingest many files, query, export, check across years.

>>> from gongkai.store import open_store
>>> store = open_store("gongkai.db")                  # or "postgresql://user@host/db"
>>> result = store.ingest(["reports/", "more.zip"], workers=2)   # engine="ray" | "dask" too
>>> store.reports()                                   # pandas DataFrames from here on
>>> store.reports(frame="polars")                     # … or polars
>>> store.export("cells.parquet", format="parquet", form="long")
>>> store.export("tables/", format="xlsx", form="official")   # one workbook per report
>>> store.stats(by=("province", "level", "year")); store.across(); store.missing("淮安市")

Needs the ``store`` extra (SQLAlchemy 2, Alembic, psycopg 3, pandas, pyarrow, openpyxl).
Schema and its reasons: :mod:`gongkai.store.schema`; ingest guarantees: :mod:`gongkai.store.ingest`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError

from ..errors import GongkaiError
from . import across as _across
from . import export as _export
from . import stats as _stats
from .ingest import EngineError, IngestResult, agency_key, ensure_paths, template_paths, walk
from .transactions import writing

__all__ = ["EngineError", "IngestResult", "Store", "StoreError", "agency_key", "open_store", "walk"]

DEFAULT_URL = "./gongkai.db"
# Connections an engine keeps open (and opens more of, up to the overflow, under load). A web
# server process runs up to 40 requests at once: with SQLAlchemy's 5, PostgreSQL started a new
# backend process for every ~5 requests (issue 12's load test). 10 + 30 = 40 a process; mind
# PostgreSQL's max_connections (100 by default) over all processes of a server.
POOL_SIZE_ENV, MAX_OVERFLOW_ENV = "GONGKAI_DB_POOL_SIZE", "GONGKAI_DB_MAX_OVERFLOW"
POOL_SIZE, MAX_OVERFLOW = 10, 30


def _pool_setting(name: str, default: int, least: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdecimal()) or not least <= int(raw) <= 1000:  # 0 would mean no limit
        raise StoreError(f"{name}={raw!r}: expected a whole number from {least} to 1000")
    return int(raw)


class StoreError(GongkaiError):
    """The database cannot be opened or used; the message names it and says why."""


def database_url(url: str | Path) -> str:
    """A SQLAlchemy URL from a file path, ``sqlite:///…`` or ``postgresql://…`` (→ psycopg 3)."""
    url = str(url)
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" in url:
        return url
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def _sqlite_setup(engine: Engine) -> None:
    """WAL (readers do not block the writer), NORMAL sync (durable against a killed process; only
    power loss can lose the last commits), a long busy timeout for concurrent ingests, and
    pysqlite's own transaction handling off so that writers can ``BEGIN IMMEDIATE``."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 120000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # a write transaction takes the lock at BEGIN; upgrading a read lock later can fail at once
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


PING_IDLE_SECONDS = 10.0


def _ping_when_needed(engine: Engine, idle_seconds: float = PING_IDLE_SECONDS) -> None:
    """A pooled server connection is tested at checkout only when it may have died, instead of a
    round trip at every checkout (``pool_pre_ping``; a web page checked out two): when its socket
    has something to read — a server that restarts or ends the session says so and closes it,
    while an idle connection gets nothing — or when it sat unused for ``idle_seconds`` (a
    connection dropped silently on the way). A dead one is replaced at once: the pool retries the
    checkout with a new connection. (A server that dies between this check and the query fails
    that query, as it would after a pre-ping.)"""
    import select

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["gongkai_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("gongkai_idle_since", None)
        if since is None:  # a new connection
            return
        try:
            readable = bool(select.select([dbapi_connection.fileno()], [], [], 0)[0])
        except (OSError, ValueError, AttributeError):  # closed: no descriptor any more
            readable = True
        if not readable and time.monotonic() - since < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:  # whatever the driver raises for a dead connection
            raise DisconnectionError(f"pooled connection is gone: {error}") from error


class Store:
    """A database of parsed reports. Create with :func:`open_store`."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._path_ids: dict[str, int] = {}

    # -------------------------------------------------------------------- writing
    def _begin(self) -> AbstractContextManager[Connection]:
        return writing(self.engine)

    def ingest(self, paths: Iterable[str | Path], *, workers: int | None = None, reparse: bool = False,
               progress: bool = False, batch_size: int = 1000, engine: str = "local",
               address: str | None = None, keep_source: bool = True,
               on_progress: Callable[[int, int], None] | None = None) -> IngestResult:
        """Parse and store every document under ``paths`` (files, folders, zip archives).

        Stored documents (same sha256) are skipped; with ``reparse`` those stored by another
        parser version are parsed again. Failures are stored with their reason and never stop the
        run. ``workers``: parsing processes (default: one per CPU; ≤ 1 parses in this process).
        ``engine``: ``local`` processes, ``ray`` (Ray Data) or ``dask`` (dask.distributed), on the
        cluster at ``address`` or a local one. ``keep_source``: store the bytes in ``blobs``.
        Raises :class:`EngineError` when the engine cannot be used.
        """
        from .. import report as report_module  # PARSER_VERSION read at call time (tests bump it)
        from .ingest import ingest

        if not self._path_ids:
            with self._begin() as conn:
                ensure_paths(conn, template_paths(), self._path_ids)
        return ingest(self.engine, paths, workers=workers, reparse=reparse, progress=progress,
                      batch_size=batch_size, path_ids=self._path_ids, begin=self._begin,
                      version=report_module.PARSER_VERSION, parse_engine=engine, address=address,
                      keep_source=keep_source, on_progress=on_progress)

    # -------------------------------------------------------------------- reading
    # every frame: pandas by default, ``frame="polars"`` for polars
    def reports(self, *, frame: _export.FrameKind = "pandas") -> Any:
        """One row per report: metadata, agency identity, copied figures."""
        return _export.to_kind(_export.reports(self.engine), frame)

    def failures(self, *, frame: _export.FrameKind = "pandas") -> Any:
        """One row per failed document and path, with the reason."""
        return _export.to_kind(_export.failures(self.engine), frame)

    def cells_long(self, *, frame: _export.FrameKind = "pandas") -> Any:
        """One row per cell of every report (effective values), with status and provenance."""
        return _export.to_kind(_export.cells_long(self.engine), frame)

    def panel_wide(self, *, frame: _export.FrameKind = "pandas") -> Any:
        """One row per report, one column per cell (effective values)."""
        return _export.to_kind(_export.panel_wide(self.engine), frame)

    def report(self, sha256: str):  # type: ignore[no-untyped-def]
        """The stored :class:`gongkai.Report` of a document as parsed, or None."""
        return _export.report(self.engine, sha256)

    def source(self, document_id: int) -> bytes | None:
        """The stored source bytes of a document (None when not kept)."""
        import zlib

        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT codec, data FROM blobs WHERE document_id = :id"),
                               {"id": document_id}).first()
        if row is None:
            return None
        if row[0] != "zlib":
            raise StoreError(f"{self.name}: document {document_id} stored with unknown codec {row[0]!r}")
        return zlib.decompress(row[1])

    def cross_year(self, *, passing: bool = False, frame: _export.FrameKind = "pandas") -> Any:
        """X-CARRY, X-INFORCE and X-ITEMS findings between consecutive years of one agency
        (``passing``: the comparisons that hold too)."""
        return _export.to_kind(_across.cross_year(self.engine, passing=passing), frame)

    def across(self, *, rules: Iterable[str] = _across.RULES, threshold: float = _across.COPY_THRESHOLD,
               factor: float = _across.JUMP_FACTOR, frame: _export.FrameKind = "pandas") -> Any:
        """Findings across reports: X-CARRY, X-INFORCE, X-ITEMS, X-DUP, X-JUMP, X-COPY (``threshold``:
        the share of copied text, default 0.5), X-REGION (:mod:`gongkai.store.across`)."""
        return _export.to_kind(_across.across(self.engine, rules=rules, threshold=threshold,
                                              factor=factor), frame)

    def missing(self, region: str, years: Iterable[int] | None = None, *,
                frame: _export.FrameKind = "pandas") -> Any:
        """Units × years of a region (code or name): reports per unit and year, 0 = missing."""
        return _export.to_kind(_across.missing_matrix(self.engine, region, years), frame)

    def stats(self, by: Iterable[str] = _stats.DEFAULT_BY, *, rules: bool = True,
              frame: _export.FrameKind = "pandas") -> Any:
        """Per group (default province, level, year): reports, applications, outcome mix, 公开率,
        纠错率 of review and litigation, share failing each rule (:func:`gongkai.store.stats.stats`)."""
        return _export.to_kind(_stats.stats(self.engine, tuple(by), rules=rules), frame)

    def export(self, target: str | Path, *, format: _export.ExportFormat = "csv",
               form: _export.Form = "long") -> Path:
        """Write the long form (one row per cell), the wide panel (one row per report), or with
        ``form="official"`` and ``format="xlsx"`` one workbook per report into the folder
        ``target``, one sheet per table laid out like the official template."""
        if form == "official":
            if format != "xlsx":
                raise ValueError("the official tables are written as xlsx only (--format xlsx)")
            folder = Path(target)
            _export.write_official(self.engine, folder)
            return folder
        frame = self.cells_long() if form == "long" else self.panel_wide()
        return _export.write(frame, Path(target), format)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _migrate(connection: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files(__package__) / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def open_store(url: str | Path = DEFAULT_URL) -> Store:
    """Open (creating and migrating to the latest schema) the store at a path or URL.

    Raises :class:`StoreError` naming the database when it is not a usable gongkai store (a
    corrupt or foreign SQLite file, an unreachable server).
    """
    full = database_url(url)
    parsed = make_url(full)
    name = parsed.database if parsed.get_backend_name() == "sqlite" else parsed.render_as_string()
    engine = create_engine(full, pool_size=_pool_setting(POOL_SIZE_ENV, POOL_SIZE, 1),
                           max_overflow=_pool_setting(MAX_OVERFLOW_ENV, MAX_OVERFLOW, 0))
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    else:
        _ping_when_needed(engine)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA schema_version").scalar()  # fails on a non-database
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # two ingests opening a new database at once must not both create the tables
                conn.execute(text("SELECT pg_advisory_xact_lock(7311)"))
            _migrate(conn)
    except (DatabaseError, OperationalError) as error:
        engine.dispose()
        reason = str(error.orig) if getattr(error, "orig", None) else str(error)
        raise StoreError(f"{name}: cannot open the gongkai database: {reason}") from None
    return Store(engine, str(name))
