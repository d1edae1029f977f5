"""The store (issue 4): ingest into SQLite, idempotence, resume after kill -9, exports, cross-year."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")
pytest.importorskip("pandas")

import pandas as pd
from sqlalchemy import text

import gongkai
from corpus import REAL, SEEDS
from gongkai.store import StoreError, agency_key, open_store
from gongkai.store.stats import DEFAULT_BY, stats_sql

SEED_FILES = sorted(SEEDS.glob("*.txt"))
REAL_FILES = sorted(REAL.glob("*.pdf"))
ALL_FILES = SEED_FILES + REAL_FILES


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The eight reports, a zip holding them again, and a file that is no report."""
    assert len(SEED_FILES) == 5 and len(REAL_FILES) == 3, "tests/data/corpus lacks seeds or PDFs"
    folder = tmp_path_factory.mktemp("inputs")
    archive = folder / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in ALL_FILES:
            zf.write(path, f"reports/{path.name}")
    bad = folder / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    return [*ALL_FILES, archive, bad]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, inputs: list[Path]):  # type: ignore[no-untyped-def]
    """A store with everything ingested once (read-only for the tests that use it)."""
    db = tmp_path_factory.mktemp("db") / "gongkai.db"
    with open_store(db) as s:
        s.first_result = s.ingest(inputs, workers=2)  # type: ignore[attr-defined]
        yield s


def _count(store, table: str) -> int:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_ingest_stores_every_report_once_and_the_failure(store, inputs) -> None:  # type: ignore[no-untyped-def]
    result = store.first_result
    assert (result.seen, result.parsed, result.failed, result.duplicates) == (17, 8, 1, 8)
    reports = store.reports()
    assert len(reports) == 8 and reports["sha256"].is_unique
    failures = store.failures()
    assert len(failures) == 1
    assert failures.loc[0, "path"] == str(inputs[-1]) and "image" in failures.loc[0, "reason"]
    # each document is known under both its paths: the file and the zip member
    with store.engine.connect() as conn:
        paths = [p for (p,) in conn.execute(text("SELECT path FROM sources"))]
    assert len(paths) == 17 and sum("all.zip!/reports/" in p for p in paths) == 8


def test_stored_cells_and_findings_equal_the_parser(store) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    for path in ALL_FILES:
        expected = gongkai.parse(path)
        stored = store.report(hashlib.sha256(path.read_bytes()).hexdigest())
        assert stored is not None, path
        assert stored.cells == expected.cells, path
        assert {p: type(c.value) for p, c in stored.cells.items()} == {  # ints stay ints
            p: type(c.value) for p, c in expected.cells.items()}
        assert stored.findings == expected.findings, path
        for field in ("agency", "year", "template", "hybrid", "title", "published", "parser_version",
                      "media_type"):
            assert getattr(stored, field) == getattr(expected, field), (path, field)


def test_reingest_doubles_nothing(store, inputs) -> None:  # type: ignore[no-untyped-def]
    before = {t: _count(store, t) for t in ("documents", "reports", "cells", "findings", "sources")}
    result = store.ingest(inputs, workers=1)
    assert (result.parsed, result.failed, result.skipped, result.duplicates) == (0, 0, 9, 8)
    assert {t: _count(store, t) for t in before} == before


