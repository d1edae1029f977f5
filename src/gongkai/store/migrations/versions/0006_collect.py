"""Collect: the collector's frontier, runs, robots.txt per host, collected document versions and
failures (:mod:`gongkai.collect.schema`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("collect_runs", "collect_sites", "collect_hosts", "collect_urls", "collect_documents",
          "collect_failures")


def upgrade() -> None:
    from gongkai.collect.schema import METADATA

    bind = op.get_bind()
    METADATA.create_all(bind, tables=[METADATA.tables[name] for name in TABLES])


def downgrade() -> None:
    from gongkai.collect.schema import METADATA

    bind = op.get_bind()
    METADATA.drop_all(bind, tables=[METADATA.tables[name] for name in reversed(TABLES)])
