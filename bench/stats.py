"""Benchmark: ``stats`` over a million stored reports (SQLite), answered from indexes.

Usage:  python bench/stats.py [--reports 1000000] [--seed-reports 1000] [--db PATH]

Ingests ``--seed-reports`` random reports (``gongkai.synth``), then multiplies their ``documents``,
``reports`` and ``findings`` rows by SQL (``INSERT … SELECT`` over a counter) up to ``--reports``,
spreading the copies over the 31 provinces and the five levels so that the groups look like a
national collection. Cells are not multiplied: ``stats`` never reads them. Then times
``Store.stats()`` (province × level × year, with the share failing each rule) and its SQL query
alone, and prints the query plan. ``sections`` are not copied either (``stats`` does not read
them; with them a million rows take ~10 GB).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from gongkai.agency import divisions
from gongkai.store import open_store
from gongkai.store.stats import DEFAULT_BY, stats_sql
from gongkai.synth.generate import random_report
from gongkai.synth.text_layouts import render

LEVELS = ("省", "市", "县", "乡镇", "部门")


def seed(folder: Path, n: int) -> None:
    rng = random.Random(5)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        truth = random_report(rng, format=rng.choice(("2021", "2019")), inconsistent=rng.random() < 0.2)
        (folder / f"r{i:06d}.txt").write_text(render(truth, "plain", rng), "utf-8")


def multiply(store, target: int) -> None:  # type: ignore[no-untyped-def]
    """Copies of the seed rows up to ``target`` reports; copy k of document d gets id d + k·M."""
    provinces = sorted(name for code, name in divisions().items() if code.endswith("0000"))[:31]
    with store.engine.begin() as conn:
        seed_count, top = conn.execute(text("SELECT COUNT(*), MAX(document_id) FROM reports")).one()
        copies = -(-target // seed_count) - 1
        conn.execute(text("CREATE TEMP TABLE places (i INTEGER PRIMARY KEY, province TEXT)"))
        conn.execute(text("INSERT INTO places VALUES (:i, :p)"),
                     [{"i": i, "p": p} for i, p in enumerate(provinces)])
        conn.execute(text("CREATE TEMP TABLE levels (i INTEGER PRIMARY KEY, level TEXT)"))
        conn.execute(text("INSERT INTO levels VALUES (:i, :l)"),
                     [{"i": i, "l": lv} for i, lv in enumerate(LEVELS)])
        conn.execute(text(f"CREATE TEMP TABLE k AS WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 "
                          f"FROM c WHERE k < {copies}) SELECT k FROM c"))
        conn.execute(text(
            f"INSERT INTO documents (id, sha256, size, media_type, status, error, parser_version, batch, "
            f"ingested_at) SELECT d.id + k.k * {top}, d.sha256 || '-' || k.k, d.size, d.media_type, "
            f"d.status, d.error, d.parser_version, d.batch, d.ingested_at FROM documents d, k "
            f"WHERE d.status = 'parsed'"))
        varied = ("document_id", "province", "level", "sections")  # set per copy (sections: left NULL)
        columns = [c for c in _report_columns(conn) if c not in varied]
        listed = ", ".join(columns)
        conn.execute(text(
            f"INSERT INTO reports (document_id, province, level, {listed}) "
            f"SELECT r.document_id + k.k * {top}, p.province, l.level, "
            f"{', '.join('r.' + c for c in columns)} "
            f"FROM reports r, k JOIN places p ON p.i = (r.document_id + k.k) % {len(provinces)} "
            f"JOIN levels l ON l.i = (r.document_id * 7 + k.k) % {len(LEVELS)}"))
        conn.execute(text(
            f"INSERT INTO findings (report_id, seq, rule, severity, message, message_en, cells, \"values\", "
            f"line, evidence) SELECT f.report_id + k.k * {top}, f.seq, f.rule, f.severity, f.message, "
            f"f.message_en, f.cells, f.\"values\", f.line, f.evidence FROM findings f, k"))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def _report_columns(conn) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(reports)")]


def timed(function, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed-reports", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="keep the database here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "stats.db"
        store = open_store(db)
        with store.engine.connect() as conn:
            stored = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one()
        if stored < args.reports:
            started = time.perf_counter()
            seed(Path(tmp) / "seed", args.seed_reports)
            store.ingest([Path(tmp) / "seed"], workers=os.cpu_count() or 1)
            multiply(store, args.reports)
            print(f"built in {time.perf_counter() - started:.0f} s")
        with store.engine.connect() as conn:
            reports, findings = conn.execute(text(
                "SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM findings)")).one()
            plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN "
                                                                       + stats_sql(DEFAULT_BY)))
        size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
        print(f"{reports:,} reports, {findings:,} findings, database {size / 1e6:,.0f} MB")
        print(f"plan: {plan}")

        def sql(query: str):  # type: ignore[no-untyped-def]
            return lambda: store.engine.connect().execute(text(query)).all()

        for label, function in (("stats() (pandas, with rule shares)", lambda: store.stats()),
                                ("  its SQL query alone", sql(stats_sql(DEFAULT_BY))),
                                ("stats(rules=False)", lambda: store.stats(rules=False))):
            times = timed(function, args.repeat)
            print(f"{label}: median {statistics.median(times):.2f} s (min {min(times):.2f}, "
                  f"{args.repeat} runs)")
        groups = len(store.stats(rules=False))
        print(f"{groups} groups (province × level × year); Python {platform.python_version()}, "
              f"{platform.machine()}, {os.cpu_count()} CPUs")
        store.close()


if __name__ == "__main__":
    main()