def test_reparse_after_parser_version_bump(tmp_path: Path, inputs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with open_store(tmp_path / "g.db") as s:
        s.ingest(inputs, workers=1)
        cells, findings = _count(s, "cells"), _count(s, "findings")
        monkeypatch.setattr(gongkai.report, "PARSER_VERSION", "99.0.0")
        kept = s.ingest(inputs, workers=1)
        assert (kept.parsed, kept.reparsed, kept.outdated) == (0, 0, 9)
        redone = s.ingest(inputs, workers=2, reparse=True)
        assert (redone.reparsed, redone.parsed, redone.failed) == (9, 0, 1)
        assert set(s.reports()["parser_version"]) == {"99.0.0"}
        assert set(s.failures()["parser_version"]) == {"99.0.0"}
        assert (_count(s, "reports"), _count(s, "documents")) == (8, 9)
        assert (_count(s, "cells"), _count(s, "findings")) == (cells, findings)
        again = s.ingest(inputs, workers=1, reparse=True)
        assert (again.reparsed, again.skipped) == (0, 9)


def test_corrupt_database_names_the_file(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database\n" * 500)
    with pytest.raises(StoreError, match=r"broken\.db"):
        open_store(db)


def test_damaged_sqlite_pages_are_refused(tmp_path: Path, inputs) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.ingest(SEED_FILES[:1], workers=1)
    data = bytearray(db.read_bytes())
    data[:16] = b"garbage garbage!"  # the header magic
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=str(db.name)):
        open_store(db)


def test_migrations_match_the_models(store) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from gongkai.collect.schema import METADATA as COLLECT  # the collector's tables (revision 0006)
    from gongkai.store.schema import METADATA

    every = MetaData(naming_convention=METADATA.naming_convention)
    for table in (*METADATA.tables.values(), *COLLECT.tables.values()):
        table.to_metadata(every)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), every)
    assert diff == []


