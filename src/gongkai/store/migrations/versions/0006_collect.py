"""Collect: the collector's runs, sites, robots.txt per host, frontier, collected document versions
and failures (:mod:`gongkai.collect.schema` explains each table).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collect_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("options", sa.Text()),
    )
    op.create_table(
        "collect_sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seed_url", sa.Text(), nullable=False, unique=True),
        sa.Column("unit", sa.Text()),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "collect_hosts",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("robots", sa.Text()),
        sa.Column("robots_status", sa.Integer()),
        sa.Column("robots_run", sa.Integer()),
        sa.Column("robots_fetched_at", sa.DateTime()),
    )
    op.create_table(
        "collect_urls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("collect_sites.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("referrer", sa.Text()),
        sa.Column("anchor", sa.Text()),
        sa.Column("hint_date", sa.String(10)),
        sa.Column("hint_source", sa.String(16)),
        sa.Column("first_run", sa.Integer(), nullable=False),
        sa.Column("done_run", sa.Integer()),
        sa.Column("state", sa.String(9), nullable=False),
        sa.Column("http_status", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.Column("final_url", sa.Text()),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("fetched_at", sa.DateTime()),
    )
    op.create_index("ix_collect_urls_pending", "collect_urls", ["done_run", "state"])
    op.create_index("ix_collect_urls_site", "collect_urls", ["site_id", "kind"])
    op.create_table(
        "collect_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url_id", sa.Integer(), sa.ForeignKey("collect_urls.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("collect_documents.id")),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text()),
        sa.Column("referrer", sa.Text()),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("year", sa.Integer()),
        sa.Column("published", sa.String(10)),
        sa.Column("published_source", sa.String(16)),
        sa.Column("dates", sa.Text()),
        sa.Column("http_date", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("etag", sa.Text()),
        sa.Column("content_type", sa.Text()),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary()),
        sa.Column("ingest", sa.String(8), nullable=False),
        sa.Column("ingest_note", sa.Text()),
        sa.Column("ingested_at", sa.DateTime()),
        sa.UniqueConstraint("url_id", "version", name="uq_collect_documents_url_version"),
    )
    op.create_index("ix_collect_documents_sha256", "collect_documents", ["sha256"])
    op.create_index("ix_collect_documents_ingest", "collect_documents", ["ingest", "id"])
    op.create_table(
        "collect_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("url_id", sa.Integer(), sa.ForeignKey("collect_urls.id", ondelete="CASCADE")),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("referrer", sa.Text()),
        sa.Column("kind", sa.String(8)),
        sa.Column("http_status", sa.Integer()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_collect_failures_run", "collect_failures", ["run", "id"])


def downgrade() -> None:
    for table in ("collect_failures", "collect_documents", "collect_urls", "collect_hosts", "collect_sites",
                  "collect_runs"):
        op.drop_table(table)
