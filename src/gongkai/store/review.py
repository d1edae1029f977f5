"""The review layer over a parse: corrections with their audit trail, decisions on findings, accounts.

Nothing here touches what the parser wrote (``cells``, ``findings``): a re-parse replaces those
and keeps every correction and decision, because both are keyed by the document.

* A cell's effective value is the newest ``corrections`` row for (report, cell) by id; its status
  is then ``corrected``. Older rows are the audit trail.
* A decision on a finding (``confirmed`` / ``dismissed``) is keyed by :func:`finding_key` (rule and
  sorted cells), so it still applies to the same finding after a re-parse.
* A correction refreshes the figures ``reports`` copies for statistics
  (:func:`gongkai.store.stats.refresh_stats`) in the same transaction.
* :func:`effective_report` rebuilds the report with corrections applied and, when a report has
  corrections, re-runs the checker on the corrected cells.
* ``corrections``, ``reviews`` and ``audit_events`` are append-only (triggers, revision 0005) and
  keyed by the document: no re-parse, re-ingest, migration or engine deletes them. After a re-parse
  :func:`recompute_effective` puts the corrected values back into the copied figures.
* Every correction, decision and account change is also an ``audit_events`` row (who, when, what).

>>> from gongkai.store import open_store
>>> from gongkai.store import review
>>> store = open_store("gongkai.db")
>>> review.add_user(store.engine, "王审核", "secret-pass", role="reviewer")
>>> review.correct(store.engine, 12, "applications.granted.total", 7, author="王审核", reason="见原文第3页")
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    BindParameter,
    Connection,
    Engine,
    Integer,
    Row,
    bindparam,
    func,
    insert,
    select,
    update,
)

from ..errors import GongkaiError
from ..report import CellValue, Finding, Report, Status
from ..template import TEMPLATE
from .schema import (
    AuditEvent,
    Cell,
    CellPath,
    Correction,
    Document,
    FindingRow,
    ReportRow,
    Review,
    User,
    WebSession,
)
from .stats import finding_figures, refresh_stats
from .transactions import writing

__all__ = ["DECISIONS", "ROLES", "CorrectionRecord", "ReviewError", "ReviewRecord", "UserRecord",
           "add_user", "audit", "authenticate", "correct", "corrections", "decide", "effective_report",
           "finding_key", "get_user", "latest_decisions", "recompute_effective", "set_active",
           "set_password", "users"]

Role = Literal["viewer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")
DECISIONS = ("confirmed", "dismissed")
CORRECTED = "corrected"  # the status a corrected cell is shown with
MAX_REASON = 2000
MAX_KEY = 2000  # a finding key: rule and cell paths
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length; a megabyte "password" is only a way to burn CPU
# the rules the checker (gongkai.check) emits; other findings (P-ALIGN, P-SPLIT, …) come from the
# extractor and stay as parsed when the corrected cells are checked again
CHECKER_RULES = frozenset(rule.id for rule in TEMPLATE.rules)
# rules the checker can only evaluate with the report's text sections
NEEDS_SECTIONS = frozenset({"S-SECTIONS", "C-TEXT"})


class ReviewError(GongkaiError, ValueError):
    """A correction, decision or account that cannot be made; the message says why (in Chinese,
    it is shown to the reviewer as is)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _no_nul(text: str, what: str) -> str:
    """PostgreSQL cannot store NUL in text (and SQLite would cut the string short): refuse it."""
    if "\x00" in text:
        raise ReviewError(f"{what}含有不可见的空字符（NUL）")
    return text


def _reason(reason: str) -> str:
    reason = _no_nul((reason or "").strip(), "理由")
    if not reason:
        raise ReviewError("请填写理由")
    if len(reason) > MAX_REASON:
        raise ReviewError(f"理由过长（最多 {MAX_REASON} 字）")
    return reason


def audit(conn: Connection, actor: str, action: str, *, report_id: int | None = None,
          subject: str | None = None, **detail: object) -> None:
    """Append one event to ``audit_events`` (in the caller's transaction)."""
    conn.execute(insert(AuditEvent).values(
        at=_now(), actor=actor, action=action, report_id=report_id, subject=subject,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None))


# ------------------------------------------------------------------------------ findings
def finding_key(rule: str, cells: Iterable[str] | None) -> str:
    """Rule and sorted cells: the same finding has the same key after a re-parse. A finding
    naming very many cells (a whole table's short rows) is keyed by a digest of them, so that
    it can be reviewed like any other."""
    joined = ",".join(sorted(cells or ()))
    key = rule + "|" + joined
    if len(key) <= MAX_KEY:
        return key
    return f"{rule}|sha256:{hashlib.sha256(joined.encode('utf-8')).hexdigest()}"


