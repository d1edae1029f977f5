"""Layers over the parse: corrections (audit trail), reviews of findings, users, source blobs;
agency identity columns on reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

IDENTITY = [("agency_name", sa.Text()), ("region_code", sa.String(12)), ("province", sa.Text()),
            ("city", sa.Text()), ("county", sa.Text()), ("township", sa.Text()), ("level", sa.String(8))]


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name, kind in IDENTITY:
            batch.add_column(sa.Column(name, kind))
    op.create_index("ix_reports_region", "reports", ["region_code", "level", "year"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("path_id", sa.SmallInteger(), nullable=False),
        sa.Column("old_value", sa.Float()),
        sa.Column("old_status", sa.String(9)),
        sa.Column("value", sa.Float()),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.document_id"], ondelete="CASCADE",
                                name="fk_corrections_report_id"),
    )
    op.create_index("ix_corrections_cell", "corrections", ["report_id", "path_id", "id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("finding_key", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(9), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.document_id"], ondelete="CASCADE",
                                name="fk_reviews_report_id"),
    )
    op.create_index("ix_reviews_finding", "reviews", ["report_id", "finding_key", "id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "blobs",
        sa.Column("document_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("codec", sa.String(8), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_blobs"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name="fk_blobs_document_id"),
    )


def downgrade() -> None:
    for table in ("blobs", "users", "reviews", "corrections"):
        op.drop_table(table)
    op.drop_index("ix_reports_region", "reports")
    with op.batch_alter_table("reports") as batch:
        for name, _kind in reversed(IDENTITY):
            batch.drop_column(name)
