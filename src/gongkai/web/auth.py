"""Sessions, CSRF tokens, roles, and the login throttle.

* Sessions live on the server (table ``web_sessions``): the cookie carries a random token (and
  the session's CSRF token), signed with itsdangerous; the table keeps the token's sha256, the
  account, and when it expires or was revoked. A logout, a password change, disabling the
  account or ``gongkai user sessions NAME --revoke`` ends it at once — a copied cookie is worth
  nothing afterwards. Visitors who are not logged in have a signed cookie with a CSRF token only.
* The signing key comes from ``GONGKAI_SECRET``, else from a key file outside the database
  (``GONGKAI_SECRET_FILE`` or ``--secret-file``; default ``~/.config/gongkai/session.key``),
  created with mode 0600 on first start and refused when others can read it.
* Every POST needs the session's CSRF token, in the header ``X-CSRF-Token`` or (url-encoded forms)
  the field ``csrf_token``; multipart uploads send it in the header or the ``csrf_token`` query
  parameter, so it is checked before their body is read. A forged form from another site has
  the cookie but not the token, and is refused with 403.
* Roles are ordered viewer < reviewer < admin; anonymous visitors read only when the app was
  started with ``anonymous_read``.
* Login is throttled (:mod:`gongkai.web.throttle`): per account and per address, counted in the
  database so that every worker process agrees, and at most a few argon2 hashes run at once.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ..errors import GongkaiError
from ..store.review import ROLES, UserRecord
from ..store.schema import User, WebSession, WebSetting
from ..store.transactions import writing
from .cache import SharedGeneration
from .connection import end_transaction, released, request_connection
from .words import current_lang, web

COOKIE = "gongkai_session"
SESSION_SECONDS = 7 * 24 * 3600
TOUCH_SECONDS = 300  # ``seen_at`` is written at most this often per session (no write per request)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECRET_ENV = "GONGKAI_SECRET"
SECRET_FILE_ENV = "GONGKAI_SECRET_FILE"
MIN_SECRET = 32


class SecretError(GongkaiError, RuntimeError):
    """The signing key file cannot be used; the message says why and where."""


def default_secret_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "gongkai" / "session.key"


def load_secret(secret_file: Path | None = None) -> str:
    """``GONGKAI_SECRET``, else the key in ``secret_file`` (``GONGKAI_SECRET_FILE``, else
    :func:`default_secret_file`), created with mode 0600 on first start. Never the database:
    whoever can read a database file must not be able to sign an admin's cookie."""
    configured = os.environ.get(SECRET_ENV)
    if configured:
        if len(configured) < MIN_SECRET:
            raise SecretError(f"{SECRET_ENV} is too short (at least {MIN_SECRET} characters)")
        return configured
    path = Path(secret_file or os.environ.get(SECRET_FILE_ENV) or default_secret_file()).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(48))
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretError(f"{path}: the session key is readable by others (mode {oct(mode & 0o777)}); "
                              f"chmod 600 {path}")
        key = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise SecretError(f"{path}: cannot read or create the session key: {error}") from None
    if len(key) < MIN_SECRET:
        raise SecretError(f"{path}: the session key is too short (at least {MIN_SECRET} characters)")
    return key


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class Session:
    csrf: str
    token: str | None = None  # the logged-in session's token (the cookie's), None for visitors
    changed: bool = False


class Sessions:
    """Reads and writes the cookie; logged-in sessions are rows of ``web_sessions``."""

    def __init__(self, secret: str, engine: Engine) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="gongkai-session-v2")
        self.engine = engine

    def read(self, request: Request) -> Session:
        """The cookie's session (no database access: the account is looked up when needed)."""
        cookie = request.cookies.get(COOKIE)
        if cookie and len(cookie) < 4096:
            try:
                data = self.serializer.loads(cookie, max_age=SESSION_SECONDS)
                if isinstance(data, dict) and isinstance(data.get("c"), str):
                    token = data.get("s")
                    return Session(data["c"], token if isinstance(token, str) else None)
            except (BadSignature, UnicodeDecodeError, ValueError):
                pass
        return Session(secrets.token_urlsafe(32), changed=True)

    def cookie(self, session: Session) -> str:
        return self.serializer.dumps({"c": session.csrf, **({"s": session.token} if session.token else {})})

    def user(self, session: Session, conn: Connection | None = None) -> UserRecord | None:
        """The active account of a live session, or None (expired, revoked, account disabled).
        Read on ``conn`` (the request's, :mod:`gongkai.web.connection`), else on a connection of
        its own."""
        return self.user_and_generation(session, conn)[0]

    def user_and_generation(self, session: Session, conn: Connection | None = None
                            ) -> tuple[UserRecord | None, str | Unread | None]:
        """:meth:`user`, and the caches' generation token read in the same statement
        (:class:`gongkai.web.cache.SharedGeneration`: a list page checks it — one round trip
        less), or :data:`UNREAD` when no statement ran or the session is not live."""
        if session.token is None:
            return None, UNREAD
        now = _now()
        found = {"id": _digest(session.token), "now": now}
        if conn is None:
            with self.engine.connect() as own:
                row = own.execute(_SESSION_USER, found).first()
        else:
            row = conn.execute(_SESSION_USER, found).first()
            end_transaction(conn)
        if row is None:
            return None, UNREAD
        if (now - row.seen_at).total_seconds() > TOUCH_SECONDS:
            with writing(self.engine) as writer:
                writer.execute(update(WebSession).where(WebSession.id == found["id"]).values(seen_at=now))
        return UserRecord(row.id, row.name, row.role, row.active), row.generation

    def start(self, user: UserRecord, address: str | None, agent: str | None) -> Session:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), _now()
        with writing(self.engine) as conn:
            conn.execute(insert(WebSession).values(
                id=_digest(token), user_id=user.id, csrf=csrf, created_at=now, seen_at=now,
                expires_at=now + timedelta(seconds=SESSION_SECONDS), revoked_at=None,
                address=(address or "")[:64] or None, agent=(agent or "")[:200] or None))
        return Session(csrf, token, changed=True)

    def end(self, session: Session) -> None:
        if session.token is not None:
            with writing(self.engine) as conn:
                conn.execute(update(WebSession).where(WebSession.id == _digest(session.token),
                                                      WebSession.revoked_at.is_(None))
                             .values(revoked_at=_now()))