@dataclass(slots=True)
class ReviewRecord:
    id: int
    finding_key: str
    decision: str
    author: str
    reason: str
    created_at: datetime


def decide(engine: Engine, report_id: int, key: str, decision: str, *, author: str,
           reason: str) -> ReviewRecord:
    """Record a reviewer's decision on a finding of a report."""
    if decision not in DECISIONS:
        raise ReviewError(f"未知的处理结果 {decision!r}（confirmed 或 dismissed）")
    reason = _reason(reason)
    key = _no_nul(key or "", "问题编号")
    if not key or len(key) > MAX_KEY:
        raise ReviewError(f"问题编号须为 1–{MAX_KEY} 个字符")
    with writing(engine) as conn:
        _require_report(conn, report_id)
        now = _now()
        new_id = conn.execute(insert(Review).values(
            report_id=report_id, finding_key=key, decision=decision, author=author, reason=reason,
            created_at=now).returning(Review.id)).scalar_one()
        audit(conn, author, "review", report_id=report_id, subject=key, decision=decision, reason=reason,
              review_id=new_id)
    return ReviewRecord(new_id, key, decision, author, reason, now)


def reviews(conn: Connection, report_id: int) -> list[ReviewRecord]:
    """Every decision on the report's findings, newest first."""
    return [ReviewRecord(*row) for row in conn.execute(_REVIEWS, {"report_id": report_id})]


# The statements a report page runs, built once: building a SQLAlchemy select costs more CPU than
# SQLite takes to answer it (a report page ran seven of them).
_REPORT_ID: BindParameter[int] = bindparam("report_id", type_=Integer)
_REVIEWS = (select(Review.id, Review.finding_key, Review.decision, Review.author, Review.reason,
                   Review.created_at).where(Review.report_id == _REPORT_ID).order_by(Review.id.desc()))


def latest_decisions(records: list[ReviewRecord]) -> dict[str, ReviewRecord]:
    """finding_key → its newest decision (``records`` newest first, as :func:`reviews` gives)."""
    latest: dict[str, ReviewRecord] = {}
    for record in records:
        latest.setdefault(record.finding_key, record)
    return latest


# ------------------------------------------------------------------------------ corrections
@dataclass(slots=True)
class CorrectionRecord:
    id: int
    path: str
    old_value: float | None
    old_status: str | None
    value: float | None
    author: str
    reason: str
    created_at: datetime


def _require_report(conn: Connection, report_id: int) -> None:
    if conn.execute(select(ReportRow.document_id).where(ReportRow.document_id == report_id)).first() is None:
        raise ReviewError(f"没有编号为 {report_id} 的报告")


def _path_id(conn: Connection, path: str) -> int | None:
    if "\x00" in path or len(path) > 100:
        return None
    return conn.execute(select(CellPath.id).where(CellPath.path == path)).scalar()


def corrections(conn: Connection, report_id: int) -> list[CorrectionRecord]:
    """The report's audit trail of corrections, newest first."""
    return [CorrectionRecord(*row) for row in conn.execute(_CORRECTIONS, {"report_id": report_id})]


_CORRECTIONS = (select(Correction.id, CellPath.path, Correction.old_value, Correction.old_status,
                       Correction.value, Correction.author, Correction.reason, Correction.created_at)
                .join(CellPath, CellPath.id == Correction.path_id)
                .where(Correction.report_id == _REPORT_ID).order_by(Correction.id.desc()))


def _check_value(path: str, value: float | None) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value):
        raise ReviewError("数值必须是有限的数")
    kind = TEMPLATE.cell_kind(path)
    if kind != "amount" and value != int(value):
        raise ReviewError(f"{TEMPLATE.cell_label(path)}应为整数")
    if kind == "count" and value < 0:
        raise ReviewError(f"{TEMPLATE.cell_label(path)}不能为负数")
    return value


