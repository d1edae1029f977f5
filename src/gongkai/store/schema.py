"""The store's tables (SQLAlchemy 2 models). Alembic revisions in ``migrations/`` create them.

The tables, and why:

* ``documents`` — one row per distinct file content, keyed by the sha256 of its bytes, so the
  same report found twice (in a folder and in a zip, or under two names) is parsed and stored
  once. ``status`` is ``parsed`` or ``failed`` (then ``error`` says why). ``batch`` is the token of
  the ingest transaction that last wrote the row: after ``INSERT … ON CONFLICT DO NOTHING`` it
  tells a writer which documents are its own when two ingests run at once.
* ``sources`` — every path a document was seen under (``archive.zip!/member`` for zip members).
* ``reports`` — one per parsed document (primary key = ``documents.id``). ``agency_key`` links
  one agency across years (:mod:`gongkai.agency`). ``received`` … ``litigation_corrected`` copy
  twelve figures (effective values) so that ``stats`` over millions of reports is one scan of the
  covering index ``ix_reports_stats``; a correction must refresh them
  (:func:`gongkai.store.stats.refresh_stats`).
* ``cell_paths`` — the dotted cell paths, so ``cells`` stores a small integer instead of a
  40-byte string 200 times per report.
* ``cells`` — every template cell (value, status, raw, line, locator, rule, note); the primary
  key (report_id, path_id) is the clustered key (SQLite ``WITHOUT ROWID``), so a report's cells
  are contiguous. Values are REAL/double; ``is_int`` says the parser's value was an ``int``.
* ``findings`` — every finding of the checker, in order (``seq``).

Layers over the parse (revision 0002), none of which a re-parse touches:

* ``corrections`` — the audit trail of manual corrections: every change of a cell, with who,
  when, why, the value before and after. The newest row per (report_id, path_id) is the cell's
  effective value; older rows stay as history. Keyed by the document, which a re-parse keeps.
* ``reviews`` — a reviewer's decision on a finding (``confirmed`` / ``dismissed``), matched to the
  finding by rule and its cells (``finding_key``), not by its position, so it survives a re-parse.
* ``users`` — web accounts: argon2 password hash and a role (viewer / reviewer / admin).
* ``blobs`` — the source bytes of a document (zlib), kept so the web app can show a cell in its
  source after the original file is gone.
* ``reports.agency_name`` … ``level`` — the agency identity (normalised name, administrative
  division code and names, level 省/市/县/乡镇/部门; :mod:`gongkai.agency`).

Revision 0003 (collections): ``reports.sections`` (the prose of sections 一…六, for the
copied-text check), ``reports.failed_rules`` and eight more copied figures (outcome groups, table
4's corrected counts) in the covering index ``ix_reports_stats``, now led by province, level and
year: ``stats`` reads that index alone, in its order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Fixed constraint names: Alembic migrations on both SQLite and PostgreSQL need to name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(8))  # parsed | failed
    error: Mapped[str | None] = mapped_column(Text)
    parser_version: Mapped[str] = mapped_column(String(32))
    batch: Mapped[str] = mapped_column(String(32))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_documents_status", "status", "parser_version"),)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("document_id", "path", name="uq_sources_document_path"),)


class ReportRow(Base):
    __tablename__ = "reports"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False)
    source: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    agency_key: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    template: Mapped[str | None] = mapped_column(String(8))
    hybrid: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    parser_version: Mapped[str] = mapped_column(String(32))
    n_errors: Mapped[int] = mapped_column(Integer)
    n_warnings: Mapped[int] = mapped_column(Integer)
    received: Mapped[float | None] = mapped_column(Float)  # applications.new_received.total
    granted: Mapped[float | None] = mapped_column(Float)  # applications.granted.total  (一)
    partly_granted: Mapped[float | None] = mapped_column(Float)  # applications.partly_granted.total (二)
    results_total: Mapped[float | None] = mapped_column(Float)  # applications.total.total  (七)
    # agency identity (revision 0002)
    agency_name: Mapped[str | None] = mapped_column(Text)  # normalised full name
    region_code: Mapped[str | None] = mapped_column(String(12))  # administrative division code
    province: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(Text)
    level: Mapped[str | None] = mapped_column(String(8))  # 省 | 市 | 县 | 乡镇 | 部门
    # revision 0003: the sections' text (JSON: section key → text) for the copied-text check, and
    # more copied cells: outcome groups of table 3 (total column) and table 4's corrected counts
    sections: Mapped[str | None] = mapped_column(Text)
    # the rules with an error or warning, sorted, comma-separated ("T3-BALANCE,T3-ROWSUM"): the
    # share failing each rule is then counted from the covering index, without a join to findings
    failed_rules: Mapped[str | None] = mapped_column(Text)
    denied: Mapped[float | None] = mapped_column(Float)  # (三) 不予公开, its rows summed
    unable: Mapped[float | None] = mapped_column(Float)  # (四) 无法提供
    unprocessed: Mapped[float | None] = mapped_column(Float)  # (五) 不予处理
    other_handled: Mapped[float | None] = mapped_column(Float)  # (六) 其他处理
    review_total: Mapped[float | None] = mapped_column(Float)  # review_litigation.review.total
    review_corrected: Mapped[float | None] = mapped_column(Float)  # review_litigation.review.corrected
    litigation_total: Mapped[float | None] = mapped_column(Float)  # both litigation groups' totals
    litigation_corrected: Mapped[float | None] = mapped_column(Float)  # both groups' corrected

    __table_args__ = (
        # covering index (revision 0003): `stats` by province, level and year reads nothing else,
        # in index order, so it never touches the table nor sorts
        Index("ix_reports_stats", "province", "level", "year", "failed_rules", "template", "received",
              "granted", "partly_granted", "denied", "unable", "unprocessed", "other_handled",
              "results_total", "review_total", "review_corrected", "litigation_total",
              "litigation_corrected", "n_errors"),
        Index("ix_reports_agency", "agency_key", "year"),
        # the web app's report list (revision 0004): keyset pages in id order under one filter,
        # and a narrow copy of every filtered column to scan instead of the wide rows
        Index("ix_reports_year_id", "year", "document_id"),
        Index("ix_reports_template_id", "template", "document_id"),
        Index("ix_reports_errors_id", "n_errors", "document_id"),
        Index("ix_reports_list", "document_id", "n_errors", "template", "year", "level", "region_code",
              "province", "city", "county", "agency", "agency_name"),
        Index("ix_reports_region", "region_code", "level", "year"),
    )


class CellPath(Base):
    __tablename__ = "cell_paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(100), unique=True)


class Cell(Base):
    __tablename__ = "cells"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.document_id", ondelete="CASCADE"),
                                           primary_key=True, autoincrement=False)
    path_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    value: Mapped[float | None] = mapped_column(Float)
    is_int: Mapped[bool] = mapped_column(Boolean)  # the parser gave an int (doubles lose the type)
    status: Mapped[str] = mapped_column(String(8))
    raw: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    locator: Mapped[str | None] = mapped_column(Text)  # JSON
    rule: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = ({"sqlite_with_rowid": False},)


class FindingRow(Base):
    __tablename__ = "findings"

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.document_id", ondelete="CASCADE"),
                                           primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    cells: Mapped[str | None] = mapped_column(Text)  # JSON list
    values: Mapped[str | None] = mapped_column(Text)  # JSON object
    line: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # `stats`: share of reports failing each rule = distinct report_id per rule
        Index("ix_findings_rule", "rule", "severity", "report_id"),
        {"sqlite_with_rowid": False},
    )


class _PersonsDecision:
    """What a person's decision on a report carries, a correction or a review alike: the document
    it is about (which a re-parse keeps: revision 0005; no cascade, the rows are append-only),
    who, why and when. The web app's audit log reads both through these columns. ``sort_order``
    keeps the columns where the migrations put them: id and report_id first, the signature last."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    report_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), sort_order=-1)
    author: Mapped[str] = mapped_column(String(100), sort_order=1)
    reason: Mapped[str] = mapped_column(Text, sort_order=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, sort_order=1)


