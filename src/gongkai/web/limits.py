"""Request limits enforced before a body is read (an ASGI middleware around the whole app).

* Every route has a body limit: the login routes a few kB, the upload routes the upload total,
  every other route :data:`DEFAULT_BODY_BYTES`. A declared ``Content-Length`` over the limit is
  refused with 413 before one byte is read; a body without one (chunked) is counted as it
  streams and refused (413) the moment it passes the limit, so nothing larger is ever buffered
  or spooled to disk.
* A multipart body is accepted only by the upload routes (415 elsewhere): nothing else parses one,
  and the upload routes check the session, the role and the CSRF token before they read it.
* A NUL byte in the path or the query string is refused (400): PostgreSQL cannot store it in text
  and no parameter of this app has one.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

from ..messages import web
from .words import scope_language

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_BODY_BYTES = 1024 * 1024  # a correction, a review, an account: a few kB at most
LOGIN_BODY_BYTES = 16 * 1024
LOGIN_PATHS = frozenset({"/login", "/api/login"})
UPLOAD_PATHS = frozenset({"/upload", "/api/upload"})


class BodyLimit:
    """See the module docstring. ``upload_bytes`` is the largest whole upload request."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, body_bytes: int = DEFAULT_BODY_BYTES,
                 lang: str = "zh") -> None:
        self.app = app
        self.lang = lang  # the server's; a visitor's ?lang= or cookie chooses the other
        self.upload_bytes = upload_bytes
        self.body_bytes = body_bytes

    def limit(self, path: str) -> int:
        if path in UPLOAD_PATHS:
            return self.upload_bytes
        if path in LOGIN_PATHS:
            return LOGIN_BODY_BYTES
        return self.body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            await _refuse(scope, send, 400, web("limit.nul", scope_language(scope, self.lang)))
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        limit = self.limit(path)
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind == b"multipart/form-data" and path not in UPLOAD_PATHS and scope.get("method") not in (
                "GET", "HEAD", "OPTIONS"):
            await _refuse(scope, send, 415, web("limit.multipart", scope_language(scope, self.lang)))
            return
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                await _refuse(scope, send, 400, web("limit.length", scope_language(scope, self.lang)))
                return
            if int(declared) > limit:
                await _refuse(scope, send, 413, _too_large(limit, scope_language(scope, self.lang)))
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # raised inside the app: its HTTPException handler answers 413
                    raise HTTPException(413, _too_large(limit, scope_language(scope, self.lang)))
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int, lang: str) -> str:
    shown = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} kB"
    return web("limit.too_large", lang, shown=shown)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """A short answer without reading the body: JSON for the API, plain text otherwise (the page
    templates need a request that has not been read yet)."""
    path = scope.get("path", "")
    if path.startswith("/api/") or path == "/openapi.json":
        body, kind = json.dumps({"detail": message}, ensure_ascii=False).encode(), b"application/json"
    else:
        body, kind = f"{status} {message}\n".encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