def correct(engine: Engine, report_id: int, path: str, value: float | None, *, author: str,
            reason: str) -> CorrectionRecord:
    """Set a cell's value (``None``: the cell is blank in truth), keeping the previous one.

    Raises :class:`ReviewError` when the report or cell does not exist, the value does not fit
    the cell (counts are non-negative integers) or no reason is given."""
    reason = _reason(reason)
    value = _check_value(path, value)
    with writing(engine) as conn:
        _require_report(conn, report_id)
        path_id = _path_id(conn, path)
        cell = None if path_id is None else conn.execute(
            select(Cell.value, Cell.status).where(Cell.report_id == report_id, Cell.path_id == path_id)
        ).first()
        if cell is None:
            raise ReviewError(f"报告 {report_id} 没有单元格 {path}")
        previous = conn.execute(select(Correction.value).where(
            Correction.report_id == report_id, Correction.path_id == path_id)
            .order_by(Correction.id.desc()).limit(1)).first()
        old_value, old_status = (previous[0], CORRECTED) if previous else (cell.value, cell.status)
        now = _now()
        new_id = conn.execute(insert(Correction).values(
            report_id=report_id, path_id=path_id, old_value=old_value, old_status=old_status, value=value,
            author=author, reason=reason, created_at=now).returning(Correction.id)).scalar_one()
        audit(conn, author, "correction", report_id=report_id, subject=path, old_value=old_value,
              value=value, reason=reason, correction_id=new_id)
        refresh_stats(conn, [report_id])  # the figures `reports` copies hold effective values
        _refresh_findings(conn, report_id)
    return CorrectionRecord(new_id, path, old_value, old_status, value, author, reason, now)


def _refresh_findings(conn: Connection, report_id: int) -> None:
    """The list's 「有错误」 and rule filters and ``stats`` read counts copied into ``reports``:
    after a correction they count the findings of the corrected report."""
    stored = conn.execute(select(ReportRow.sections).where(ReportRow.document_id == report_id)).scalar()
    effective = effective_report(conn, report_id, json.loads(stored) if stored else None)
    if effective is not None:
        conn.execute(update(ReportRow).where(ReportRow.document_id == report_id)
                     .values(**finding_figures(effective.report.findings)))


def recompute_effective(conn: Connection, report_ids: Iterable[int], *, actor: str = "ingest") -> list[int]:
    """After a re-parse replaced the parsed rows of these reports: the copied figures and finding
    counts of those with corrections hold the corrected values again, and the re-parse is recorded
    in ``audit_events``. The reports that had corrections."""
    ids = list(report_ids)
    corrected: list[int] = []
    for start in range(0, len(ids), 500):
        corrected += [rid for (rid,) in conn.execute(
            select(Correction.report_id).where(Correction.report_id.in_(ids[start:start + 500]))
            .group_by(Correction.report_id))]
    present = set()
    for start in range(0, len(corrected), 500):
        present |= {rid for (rid,) in conn.execute(select(ReportRow.document_id).where(
            ReportRow.document_id.in_(corrected[start:start + 500])))}
    if present:
        refresh_stats(conn, sorted(present))
    for rid in sorted(corrected):
        if rid in present:
            _refresh_findings(conn, rid)
        kept = conn.execute(select(func.count()).select_from(Correction)
                            .where(Correction.report_id == rid)).scalar_one()
        audit(conn, actor, "reparse", report_id=rid, corrections_kept=kept, parsed=rid in present)
    return sorted(corrected)


# ------------------------------------------------------------------------------ the report
def _restore(value: float | None, is_int: bool) -> int | float | None:
    return int(value) if is_int and value is not None else value


def _locators(stored: list[str | None]) -> list[Any]:
    """The cells' locators decoded: the JSON texts parsed as one array (a third of the CPU of 200
    ``json.loads`` calls; a report page reads 200); one by one, as before, when that fails or
    gives another count (a text that is not one JSON value)."""
    present = [text for text in stored if text]
    try:
        decoded = json.loads("[" + ",".join(present) + "]") if present else []
    except ValueError:
        decoded = []
    if len(decoded) != len(present):
        decoded = [json.loads(text) for text in present]
    found = iter(decoded)
    return [next(found) if text else None for text in stored]


def _number(value: float | None) -> int | float | None:
    return int(value) if value is not None and value == int(value) else value


@dataclass(slots=True)
class EffectiveReport:
    """A stored report with corrections applied; ``parsed`` holds each corrected cell as parsed."""

    report: Report
    document_id: int
    sha256: str
    parsed: dict[str, CellValue]
    findings_rechecked: bool


