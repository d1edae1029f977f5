"""Write transactions: one way to open them, for the store and the web app alike."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine


def writing(engine: Engine) -> AbstractContextManager[Connection]:
    """A write transaction. On SQLite it takes the write lock at BEGIN (``BEGIN IMMEDIATE``, see
    ``store._sqlite_setup``): a transaction that reads first and writes later would otherwise
    have to upgrade its read lock, which fails at once — "database is locked", whatever the busy
    timeout — while another connection writes."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE").begin()
    return engine.begin()
