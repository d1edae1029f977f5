"""One database connection per request, shared by the session lookup (:func:`gongkai.web.auth.current_user`)
and the handler: a report page used to check two connections out of the pool (each one a pre-ping
and a reset on PostgreSQL) and run its session lookup on the first.

The connection is opened on first use and given back when the response has been sent
(:func:`release`, called by the app's middleware). Handlers read through :func:`reading`, which
ends the read transaction when their block ends: a SQLite read transaction keeps the snapshot of
its first read, and a write made meanwhile on another connection (a correction) must show in the
next read. On PostgreSQL the connection reads in autocommit mode: no BEGIN and no ROLLBACK to
wait for (the handlers write through :func:`gongkai.store.transactions.writing`, never on it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

_OPEN = "gongkai_connection"  # keys of the ASGI scope's state (request.state)
_RELEASED = "gongkai_connection_released"


def request_connection(request: Request) -> Connection:
    """This request's connection (opened now if it has none). Not after :func:`release`: code that
    runs after the response (an error page of the outermost handler) opens its own."""
    state = request.scope.setdefault("state", {})
    if state.get(_RELEASED):
        raise RuntimeError("the request's connection was already given back")
    conn: Connection | None = state.get(_OPEN)
    if conn is None or conn.closed:
        conn = state[_OPEN] = request.app.state.store.engine.connect()
        if conn.dialect.name == "postgresql":
            # reads only, each statement on its own: what READ COMMITTED gives a transaction's
            # statements anyway, without a BEGIN and a ROLLBACK to send (the pool resets it)
            conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def released(request: Request) -> bool:
    return bool(request.scope.get("state", {}).get(_RELEASED))


@contextmanager
def reading(request: Request) -> Iterator[Connection]:
    """The request's connection for a block of reads; its transaction ends with the block."""
    conn = request_connection(request)
    try:
        yield conn
    finally:
        conn.rollback()  # reads only: nothing to keep; a no-op when nothing was read


def end_transaction(conn: Connection) -> None:
    """End a read transaction on SQLite only, where it holds a snapshot (PostgreSQL's READ COMMITTED
    reads what is committed at every statement, and ending it would cost a round trip)."""
    if conn.dialect.name == "sqlite":
        conn.rollback()


async def release(scope: Any) -> None:
    """Give the request's connection back to the pool (the app's middleware, after the response).
    Still in a transaction (a handler that failed, or one that only looked the session up): its
    ROLLBACK runs in a worker thread, not on the event loop."""
    state = scope.get("state")
    if state is None:
        return
    state[_RELEASED] = True
    conn: Connection | None = state.pop(_OPEN, None)
    if conn is None or conn.closed:
        return
    if conn.in_transaction() and conn.dialect.name != "sqlite":
        await run_in_threadpool(conn.close)
    else:
        conn.close()