def effective_report(conn: Connection, report_id: int, sections: dict[str, str] | None = None, *,
                     corrected: bool = True, meta: Any = None, found: bool = True) -> EffectiveReport | None:
    """The report as reviewers have corrected it (None when no such report).

    Corrected cells get status ``corrected``. When there are corrections, the checker runs again
    on the corrected cells: its findings replace the stored ones, except the extractor's own
    findings and — when ``sections`` are not given — the rules that need the text sections.
    ``corrected=False``: the caller has just counted no corrections, ``found=False`` no stored
    findings; ``meta``: the report's row as the caller has just read it (the columns of
    ``_EFFECTIVE_META``) — one statement less each."""
    key = {"report_id": report_id}
    if meta is None:
        meta = conn.execute(_EFFECTIVE_META, key).first()
    if meta is None:
        return None
    rows = conn.execute(_CELLS, key).all()
    locators = _locators([row[6] for row in rows])
    # the column holds the Status a parsed CellValue had (a plain str to SQLAlchemy)
    cells = {path: CellValue(_restore(value, is_int), cast(Status, status), raw, line, locator, rule, note)
             for (path, value, is_int, status, raw, line, _, rule, note), locator
             in zip(rows, locators, strict=True)}
    findings = [Finding(rule, severity, message, message_en,  # type: ignore[arg-type]
                        json.loads(cells_json) if cells_json else [], json.loads(values) if values else {},
                        line, evidence)
                for rule, severity, message, message_en, cells_json, values, line, evidence
                in (conn.execute(_FINDINGS, key) if found else ())]
    parsed: dict[str, CellValue] = {}
    for path, value, reason in conn.execute(_CORRECTED, key).all() if corrected else ():
        original = cells.get(path)
        if original is None:
            continue
        parsed[path] = original
        # `corrected` is a review-only status outside the parser's Status (gongkai.report's type)
        cells[path] = CellValue(_number(value), cast(Status, CORRECTED), original.raw, original.line,
                                original.locator, None, f"人工更正：{reason}")
    report = Report(agency=meta.agency, year=meta.year, template=meta.template, cells=cells,
                    findings=findings, hybrid=meta.hybrid, title=meta.title, source=meta.source,
                    media_type=meta.media_type, published=meta.published, parser_version=meta.parser_version,
                    sections=sections or {})
    if parsed:
        report.findings = _recheck(report, findings, have_sections=bool(sections))
    return EffectiveReport(report, report_id, meta.sha256, parsed, bool(parsed))


_EFFECTIVE_META = (select(ReportRow.agency, ReportRow.year, ReportRow.template, ReportRow.hybrid,
                          ReportRow.title, ReportRow.source, ReportRow.published, ReportRow.parser_version,
                          Document.media_type, Document.sha256)
                   .join(Document, Document.id == ReportRow.document_id)
                   .where(ReportRow.document_id == _REPORT_ID))
_CELLS = (select(CellPath.path, Cell.value, Cell.is_int, Cell.status, Cell.raw, Cell.line, Cell.locator,
                 Cell.rule, Cell.note).join(CellPath, CellPath.id == Cell.path_id)
          .where(Cell.report_id == _REPORT_ID).order_by(Cell.path_id))
_FINDINGS = (select(FindingRow.rule, FindingRow.severity, FindingRow.message, FindingRow.message_en,
                    FindingRow.cells, FindingRow.values, FindingRow.line, FindingRow.evidence)
             .where(FindingRow.report_id == _REPORT_ID).order_by(FindingRow.seq))
_NEWEST = (select(Correction.path_id, func.max(Correction.id).label("id"))
           .where(Correction.report_id == _REPORT_ID).group_by(Correction.path_id).subquery())
_CORRECTED = (select(CellPath.path, Correction.value, Correction.reason)
              .join(_NEWEST, _NEWEST.c.id == Correction.id).join(CellPath, CellPath.id == Correction.path_id))


def _recheck(report: Report, stored: list[Finding], *, have_sections: bool) -> list[Finding]:
    from ..check import check

    # the checker knows the statuses of a parse; a corrected value is, to it, a value read
    view = replace(report, findings=[], cells={
        path: CellValue(c.value, "read" if c.value is not None else "blank", c.raw, c.line, c.locator)
        if c.status == CORRECTED else c for path, c in report.cells.items()})
    kept = [f for f in stored
            if f.rule not in CHECKER_RULES or (not have_sections and f.rule in NEEDS_SECTIONS)]
    fresh = [f for f in check(view) if have_sections or f.rule not in NEEDS_SECTIONS]
    return kept + fresh


# ------------------------------------------------------------------------------ accounts
@dataclass(slots=True)
class UserRecord:
    id: int
    name: str
    role: Role
    active: bool


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def _password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise ReviewError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise ReviewError(f"密码最多 {MAX_PASSWORD} 个字符")
    return _no_nul(password, "密码")


