"""Accounts and their sessions as the admin page, the API and ``gongkai user sessions`` show them,
and the admin's actions on them that the page and the API share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine, func, select

from ..store.review import ReviewError, Role, UserRecord, add_user, end_sessions, set_active, set_password
from ..store.schema import User, WebSession
from .words import current_lang, web

if TYPE_CHECKING:  # (gongkai user sessions reads the sessions without the web stack)
    from fastapi import Request


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _live(now: datetime) -> Any:
    return (WebSession.revoked_at.is_(None)) & (WebSession.expires_at > now)


def account_rows(engine: Engine) -> list[dict[str, Any]]:
    """Every account: id, name, role, active, and how many live sessions it has."""
    now = _now()
    live = (select(WebSession.user_id, func.count().label("n")).where(_live(now))
            .group_by(WebSession.user_id).subquery())
    with engine.connect() as conn:
        rows = conn.execute(select(User.id, User.name, User.role, User.active, func.coalesce(live.c.n, 0))
                            .join(live, live.c.user_id == User.id, isouter=True).order_by(User.id)).all()
    return [{"id": i, "name": n, "role": r, "active": bool(a), "sessions": int(s)} for i, n, r, a, s in rows]


def live_sessions(engine: Engine, name: str) -> list[dict[str, Any]]:
    """The account's live sessions, newest first: when started and last seen, from where."""
    now = _now()
    with engine.connect() as conn:
        user_id = conn.execute(select(User.id).where(User.name == name)).scalar()
        if user_id is None:
            raise ReviewError(web("error.no_user", current_lang.get(), name=name))
        rows = conn.execute(select(WebSession.created_at, WebSession.seen_at, WebSession.expires_at,
                                   WebSession.address, WebSession.agent)
                            .where(WebSession.user_id == user_id, _live(now))
                            .order_by(WebSession.created_at.desc())).all()
    return [{"created_at": c, "seen_at": s, "expires_at": e, "address": a, "agent": g}
            for c, s, e, a, g in rows]


def create_account(request: Request, admin: UserRecord, name: str, password: str, role: Role) -> UserRecord:
    """A new account, made by ``admin``; its password hashed in one of the server's hash slots."""
    with request.app.state.hash_gate.slot():
        return add_user(request.app.state.store.engine, name, password, role=role, actor=admin.name)


def reset_password(request: Request, admin: UserRecord, name: str, password: str) -> int:
    """``admin`` sets an account's password (hashed in a slot); how many of its sessions ended."""
    with request.app.state.hash_gate.slot():
        return set_password(request.app.state.store.engine, name, password, actor=admin.name)


AccountAction = Literal["disable", "enable", "revoke"]


def account_action(request: Request, admin: UserRecord, name: str, action: AccountAction) -> int:
    """Disable an account (its sessions end), enable it, or end every session of it (revoke); how
    many sessions ended."""
    engine = request.app.state.store.engine
    if action == "enable":
        set_active(engine, name, True, actor=admin.name)
        return 0
    if action == "disable":
        return set_active(engine, name, False, actor=admin.name)
    return end_sessions(engine, name, actor=admin.name)