def test_upgrade_fills_reports_stored_before_revision_0003(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    db = tmp_path / "g.db"
    with open_store(db) as s:
        s.ingest(REAL_FILES, workers=1)
        before = s.reports().set_index("sha256")
        config = Config()
        config.set_main_option("script_location", str(Path(gongkai.store.__file__).parent / "migrations"))
        with s.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0002")
            conn.execute(text("UPDATE reports SET agency_key = '洪泽区', region_code = NULL, level = NULL"))
    with open_store(db) as s:  # upgrades to the latest revision again
        after = s.reports().set_index("sha256")
    columns = ["agency_key", "region_code", "level", "province", "failed_rules", "received", "denied",
               "unable", "other_handled", "review_total", "litigation_corrected"]
    pd.testing.assert_frame_equal(after[columns], before[columns])
    assert set(after["agency_key"]) == {"320813", "320800"}


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_exports_round_trip(store, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    long = store.cells_long()
    assert len(long) == _count(store, "cells") == 1610  # 8 reports × 200 cells + the 2019 extras
    assert set(long["status"]) <= {"read", "blank", "missing", "inferred"}
    readers = {"csv": lambda p: pd.read_csv(p, encoding="utf-8-sig"),
               "json": lambda p: pd.read_json(p, lines=True),
               "xlsx": lambda p: pd.read_excel(p, engine="openpyxl"),
               "parquet": pd.read_parquet}
    back = readers[fmt](store.export(tmp_path / f"long.{fmt}", format=fmt, form="long"))
    assert len(back) == len(long)
    assert list(back["cell"]) == list(long["cell"]) and list(back["status"]) == list(long["status"])
    assert back["value"].astype(float).fillna(-1).tolist() == long["value"].fillna(-1).tolist()
    wide = store.panel_wide()
    back = readers[fmt](store.export(tmp_path / f"wide.{fmt}", format=fmt, form="wide"))
    assert len(back) == len(wide) == 8
    column = "applications.new_received.total"
    assert back[column].astype(float).fillna(-1).tolist() == wide[column].fillna(-1).tolist()


def test_long_form_matches_the_parser(store) -> None:  # type: ignore[no-untyped-def]
    long = store.cells_long()
    expected = gongkai.parse(REAL / "hongze-2024.pdf")
    rows = long[long["agency"] == expected.agency].set_index("cell")
    assert len(rows) == len(expected.cells)
    for path, cell in expected.cells.items():
        assert rows.loc[path, "status"] == cell.status
        value = rows.loc[path, "value"]
        assert pd.isna(value) if cell.value is None else value == cell.value


def test_agency_key_links_the_forms_of_one_name() -> None:
    assert agency_key("淮安市洪泽区人民政府") == agency_key("洪泽区人民政府") == "320813"
    assert agency_key("江苏省淮安市洪泽区人民政府") == "320813"
    assert agency_key("淮安市人民政府") == "320800"
    assert agency_key("淮安市财政局") == "320800/财政局"  # never "财政局": every city has one
    assert agency_key(" 湘水镇 人民政府") == "湘水镇"
    assert agency_key(None) is None and agency_key("  ") is None


def test_cross_year_on_the_hongze_reports(tmp_path: Path) -> None:
    with open_store(tmp_path / "g.db") as s:
        s.ingest(REAL_FILES, workers=1)
        checks = s.cross_year(passing=True)
        assert set(checks["agency_key"]) == {"320813"} and set(checks["year"]) == {2024}
        assert (checks["rule"] == "X-CARRY").sum() == 7 and (checks["rule"] == "X-INFORCE").sum() == 2
        assert checks["passed"].all()  # the two published reports agree with each other
        assert s.cross_year().empty
        # a carried-over count that does not match last year's carried-forward is a finding
        with s.engine.begin() as conn:
            conn.execute(text(
                "UPDATE cells SET value = 4 WHERE path_id = (SELECT id FROM cell_paths WHERE path = "
                "'applications.carried_over.total') AND report_id = (SELECT document_id FROM reports "
                "WHERE year = 2024 AND agency_key = '320813')"))
        found = s.cross_year()
        assert found[["rule", "cell", "value", "expected"]].values.tolist() == [
            ["X-CARRY", "applications.carried_over.total", 4, 0]]
        assert "结转" in found.loc[0, "message"]


def test_stats(store) -> None:  # type: ignore[no-untyped-def]
    stats = store.stats(by=("year", "template")).set_index(["year", "template"])
    reports = [gongkai.parse(p) for p in ALL_FILES]
    group = [r for r in reports if (r.year, r.template) == (2024, "2021")]
    row = stats.loc[(2024, "2021")]
    assert row["reports"] == len(group) == 2
    assert row["received"] == sum(r.value("applications.new_received.total") or 0 for r in group)
    handled = sum(r.value("applications.total.total") for r in group)
    opened = sum((r.value("applications.granted.total") or 0) + (r.value("applications.partly_granted.total")
                                                                   or 0) for r in group)
    assert row["disclosure_rate"] == pytest.approx(opened / handled)
    unable = sum(r.value(f"applications.{k}.total") or 0 for r in group
                 for k in ("unable_not_held", "unable_needs_creation", "unable_unclear"))
    assert row["share_unable"] == pytest.approx(unable / handled)
    shares = [row[f"share_{o}"] for o in ("granted", "partly_granted", "denied", "unable", "unprocessed",
                                          "other_handled")]
    assert sum(shares) == pytest.approx(1.0)  # the outcome groups make up (七)总计
    review = [(r.value("review_litigation.review.corrected"), r.value("review_litigation.review.total"))
              for r in group]
    reviewed = sum(t for _, t in review)
    expected = sum(c for c, _ in review) / reviewed if reviewed else float("nan")  # no review: no rate, not 0
    assert row["review_correction_rate"] == pytest.approx(expected, nan_ok=True)
    failing = sum(any(f.rule == "T3-ROWSET" for f in r.findings) for r in group) / len(group)
    assert row["fail_T3-ROWSET"] == pytest.approx(failing)
    by_region = store.stats()  # province, level, year; unresolved provinces form their own group
    for rule in ("T3-ROWSET", "C-BLANK"):
        failing = sum(any(f.rule == rule and f.severity != "info" for f in r.findings) for r in reports)
        assert (by_region[f"fail_{rule}"] * by_region["reports"]).sum() == pytest.approx(failing)
    assert by_region["province"].isna().any() and by_region["reports"].sum() == len(reports)
    assert list(by_region.columns[:4]) == ["province", "level", "year", "reports"]
    hongze = by_region[(by_region["province"] == "江苏省") & (by_region["level"] == "县")]
    assert sorted(hongze["year"]) == [2023, 2024] and hongze["reports"].sum() == 2  # 洪泽区, two years
    city = by_region[(by_region["province"] == "江苏省") & (by_region["level"] == "市")]
    assert city[["year", "reports"]].values.tolist() == [[2024, 1]]  # 淮安市人民政府
    with store.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN "
                                                                 + stats_sql(DEFAULT_BY)))
    assert "COVERING INDEX ix_reports_stats" in plan and "TEMP B-TREE" not in plan  # no table, no sort


