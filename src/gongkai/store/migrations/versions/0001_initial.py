"""The first schema: documents, sources, reports, cell_paths, cells, findings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(100)),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("parser_version", sa.String(32), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("ingested_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("sha256", name="uq_documents_sha256"),
    )
    op.create_index("ix_documents_status", "documents", ["status", "parser_version"])
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name="fk_sources_document_id"),
        sa.UniqueConstraint("document_id", "path", name="uq_sources_document_path"),
    )
    op.create_table(
        "reports",
        sa.Column("document_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("source", sa.Text()),
        sa.Column("agency", sa.Text()),
        sa.Column("agency_key", sa.Text()),
        sa.Column("year", sa.Integer()),
        sa.Column("template", sa.String(8)),
        sa.Column("hybrid", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("published", sa.String(32)),
        sa.Column("parser_version", sa.String(32), nullable=False),
        sa.Column("n_errors", sa.Integer(), nullable=False),
        sa.Column("n_warnings", sa.Integer(), nullable=False),
        sa.Column("received", sa.Float()),
        sa.Column("granted", sa.Float()),
        sa.Column("partly_granted", sa.Float()),
        sa.Column("results_total", sa.Float()),
        sa.PrimaryKeyConstraint("document_id", name="pk_reports"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name="fk_reports_document_id"),
    )
    op.create_index("ix_reports_stats", "reports",
                    ["year", "template", "received", "granted", "partly_granted", "results_total"])
    op.create_index("ix_reports_agency", "reports", ["agency_key", "year"])
    op.create_table(
        "cell_paths",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cell_paths"),
        sa.UniqueConstraint("path", name="uq_cell_paths_path"),
    )
    op.create_table(
        "cells",
        sa.Column("report_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("path_id", sa.SmallInteger(), nullable=False, autoincrement=False),
        sa.Column("value", sa.Float()),
        sa.Column("is_int", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("raw", sa.Text()),
        sa.Column("line", sa.Integer()),
        sa.Column("locator", sa.Text()),
        sa.Column("rule", sa.String(32)),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("report_id", "path_id", name="pk_cells"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.document_id"], ondelete="CASCADE",
                                name="fk_cells_report_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "findings",
        sa.Column("report_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False, autoincrement=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("cells", sa.Text()),
        sa.Column("values", sa.Text()),
        sa.Column("line", sa.Integer()),
        sa.Column("evidence", sa.Text()),
        sa.PrimaryKeyConstraint("report_id", "seq", name="pk_findings"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.document_id"], ondelete="CASCADE",
                                name="fk_findings_report_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_findings_rule", "findings", ["rule", "severity", "report_id"])


def downgrade() -> None:
    for table in ("findings", "cells", "cell_paths", "reports", "sources", "documents"):
        op.drop_table(table)
