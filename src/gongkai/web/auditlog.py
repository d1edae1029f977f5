"""The global audit log: every accountable act, newest first, in keyset pages.

It reads the append-only tables: ``corrections`` and ``reviews`` (each change with its values and
reason; also those made before ``audit_events`` existed, revision 0005) and ``audit_events`` for
everything else (account changes, ended sessions, re-parses of corrected reports) — the
``correction`` and ``review`` events duplicate the first two tables and are not read twice.
Reviewers see what was done to reports; account and session events only admins.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Float,
    String,
    Text,
    and_,
    cast,
    literal,
    null,
    or_,
    select,
    union_all,
)

from ..messages import WEB
from ..store.schema import AuditEvent, CellPath, Correction, ReportRow, Review
from .queries import BadQuery, link_params
from .timefmt import day_end_utc, day_start_utc
from .words import ACTION_GROUPS, ACTIONS, cell_label, current_lang, web

PAGE_SIZE = 50
ACCOUNT_ACTIONS = ACTION_GROUPS["account"]


@dataclass(slots=True)
class AuditQuery:
    user: str | None = None  # who acted
    report: int | None = None
    since: date | None = None  # days in Asia/Shanghai, both included
    until: date | None = None
    action: str | None = None  # a key of ACTION_GROUPS
    after: str | None = None
    limit: int = PAGE_SIZE

    def params(self, **changes: Any) -> dict[str, Any]:
        return link_params({"user": self.user, "report": self.report,
                            "since": self.since and self.since.isoformat(),
                            "until": self.until and self.until.isoformat(), "action": self.action,
                            "after": self.after}, changes)


@dataclass(slots=True)
class AuditPage:
    rows: list[dict[str, Any]]
    next_after: str | None
    actors: list[str] = field(default_factory=list)


def _union(with_accounts: bool) -> Any:
    events = (select(literal("e").label("src"), AuditEvent.id.label("id"), AuditEvent.at.label("at"),
                     AuditEvent.actor.label("actor"), AuditEvent.action.label("action"),
                     AuditEvent.report_id.label("report_id"), AuditEvent.subject.label("subject"),
                     AuditEvent.detail.label("detail"), cast(null(), Text).label("reason"),
                     cast(null(), Float).label("old_value"), cast(null(), Float).label("value"),
                     cast(null(), String).label("decision"))
              .where(AuditEvent.action.not_in(("correction", "review"))))
    if not with_accounts:
        events = events.where(AuditEvent.action.not_in(ACCOUNT_ACTIONS))
    fixes = (select(literal("c"), Correction.id, Correction.created_at, Correction.author,
                    literal("correction"), Correction.report_id, CellPath.path, cast(null(), Text),
                    Correction.reason, Correction.old_value, Correction.value, cast(null(), String))
             .join(CellPath, CellPath.id == Correction.path_id, isouter=True))
    decisions = select(literal("r"), Review.id, Review.created_at, Review.author, literal("review"),
                       Review.report_id, Review.finding_key, cast(null(), Text), Review.reason,
                       cast(null(), Float), cast(null(), Float), Review.decision)
    return union_all(events, fixes, decisions).subquery("trail")


def _encode(at: datetime, src: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), src, row_id]).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str, int]:
    problem = BadQuery(web("error.cursor", current_lang.get(), cursor=repr(cursor[:40])))
    if len(cursor) > 200:
        raise problem
    try:
        at, src, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment = datetime.fromisoformat(at)
    except (ValueError, TypeError, RecursionError):
        raise problem from None
    if src not in ("e", "c", "r") or type(row_id) is not int or not 0 < row_id < 2**31 or moment.tzinfo:
        raise problem
    return moment, src, row_id


def _number(value: float | None, lang: str) -> str:
    return web("blank", lang) if value is None else f"{value:g}"


def _label(path: str | None, lang: str) -> str:
    """A cell's label (the template's words, Chinese in both languages: they are the form's own)."""
    try:
        return cell_label(path, lang) if path else web("audit.unknown_cell", lang)
    except (KeyError, ValueError):
        return path or ""