class Unread:
    """The type of :data:`UNREAD`: no generation token was read with the session."""


UNREAD = Unread()

# built once: building a select costs more CPU than the database takes to answer it
_GENERATION = (select(WebSetting.value).where(WebSetting.key == SharedGeneration.KEY)
               .scalar_subquery().label("generation"))
_SESSION_USER = (select(User.id, User.name, User.role, User.active, WebSession.seen_at, _GENERATION)
                 .join(User, User.id == WebSession.user_id)
                 .where(WebSession.id == bindparam("id"), WebSession.revoked_at.is_(None),
                        WebSession.expires_at > bindparam("now"), User.active.is_(True)))


def session(request: Request) -> Session:
    return request.state.session


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login(request: Request, user: UserRecord) -> None:
    """Start a new server-side session for the user: a fresh token and CSRF token (no fixation)."""
    sessions: Sessions = request.app.state.sessions
    sessions.end(session(request))
    request.state.session = sessions.start(user, client_address(request), request.headers.get("user-agent"))
    request.state.user = user


def logout(request: Request) -> None:
    """End the session on the server (its cookie is worthless from now on)."""
    request.app.state.sessions.end(session(request))
    request.state.session = Session(secrets.token_urlsafe(32), changed=True)
    request.state.user = None


def current_user(request: Request) -> UserRecord | None:
    """The logged-in user (looked up once per request), or None. A session that ended (logout,
    revoked, expired, account disabled) is dropped from the cookie."""
    if not hasattr(request.state, "user"):
        current = session(request)
        # the handler's connection too (one checkout a request); an error page shown after the
        # response machinery gave it back looks the session up on a connection of its own
        shared = None if current.token is None or released(request) else request_connection(request)
        user, generation = request.app.state.sessions.user_and_generation(current, shared)
        if shared is not None:  # read now, on this request's connection: its handler may use it
            request.state.generation = generation
        if user is None and current.token is not None:
            request.state.session = Session(secrets.token_urlsafe(32), changed=True)
        request.state.user = user
    return request.state.user


def generation_read(request: Request) -> tuple[str | None] | None:
    """The caches' generation token as this request read it with its session, for
    :meth:`gongkai.web.cache.SharedGeneration.check` (None: not read, a visitor's request)."""
    token = getattr(request.state, "generation", UNREAD)
    return None if isinstance(token, Unread) else (token,)


class LoginRequired(GongkaiError):
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
        lang = getattr(request.state, "lang", None) or current_lang.get()
        raise HTTPException(403, web("error.role", lang, needed=web(f"role.{role}", lang),
                                     current=web(f"role.{user.role}", lang)))
    return user


def viewer(request: Request) -> UserRecord | None:
    return require(request, "viewer")


def reviewer(request: Request) -> UserRecord | None:
    return require(request, "reviewer")


def admin(request: Request) -> UserRecord | None:
    return require(request, "admin")


def _matches(sent: Any, expected: str) -> bool:
    # compare bytes: compare_digest refuses a str with non-ASCII characters (a 500 before)
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), expected.encode())


def _refuse_csrf() -> HTTPException:
    return HTTPException(403, web("error.csrf", current_lang.get()))


async def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without this session's CSRF token. A url-encoded
    form is read for its field (its size is capped by :mod:`gongkai.web.limits`); a multipart
    body never is — it must carry the token in the header or the query string."""
    if request.method in SAFE_METHODS:
        return
    sent: Any = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    if not _matches(sent, session(request).csrf):
        raise _refuse_csrf()


def check_csrf_unread(request: Request) -> None:
    """The CSRF check of a multipart upload, before its body is read: the token comes in the
    header or the ``csrf_token`` query parameter."""
    sent = request.headers.get(CSRF_HEADER) or request.query_params.get(CSRF_FIELD)
    if not _matches(sent, session(request).csrf):
        raise _refuse_csrf()


async def attempt_login(request: Request, name: str, password: str) -> UserRecord | None:
    """Check a login against the throttle (429 when this account or address failed too often),
    hash within the gate (503 when no slot frees in time), and start a session when right. The
    hash and the database run in worker threads; waiting for a slot holds none."""
    from starlette.concurrency import run_in_threadpool

    from ..store.review import authenticate
    from .throttle import check_login

    throttle = request.app.state.login_throttle
    address = client_address(request)
    # the throttle may be the database's (shared by the server's processes): off the event loop
    await run_in_threadpool(check_login, throttle, name, address)
    async with request.app.state.hash_gate.slot_async():
        user = await run_in_threadpool(authenticate, request.app.state.store.engine, name, password)
    if user is None:
        await run_in_threadpool(throttle.failed, name, address)
        return None
    await run_in_threadpool(throttle.succeeded, name)
    await run_in_threadpool(login, request, user)
    return user
