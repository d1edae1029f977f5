"""Alembic environment: run on the connection :func:`gongkai.store.open_store` passes in.

To write a new revision (developers): ``alembic -c <ini with script_location =
gongkai.store:migrations and sqlalchemy.url = sqlite:///x.db> revision -m "..."``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from gongkai.store.schema import METADATA

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:  # type: ignore[no-untyped-def]
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds tables instead
    context.configure(connection=conn, target_metadata=METADATA,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the alembic command line
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic 配置缺少 sqlalchemy.url（数据库地址）")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
