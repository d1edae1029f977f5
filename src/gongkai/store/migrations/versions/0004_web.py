"""The web app: its settings (the key that signs session cookies) and indexes for the report list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The report list walks reports newest first (by document_id) under a filter, or in year or error
# order: with (year, document_id) a page of one year, and keyset pages in year order, are seeks.
# ix_reports_list is a narrow copy of every filtered column in id order: a list filtered on
# several columns (or searched by name) scans it instead of the wide report rows (their
# sections' text), about ten times less to read.
INDEXES = {"ix_reports_year_id": ["year", "document_id"],
           "ix_reports_template_id": ["template", "document_id"],
           "ix_reports_errors_id": ["n_errors", "document_id"],
           "ix_reports_list": ["document_id", "n_errors", "template", "year", "level", "region_code",
                               "province", "city", "county", "agency", "agency_name"]}


def upgrade() -> None:
    op.create_table(
        "web_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_web_settings"),
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "reports", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "reports")
    op.drop_table("web_settings")
