"""Collections: report sections (for copied-text checks), the rules a report fails and more copied
statistics, with the covering index ``stats`` by region, level and year is answered from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# copied cells (see schema.py: ReportRow), in the order of the covering index
STATS = ("denied", "unable", "unprocessed", "other_handled", "review_total", "review_corrected",
         "litigation_total", "litigation_corrected")
OLD_INDEX = ["year", "template", "received", "granted", "partly_granted", "results_total"]
NEW_INDEX = ["province", "level", "year", "failed_rules", "template", "received", "granted", "partly_granted",
             *STATS[:4], "results_total", *STATS[4:], "n_errors"]


def upgrade() -> None:
    op.drop_index("ix_reports_stats", "reports")
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("sections", sa.Text()))
        batch.add_column(sa.Column("failed_rules", sa.Text()))
        for name in STATS:
            batch.add_column(sa.Column(name, sa.Float()))
    _fill(op.get_bind())
    op.create_index("ix_reports_stats", "reports", NEW_INDEX)


def _fill(conn: sa.Connection) -> None:
    """Reports stored before this revision: agency identity (replacing the old key), the copied
    figures and failed rules, from what is stored. Sections need the source: ``--reparse``."""
    from gongkai.agency import identify
    from gongkai.store.stats import stat_paths
    from gongkai.template import TableShape

    rows = conn.execute(sa.text("SELECT document_id, agency FROM reports WHERE agency IS NOT NULL")).all()
    if not rows:
        return
    identity = []
    for document_id, agency in rows:
        who = identify(agency) if agency.strip() else None
        if who is not None:
            identity.append({"id": document_id, "key": who.key, "name": who.name, "code": who.region_code,
                             "province": who.province, "city": who.city, "county": who.county,
                             "township": who.township, "level": who.level})
    if identity:
        conn.execute(sa.text("UPDATE reports SET agency_key = :key, agency_name = :name, "
                             "region_code = :code, province = :province, city = :city, county = :county, "
                             "township = :township, level = :level WHERE document_id = :id"), identity)
    for template, hybrid in conn.execute(sa.text("SELECT DISTINCT template, hybrid FROM reports "
                                                 "WHERE template IS NOT NULL")).all():
        for column, paths in stat_paths(TableShape(template, bool(hybrid))).items():
            if column in STATS:
                conn.execute(sa.text(
                    f"UPDATE reports SET {column} = (SELECT SUM(c.value) FROM cells c JOIN cell_paths p "
                    f"ON p.id = c.path_id WHERE c.report_id = reports.document_id AND p.path IN :paths) "
                    f"WHERE template = :template AND hybrid = :hybrid").bindparams(
                    sa.bindparam("paths", expanding=True)),
                    {"paths": list(paths), "template": template, "hybrid": hybrid})
    failed: dict[int, set[str]] = {}
    for report_id, rule in conn.execute(sa.text("SELECT DISTINCT report_id, rule FROM findings "
                                                "WHERE severity IN ('error', 'warning')")):
        failed.setdefault(report_id, set()).add(rule)
    if failed:
        conn.execute(sa.text("UPDATE reports SET failed_rules = :rules WHERE document_id = :id"),
                     [{"id": i, "rules": ",".join(sorted(r))} for i, r in failed.items()])


def downgrade() -> None:
    op.drop_index("ix_reports_stats", "reports")
    with op.batch_alter_table("reports") as batch:
        for name in reversed(STATS):
            batch.drop_column(name)
        batch.drop_column("failed_rules")
        batch.drop_column("sections")
    op.create_index("ix_reports_stats", "reports", OLD_INDEX)