def test_zip_bomb_member_is_refused_and_recorded(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.txt", b"0" * (20 * 1024 * 1024))
        zf.write(SEED_FILES[0], "ok.txt")
    with open_store(tmp_path / "g.db") as s:
        result = s.ingest([archive], workers=1)
        assert (result.parsed, result.failed) == (1, 1)
        assert "zip bomb" in s.failures().loc[0, "reason"]
        assert s.ingest([archive], workers=1).skipped == 2  # the refusal is recorded once


def _synthetic_folder(folder: Path, n: int) -> None:
    from gongkai.synth.generate import random_report
    from gongkai.synth.text_layouts import render

    rng = random.Random(4)
    folder.mkdir()
    for i in range(n):
        truth = random_report(rng, edition=rng.choice(("2021", "2019")))
        (folder / f"r{i:04d}.txt").write_text(render(truth, "plain", rng), "utf-8")


_INGEST = ("import sys; from gongkai.store import open_store; "
           "open_store(sys.argv[1]).ingest([sys.argv[2]], workers=2, batch_size=15)")


def test_kill_9_mid_ingest_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    folder, db = tmp_path / "reports", tmp_path / "g.db"
    _synthetic_folder(folder, 300)
    process = subprocess.Popen([sys.executable, "-c", _INGEST, str(db), str(folder)], start_new_session=True)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    stored = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if stored >= 30:
                break
    assert process.poll() is None, "the ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    os.killpg(process.pid, signal.SIGKILL)  # its parsing workers (same session, started by this test)
    assert 30 <= stored < 300
    subprocess.run([sys.executable, "-c", _INGEST, str(db), str(folder)], check=True, timeout=120)
    with sqlite3.connect(db) as conn:
        q = conn.execute
        assert q("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents").fetchone() == (300, 300)
        assert q("SELECT COUNT(*) FROM reports").fetchone()[0] == 300
        assert q("SELECT COUNT(*) FROM sources").fetchone()[0] == 300
        assert q("SELECT COUNT(*) FROM reports r WHERE NOT EXISTS "
                 "(SELECT 1 FROM cells c WHERE c.report_id = r.document_id)").fetchone()[0] == 0
        per_report = {n for (n,) in q("SELECT COUNT(*) FROM cells GROUP BY report_id")}
    assert per_report <= {200, 196, 197, 198, 199, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212}


def test_cli_commands(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import typer
    from typer.testing import CliRunner

    from gongkai.store.commands import register

    app = typer.Typer()
    register(app)
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", *map(str, SEED_FILES), "--db", db, "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "新解析 5" in result.output  # Chinese by default (--lang en: "5 parsed")
    result = runner.invoke(app, ["stats", "--db", db, "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("province,level,year,reports")
    target = tmp_path / "out.parquet"
    result = runner.invoke(app, ["export", "--db", db, "--format", "parquet", "--form", "wide",
                                 "-o", str(target)])
    assert result.exit_code == 0 and len(pd.read_parquet(target)) == 5
    assert runner.invoke(app, ["failures", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["cross-year", "--db", db]).exit_code == 0
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"x" * 4096)
    result = runner.invoke(app, ["stats", "--db", str(bad)])
    assert result.exit_code == 2 and "bad.db" in result.output