def _user_name(name: str) -> str:
    name = _no_nul((name or "").strip(), "用户名")
    if not name or len(name) > 100:
        raise ReviewError("用户名须为 1–100 个字符")
    return name


def add_user(engine: Engine, name: str, password: str, *, role: Role = "viewer",
             actor: str = "cli") -> UserRecord:
    """Create an account (argon2id hash). Raises :class:`ReviewError` for a taken name, an unknown
    role or a password under 8 characters."""
    name = _user_name(name)
    if role not in ROLES:
        raise ReviewError(f"未知角色 {role!r}：viewer、reviewer 或 admin")
    password_hash = _hasher().hash(_password(password))
    with writing(engine) as conn:
        if conn.execute(select(User.id).where(User.name == name)).first() is not None:
            raise ReviewError(f"用户 {name} 已存在")
        new_id = conn.execute(insert(User).values(
            name=name, password_hash=password_hash, role=role, active=True,
            created_at=_now()).returning(User.id)).scalar_one()
        audit(conn, actor, "user.add", subject=name, role=role)
    return UserRecord(new_id, name, role, True)


def _account(conn: Connection, name: str) -> int:
    user_id = conn.execute(select(User.id).where(User.name == name)).scalar()
    if user_id is None:
        raise ReviewError(f"没有用户 {name}")
    return user_id


def revoke_sessions(conn: Connection, user_id: int) -> int:
    """End every live session of the account (in the caller's transaction); how many."""
    return conn.execute(update(WebSession).where(WebSession.user_id == user_id,
                                                 WebSession.revoked_at.is_(None))
                        .values(revoked_at=_now())).rowcount


def set_password(engine: Engine, name: str, password: str, *, actor: str = "cli") -> int:
    """Change an account's password; every session of the account ends. Sessions ended."""
    password_hash = _hasher().hash(_password(password))
    with writing(engine) as conn:
        user_id = _account(conn, _user_name(name))
        conn.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))
        ended = revoke_sessions(conn, user_id)
        audit(conn, actor, "user.passwd", subject=name, sessions_revoked=ended)
    return ended


def set_active(engine: Engine, name: str, active: bool, *, actor: str = "cli") -> int:
    """Enable or disable an account; disabling ends its sessions. Sessions ended."""
    with writing(engine) as conn:
        user_id = _account(conn, _user_name(name))
        conn.execute(update(User).where(User.id == user_id).values(active=active))
        ended = 0 if active else revoke_sessions(conn, user_id)
        audit(conn, actor, "user.enable" if active else "user.disable", subject=name, sessions_revoked=ended)
    return ended


def end_sessions(engine: Engine, name: str, *, actor: str = "cli") -> int:
    """End every session of an account (``gongkai user sessions NAME --revoke``). Sessions ended."""
    with writing(engine) as conn:
        user_id = _account(conn, _user_name(name))
        ended = revoke_sessions(conn, user_id)
        audit(conn, actor, "sessions.revoke", subject=name, sessions_revoked=ended)
    return ended


def authenticate(engine: Engine, name: str, password: str) -> UserRecord | None:
    """The active account with this name and password, or None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if "\x00" in (name or "") or len(name or "") > 100 or len(password or "") > MAX_PASSWORD:
        return None  # no such account can exist (and NUL is no PostgreSQL text)
    with engine.connect() as conn:
        row = conn.execute(select(User.id, User.name, User.role, User.active, User.password_hash)
                           .where(User.name == name)).first()
    if row is None or not row.active:
        _hasher().hash(password)  # same work as a real check: no timing hint that the name is unknown
        return None
    try:
        _hasher().verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return UserRecord(row.id, row.name, row.role, row.active)


def _user_record(row: Row[int, str, str, bool]) -> UserRecord:
    # the role column only ever holds a Role: add_user takes a Role and checks it against ROLES
    return UserRecord(row.id, row.name, cast(Role, row.role), row.active)


def get_user(conn: Connection, user_id: int) -> UserRecord | None:
    row = conn.execute(select(User.id, User.name, User.role, User.active).where(User.id == user_id)).first()
    return _user_record(row) if row is not None and row.active else None


def users(engine: Engine) -> list[UserRecord]:
    with engine.connect() as conn:
        return [_user_record(row) for row in conn.execute(
            select(User.id, User.name, User.role, User.active).order_by(User.id))]
