"""`gongkai collect` end to end against a real HTTP server on 127.0.0.1 (tests/collect_site.py):
four CMS styles, pagination, attachments, faults; ingest into SQLite (and PostgreSQL); a kill -9
mid-run; a re-run with conditional GETs and a changed report."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("httpx")
pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")

from sqlalchemy import text
from typer.testing import CliRunner

from collect_site import Site, SiteServer, build_site, page, report_html
from conftest import require_tool
from gongkai.cli import app
from gongkai.collect import read
from gongkai.store import open_store
from test_store_postgres import pg_db, pg_url  # noqa: F401  (a real PostgreSQL server's fixtures)

POLITE = ["--rate", "40", "--timeout", "1", "--backoff", "0.05", "--retries", "3", "--max-mb", "1",
          "--workers", "1"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    require_tool("soffice", "cjk-font")  # the test site's PDF reports
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def server(site: Site):  # type: ignore[no-untyped-def]
    with SiteServer(copy.deepcopy(site)) as running:
        yield running


def _sites_csv(server: SiteServer, folder: Path) -> Path:
    path = folder / "sites.csv"
    lines = ["单位,网址"] + [f"{unit},{server.url}{seed}" for seed, unit in server.site.seeds]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _collect(server: SiteServer, db: str, folder: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["collect", "--sites", str(_sites_csv(server, folder)), "--db", db,
                                      *POLITE, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _check_collected(server: SiteServer, db: str) -> None:
    """Every expected document is stored once per content, with its date, source and report."""
    store = open_store(db)
    with store:
        frame = read.collected(store.engine)
        by_path = {url[len(server.url):]: row for url, row in zip(frame["url"], frame.to_dict("records"),
                                                                  strict=True)}
        for expected in server.site.expected:
            row = by_path.get(expected.url)
            assert row is not None, f"not collected: {expected.url}"
            assert row["kind"] == expected.kind, expected.url
            assert row["unit"] == expected.unit, expected.url
            assert row["published"] == expected.published, expected.url
            assert row["published_source"] == expected.published_source, expected.url
            assert row["title_year"] == expected.year, expected.url
            assert row["version"] == 1, expected.url
            if expected.ingest == "skip":
                assert row["ingest"] == "skip", expected.url
                continue
            assert row["ingest"] == "done", expected.url
            if row["url"].endswith(".zip"):
                continue  # its member is the report (checked below)
            assert row["document_status"] == "parsed", (expected.url, row["document_error"])
            assert row["report_year"] == expected.year, expected.url
        unexpected = sorted(set(by_path) - {e.url for e in server.site.expected})
        assert len(by_path) == len(server.site.expected), unexpected
        with store.engine.connect() as conn:
            reports = {source: (year, published) for source, year, published in conn.execute(text(
                "SELECT source, year, published FROM reports"))}
        for expected in server.site.expected:
            if expected.ingest != "pending":
                continue
            url = server.url + expected.url
            if url.endswith(".zip"):
                url = next(s for s in reports if s.startswith(url + "!/"))
            assert reports[url] == (expected.year, expected.published), url
        failures = {url[len(server.url):]: reason for url, reason in zip(*[read.failures(store.engine)[c]
                                                                          for c in ("url", "reason")],
                                                                          strict=True)}
        for path, word in server.site.failing.items():
            assert word in failures.get(path, ""), (path, failures.get(path))
        for path in server.site.forbidden:
            assert "robots.txt" in failures[path]
        with store.engine.connect() as conn:
            urls = [u for (u,) in conn.execute(text("SELECT url FROM collect_urls"))]
        assert all(u.startswith(server.url + "/") for u in urls), "a URL outside the test site was queued"


def test_collect_end_to_end(server: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    output = _collect(server, db, tmp_path)
    assert "入库" in output
    _check_collected(server, db)
    requested = server.paths()
    for path in server.site.forbidden:
        assert path not in requested, "robots.txt was not honoured"
    assert requested.count("/robots.txt") == 1
    assert all("gongkai" in r.user_agent for r in server.requests)
    assert server.max_in_flight == 1, "more than one request at once to one host (--per-host 1)"
    # the flaky page: two 500s, then served; retried, not given up
    assert requested.count("/hz/col/202203/t20220320_202101.html") == 3
    # the missing-reports matrix and timeliness
    with open_store(db) as store:
        matrix = store.missing("淮安市", range(2020, 2024)).set_index("agency_key")
        assert matrix.loc["320830", "2021"] == 0 and matrix.loc["320830", "2022"] == 1
        assert matrix.loc["320813", ["2021", "2022", "2023"]].tolist() == [1, 1, 1]
        assert matrix.loc["320800/财政局", ["2020", "2021", "2022", "2023"]].tolist() == [0, 1, 1, 1]
        assert matrix.loc["320831", ["2021", "2022", "2023"]].tolist() == [0, 1, 1]
        timely = read.timeliness(store.engine)
    got = {}
    with open_store(db) as store, store.engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT document_id, agency_key FROM reports")).all())
    for document_id, year, late in zip(timely["document_id"], timely["report_year"], timely["late"],
                                       strict=True):
        got[(keys[int(document_id)], int(year))] = late
    assert got == server.site.late
    # the CLI lists what was collected and what failed
    listed = CliRunner().invoke(app, ["collected", "--db", db, "--format", "csv"])
    assert listed.exit_code == 0 and "2024-04-10" in listed.output
    failed = CliRunner().invoke(app, ["collect-failures", "--db", db, "--format", "csv"])
    assert failed.exit_code == 0 and "/jh/loop1" in failed.output


def test_rerun_conditional_and_new_version(server: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    _collect(server, db, tmp_path)
    changed = "/art/2024/1/25/art_3001_2023.html"
    new_body = page("淮安市财政局2023年政府信息公开工作年度报告",
                    '<div class="info">发布时间：2024年01月25日 10:20</div>'
                    + report_html("淮安市财政局", 2023, 99), charset="gb2312").encode("gb18030")
    server.site.replace(changed, new_body)
    before = len(server.requests)
    output = _collect(server, db, tmp_path)
    assert "新的第 2 次采集" in output
    second = server.requests[before:]
    with_validators = {p for p, r in server.site.resources.items()
                       if r.validators and not r.fault and p not in server.site.failing}
    for request in second:
        if request.path in with_validators and request.path != changed and request.path != "/robots.txt":
            assert request.conditional and request.status == 304, request
    assert [r.status for r in second if r.path == changed] == [200]
    with open_store(db) as store:
        versions = read.collected(store.engine, latest=False)
        rows = versions[versions["url"] == server.url + changed].sort_values("version")
        assert rows["version"].tolist() == [1, 2]
        assert rows["previous_id"].iloc[1] == rows["id"].iloc[0]
        latest = read.collected(store.engine)
        row = latest[latest["url"] == server.url + changed].iloc[0]
        assert row["version"] == 2 and row["document_status"] == "parsed"
        assert row["previous_document_id"] == rows["document_id"].iloc[0]
        assert row["document_id"] != row["previous_document_id"]
        assert len(latest) == len(server.site.expected)


def test_kill_and_resume(server: SiteServer, tmp_path: Path) -> None:
    """kill -9 mid-run: the re-run fetches nothing the killed run recorded, and loses nothing."""
    db = str(tmp_path / "c.db")
    command = [sys.executable, "-c", "from gongkai.cli import main; main()", "collect", "--sites",
               str(_sites_csv(server, tmp_path)), "--db", db, *POLITE[:-2], "--rate", "8", "--no-ingest"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while len(server.requests) < 14 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "the collector finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    first = len(server.requests)
    first_paths = set(server.paths())
    with open_store(db) as store, store.engine.connect() as conn:
        recorded = {u[len(server.url):] for (u,) in conn.execute(text(
            "SELECT url FROM collect_urls WHERE done_run IS NOT NULL"))}
        finished = conn.execute(text("SELECT finished_at FROM collect_runs")).scalars().all()
    assert recorded and finished == [None]
    output = _collect(server, db, tmp_path)
    assert "继续上次未完成的第 1 次采集" in output
    second_paths = server.paths(first)
    assert not recorded & set(second_paths), ("fetched again what the killed run had recorded",
                                              recorded & set(second_paths))
    assert "/robots.txt" not in second_paths
    again = first_paths & set(second_paths)
    assert len(again) <= 1, again  # at most the one request in flight (--per-host 1) at the kill
    _check_collected(server, db)


def test_collect_into_postgresql(server: SiteServer, tmp_path: Path, pg_db: str) -> None:  # noqa: F811
    db = pg_db
    _collect(server, db, tmp_path)
    _check_collected(server, db)