def describe(row: dict[str, Any], lang: str = "zh") -> str:
    """What happened, in a sentence for people (in ``lang``)."""
    action, subject = row["action"], row["subject"] or ""
    try:
        detail = json.loads(row["detail"]) if row["detail"] else {}
    except ValueError:
        detail = {}
    detail = detail if isinstance(detail, dict) else {}
    ended = detail.get("sessions_revoked", 0)
    if action == "correction":
        return web("audit.did.correction", lang, label=_label(subject, lang),
                   old=_number(row["old_value"], lang), new=_number(row["value"], lang))
    if action == "review":
        rule, _, cells = subject.partition("|")
        where = "、".join(_label(c, lang) for c in cells.split(",") if c)[:200]
        decision = row["decision"] if row["decision"] in ("confirmed", "dismissed") else "other"
        verb = web(f"audit.verb.{decision}", lang)
        key = "audit.did.review_at" if where else "audit.did.review"
        return web(key, lang, verb=verb, rule=rule, where=where)
    if action == "reparse":
        kept = detail.get("corrections_kept", 0)
        return web("audit.did.reparse" if detail.get("parsed", True) else "audit.did.reparse_failed", lang,
                   kept=kept)
    if action == "user.add":
        role = str(detail.get("role") or "")
        return web("audit.did.user.add", lang, name=subject,
                   role=web(f"role.{role}", lang) if f"role.{role}" in WEB else role)
    if action in ("user.passwd", "user.disable", "user.enable", "sessions.revoke"):
        return web(f"audit.did.{action}", lang, name=subject, ended=ended)
    return f"{action} {subject}".strip()


def audit_page(conn: Connection, query: AuditQuery, *, with_accounts: bool, lang: str = "zh") -> AuditPage:
    """A page of the audit log, newest first, with the query's filters; its words in ``lang``."""
    trail = _union(with_accounts)
    conditions = []
    if query.user:
        conditions.append(trail.c.actor == query.user)
    if query.report is not None:
        conditions.append(trail.c.report_id == query.report)
    if query.since:
        conditions.append(trail.c.at >= day_start_utc(query.since))
    if query.until:
        conditions.append(trail.c.at < day_end_utc(query.until))
    if query.action:
        if query.action not in ACTION_GROUPS:
            raise BadQuery(web("error.action_group", lang, action=repr(query.action),
                               choices=", ".join(ACTION_GROUPS)))
        conditions.append(trail.c.action.in_(ACTION_GROUPS[query.action]))
    if query.after:
        at, src, row_id = _decode(query.after)
        at_bound = literal(at, DateTime)
        same_source_before = and_(trail.c.src == src, trail.c.id < row_id)
        conditions.append(or_(trail.c.at < at_bound,
                              and_(trail.c.at == at_bound, or_(trail.c.src < src, same_source_before))))
    statement = (select(trail, ReportRow.agency, ReportRow.year)
                 .join(ReportRow, ReportRow.document_id == trail.c.report_id, isouter=True)
                 .where(*conditions)
                 .order_by(trail.c.at.desc(), trail.c.src.desc(), trail.c.id.desc())
                 .limit(query.limit + 1))
    rows = [dict(row._mapping) for row in conn.execute(statement)]
    next_after = None
    if len(rows) > query.limit:
        rows = rows[:query.limit]
        last = rows[-1]
        next_after = _encode(last["at"], last["src"], last["id"])
    for row in rows:
        row["action_zh"] = ACTIONS.get(row["action"], row["action"])  # the API's field (Chinese)
        key = f"action.{row['action']}"
        row["action_word"] = web(key, lang) if key in WEB else row["action"]
        row["description"] = describe(row, lang)
    actors = sorted(set(conn.execute(select(Correction.author).distinct()).scalars())
                    | set(conn.execute(select(Review.author).distinct()).scalars())
                    | set(conn.execute(select(AuditEvent.actor).distinct()).scalars()))
    return AuditPage(rows, next_after, actors)
