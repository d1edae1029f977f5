"""Sessions, CSRF tokens and roles.

* The session is a signed cookie (itsdangerous, HMAC-SHA1 over the payload with a key kept in the
  database table ``web_settings``, or ``GONGKAI_SECRET``), holding the user id and the session's
  CSRF token. HttpOnly and SameSite=Lax; ``Secure`` when served over HTTPS.
* Every POST needs the session's CSRF token, in the form field ``csrf_token`` or the
  ``X-CSRF-Token`` header (htmx and fetch send the header; see app.js). A forged form from
  another site has the cookie but not the token, and is refused with 403.
* Roles are ordered viewer < reviewer < admin; anonymous visitors read only when the app was
  started with ``anonymous_read``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, text

from ..store.review import ROLES, UserRecord, get_user

COOKIE = "gongkai_session"
SESSION_SECONDS = 7 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def load_secret(engine: Engine) -> str:
    """``GONGKAI_SECRET``, else the key stored in the database (created on first start), so that
    several server processes on one database accept each other's cookies."""
    configured = os.environ.get("GONGKAI_SECRET")
    if configured:
        return configured
    with engine.begin() as conn:
        stored = conn.execute(text("SELECT value FROM web_settings WHERE key = 'session_secret'")).scalar()
        if stored:
            return stored
        fresh = secrets.token_urlsafe(48)
        conn.execute(text("INSERT INTO web_settings (key, value) VALUES ('session_secret', :v) "
                          "ON CONFLICT (key) DO NOTHING"), {"v": fresh})
        return conn.execute(text("SELECT value FROM web_settings WHERE key = 'session_secret'")).scalar_one()


@dataclass(slots=True)
class Session:
    user_id: int | None
    csrf: str
    changed: bool = False

    def payload(self) -> dict[str, Any]:
        return {"u": self.user_id, "c": self.csrf}


class Sessions:
    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="gongkai-session")

    def read(self, request: Request) -> Session:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            try:
                data = self.serializer.loads(cookie, max_age=SESSION_SECONDS)
                return Session(data.get("u"), data["c"])
            except (BadSignature, KeyError, TypeError):
                pass
        return Session(None, secrets.token_urlsafe(32), changed=True)

    def cookie(self, session: Session) -> str:
        return self.serializer.dumps(session.payload())


def session(request: Request) -> Session:
    return request.state.session


def login(request: Request, user: UserRecord) -> None:
    """Start a new session for the user: a fresh CSRF token (no fixation of the old one)."""
    request.state.session = Session(user.id, secrets.token_urlsafe(32), changed=True)


def logout(request: Request) -> None:
    request.state.session = Session(None, secrets.token_urlsafe(32), changed=True)


def current_user(request: Request) -> UserRecord | None:
    """The logged-in user (looked up once per request), or None."""
    if not hasattr(request.state, "user"):
        user_id = session(request).user_id
        user = None
        if user_id is not None:
            with request.app.state.store.engine.connect() as conn:
                user = get_user(conn, user_id)
        request.state.user = user
    return request.state.user


class LoginRequired(Exception):
    """Raised for pages (redirected to the login page) and the API (401)."""


def require(request: Request, role: str = "viewer") -> UserRecord | None:
    """The user if their role is at least ``role``; anonymous readers pass for ``viewer`` when the
    app allows them. Raises :class:`LoginRequired` (no user) or 403 (role too low)."""
    user = current_user(request)
    if user is None:
        if role == "viewer" and request.app.state.settings.anonymous_read:
            return None
        raise LoginRequired()
    if ROLES.index(user.role) < ROLES.index(role):  # type: ignore[arg-type]
        names = {"viewer": "查看者", "reviewer": "审核员", "admin": "管理员"}
        raise HTTPException(403, f"需要{names[role]}权限（当前：{names[user.role]}）")
    return user


def viewer(request: Request) -> UserRecord | None:
    return require(request, "viewer")


def reviewer(request: Request) -> UserRecord | None:
    return require(request, "reviewer")


def admin(request: Request) -> UserRecord | None:
    return require(request, "admin")


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session(request).csrf):
        raise HTTPException(403, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
