"""Hardening: corrections and reviews keyed by the document and append-only, an append-only audit
table, server-side web sessions; the session key leaves the database.

On PostgreSQL the foreign keys of ``corrections`` and ``reviews`` to ``reports`` cascaded: a
re-parse (which replaces the ``reports`` row) deleted every correction and review. They now
reference ``documents`` (never deleted) without cascade, and triggers refuse any UPDATE or DELETE
of ``corrections``, ``reviews`` and ``audit_events`` on both backends.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("corrections", "reviews", "audit_events")
MESSAGE = "gongkai: the audit trail is append-only"


def _refer(table: str, target: str, column: str, ondelete: str | None) -> None:
    """Point ``table.report_id`` at ``target(column)`` (SQLite: the table is rebuilt)."""
    name = f"fk_{table}_report_id"
    with op.batch_alter_table(table, recreate="auto") as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.create_foreign_key(name, target, ["report_id"], [column], ondelete=ondelete)


def _triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(f"""CREATE OR REPLACE FUNCTION gongkai_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION gongkai_append_only()")
            # TRUNCATE skips row triggers: refuse it as a statement
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION gongkai_append_only()")
        return
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {event} on {table}'); END")


def _drop_triggers(dialect: str) -> None:
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS gongkai_append_only()")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("corrections", "reviews"):
        _refer(table, "documents", "id", None)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("report_id", sa.Integer()),
        sa.Column("subject", sa.Text()),
        sa.Column("detail", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_report", "audit_events", ["report_id", "id"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
        sa.Column("address", sa.String(64)),
        sa.Column("agent", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id"),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id", "revoked_at"])
    # whoever could read the database could sign an admin's cookie with this key
    op.execute("DELETE FROM web_settings WHERE key = 'session_secret'")
    _triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    op.drop_index("ix_web_sessions_user", "web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_audit_events_report", "audit_events")
    op.drop_table("audit_events")
    for table in ("corrections", "reviews"):
        _refer(table, "reports", "document_id", "CASCADE")
