"""Roster: the units that must publish a report (:class:`gongkai.store.schema.RosterUnit`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agency_name", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(12)),
        sa.Column("level", sa.String(8)),
        sa.Column("parent", sa.Text()),
        sa.Column("site_url", sa.Text()),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roster_units"),
        sa.UniqueConstraint("agency_key", name="uq_roster_units_agency_key"),
    )
    op.create_index("ix_roster_units_region", "roster_units", ["region_code", "level"])


def downgrade() -> None:
    op.drop_index("ix_roster_units_region", "roster_units")
    op.drop_table("roster_units")