class Correction(_PersonsDecision, Base):
    __tablename__ = "corrections"

    path_id: Mapped[int] = mapped_column(SmallInteger)
    old_value: Mapped[float | None] = mapped_column(Float)
    old_status: Mapped[str | None] = mapped_column(String(9))
    value: Mapped[float | None] = mapped_column(Float)  # None: the cell is blank in truth

    __table_args__ = (Index("ix_corrections_cell", "report_id", "path_id", "id"),)


class Review(_PersonsDecision, Base):
    __tablename__ = "reviews"

    finding_key: Mapped[str] = mapped_column(Text)  # rule + sorted cells: stable across re-parses
    decision: Mapped[str] = mapped_column(String(9))  # confirmed | dismissed

    __table_args__ = (Index("ix_reviews_finding", "report_id", "finding_key", "id"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(8))  # viewer | reviewer | admin
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Blob(Base):
    __tablename__ = "blobs"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False)
    codec: Mapped[str] = mapped_column(String(8))  # zlib
    data: Mapped[bytes] = mapped_column(LargeBinary)


class WebSetting(Base):
    """The web app's settings (revision 0004), such as the key that signs session cookies."""

    __tablename__ = "web_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """One accountable act (revision 0005), append-only: who did what to which report or account."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))  # a user name, or "cli" / "ingest"
    action: Mapped[str] = mapped_column(String(32))  # correction | review | user.add | … | reparse
    report_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(Text)  # the cell path, finding key or account name
    detail: Mapped[str | None] = mapped_column(Text)  # JSON

    __table_args__ = (Index("ix_audit_events_report", "report_id", "id"),)


class WebSession(Base):
    """A logged-in session (revision 0005); the cookie carries the token, this row its sha256."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    seen_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_web_sessions_user", "user_id", "revoked_at"),)


class RosterUnit(Base):
    """A unit that must publish a report (revision 0007, :mod:`gongkai.store.roster`): imported
    from a list or made from the division table. ``agency_key`` is the key its reports are stored
    under (:func:`gongkai.agency.identify`), so the missing-reports matrix joins on it."""

    __tablename__ = "roster_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)  # as given
    agency_name: Mapped[str] = mapped_column(Text)  # normalised full name
    region_code: Mapped[str | None] = mapped_column(String(12))
    level: Mapped[str | None] = mapped_column(String(8))
    parent: Mapped[str | None] = mapped_column(Text)
    site_url: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # import | divisions
    added_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_roster_units_region", "region_code", "level"),)


class LoginFailure(Base):
    """A failed login (revision 0008): the login throttle counts these per account and per client
    address, so that every process of a server (``gongkai serve --workers N``) sees the same
    count; ``scope`` names the server run whose processes share them. Rows older than the
    throttle's window are deleted."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))  # account | address
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_login_failures_key", "scope", "kind", "key", "at"),
                      Index("ix_login_failures_at", "at"))


class UploadJobRow(Base):
    """An upload being parsed by the web app's background worker (revision 0008): its progress
    and results, readable by every process of the server. ``detail`` is JSON (file names as
    uploaded, saved paths, refused files, results); ``worker`` is host:pid of the process that
    parses it."""

    __tablename__ = "upload_jobs"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner: Mapped[int] = mapped_column(Integer)
    folder: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8))  # queued | running | done | failed
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(100))
    started: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_upload_jobs_state", "state", "started"),)


# tables no statement may UPDATE or DELETE (triggers, revision 0005)
APPEND_ONLY = ("corrections", "reviews", "audit_events")

METADATA = Base.metadata
