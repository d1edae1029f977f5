"""The web app's caches of computed report views (issue 12, the load goal): bounded, never one
user's or role's page served to another, and never stale after a write from any process or
command. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():  # starlette's TestClient suggests httpx2; httpx is what it runs on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sqlalchemy import text

from gongkai.store.review import correct, decide
from gongkai.web import create_app, data, listing
from gongkai.web.cache import BoundedCache
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import PDF_FILES, SEED_FILES, api_login, backend_url, make_store, report_id

CELL = "applications.granted.total"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh store per test (each test writes), so that no test sees another's cache."""
    with make_store(tmp_path, url=backend_url(request, "gongkai_cache")) as s:
        yield s


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The report ids whose parts were computed from the database (not served from the cache)."""
    calls: list[int] = []
    real = data._parts

    def counting(conn: Any, report_id: int, lang: str, **counts: int) -> Any:
        calls.append(report_id)
        return real(conn, report_id, lang, **counts)

    monkeypatch.setattr(data, "_parts", counting)
    return calls


def _client(app: Any, name: str | None) -> TestClient:
    client = TestClient(app)
    if name:
        api_login(client, name)
    return client


def test_each_user_sees_their_own_page_from_the_shared_cache(store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             computed: list[int]) -> None:
    """One cached report, read by a reviewer, a viewer and a visitor (anonymous read), in both
    orders: each page has its own header, CSRF token and forms, and the visitor sees no
    reviewer's name and no server path — while the report's parts were computed once."""
    app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    with store.engine.connect() as conn:
        source = conn.execute(text("SELECT source FROM reports WHERE document_id = :id"),
                              {"id": rid}).scalar_one()
    folder = str(Path(source).parent)
    rita, vic, visitor = _client(app, "rita"), _client(app, "vic"), _client(app, None)
    token = rita.get("/api/me").json()["csrf"]
    answer = rita.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
                       json={"value": 3, "reason": "原文第2页"})
    assert answer.status_code == 201, answer.text
    del computed[:]

    for order in ([visitor, vic, rita], [rita, vic, visitor]):
        data.report_cache(store.engine).clear()
        pages = {id(c): c.get(f"/reports/{rid}") for c in order}
        jsons = {id(c): c.get(f"/api/reports/{rid}").json() for c in order}
        assert all(p.status_code == 200 for p in pages.values())
        rita_page, vic_page, visitor_page = pages[id(rita)].text, pages[id(vic)].text, pages[id(visitor)].text
        # the reviewer: her name in the trail, the review forms with her own token, the full path
        assert "rita" in rita_page and f'value="{token}"' in rita_page and "findings/review" in rita_page
        assert folder in rita_page
        # the viewer: names (logged in), but no review form and never the reviewer's token
        assert "rita" in vic_page and "findings/review" not in vic_page and token not in vic_page
        # the visitor: no names, no folders, no forms, no token of anyone logged in
        assert "rita" not in visitor_page and folder not in visitor_page
        assert "findings/review" not in visitor_page and token not in visitor_page
        assert jsons[id(rita)]["corrections"][0]["author"] == "rita"
        assert jsons[id(rita)]["meta"]["source"] == source
        assert jsons[id(visitor)]["corrections"][0]["author"] == data.ANONYMOUS_AUTHOR
        assert jsons[id(visitor)]["meta"]["source"] == Path(source).name
        assert "rita" not in str(jsons[id(visitor)]) and folder not in str(jsons[id(visitor)])
        # six answers, one computation: the others were served from the cache
        assert computed.count(rid) == 1, computed
        del computed[:]


def test_a_cached_report_follows_every_write_from_anywhere(store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           computed: list[int]) -> None:
    """Corrections and decisions written straight to the store (another server process, the
    command line) and a re-parse by ``ingest --reparse`` show on the next page: the cache
    entry is checked against the database on every read."""
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    rita = _client(app, "rita")
    first = rita.get(f"/api/reports/{rid}").json()
    rita.get(f"/api/reports/{rid}")
    assert computed == [rid]  # the second read came from the cache

    correct(store.engine, rid, CELL, 4321, author="ada", reason="另一进程的更正")
    after = rita.get(f"/api/reports/{rid}").json()
    assert after["cells"][CELL]["value"] == 4321 and after["cells"][CELL]["status"] == "corrected"
    assert after["corrections"][0]["author"] == "ada" and computed == [rid, rid]
    assert "4321" in rita.get(f"/reports/{rid}").text and computed == [rid, rid]

    finding = next(f for f in first["findings"] if f["open"]) if any(f["open"] for f in first["findings"]) \
        else None
    if finding is not None:
        decide(store.engine, rid, finding["key"], "dismissed", author="ada", reason="命令行驳回")
        decided = rita.get(f"/api/reports/{rid}").json()
        mine = next(f for f in decided["findings"] if f["key"] == finding["key"])
        assert mine["decision"]["decision"] == "dismissed" and not mine["open"]
        assert len(computed) == 3

    before = len(computed)
    with store.engine.begin() as conn:  # as if an older parser had stored it: --reparse parses again
        conn.execute(text("UPDATE documents SET parser_version = 'older' WHERE id = :id"), {"id": rid})
    result = store.ingest([PDF_FILES[0]], workers=1, reparse=True)
    assert result.reparsed == 1
    reparsed = rita.get(f"/api/reports/{rid}").json()
    assert len(computed) == before + 1  # the parse changed: computed again
    assert reparsed["cells"][CELL]["value"] == 4321  # the correction survives the re-parse


def test_the_report_cache_is_bounded_by_entries_and_by_bytes(store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [report_id(store, f.name) for f in [*SEED_FILES, PDF_FILES[0]]]
    assert len(ids) >= 4
    monkeypatch.setattr(data, "REPORT_CACHE_ENTRIES", 2)
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    vic = _client(app, "vic")
    for rid in ids * 2:
        assert vic.get(f"/reports/{rid}").status_code == 200
    cache = data.report_cache(store.engine)
    assert len(cache) == 2  # the two read last

    data._CACHES.clear()  # the next engine's cache: by bytes (1 MiB, ~0.2 MiB a report)
    monkeypatch.setattr(data, "REPORT_CACHE_ENTRIES", 10_000)
    monkeypatch.setenv(data.REPORT_CACHE_ENV, "1")
    for rid in ids * 3:
        assert vic.get(f"/api/reports/{rid}").status_code == 200
    cache = data.report_cache(store.engine)
    assert 0 < cache.bytes <= 1024 * 1024 and 0 < len(cache) <= len(ids)

    data._CACHES.clear()
    monkeypatch.setenv(data.REPORT_CACHE_ENV, "0")  # off
    assert vic.get(f"/reports/{ids[0]}").status_code == 200
    assert len(data.report_cache(store.engine)) == 0


def test_the_list_signature_cache_is_bounded(store, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The list caches each row's signature date (its text's last lines) by report and parse:
    bounded, and a page with more rows than it holds still shows every row's timeliness."""
    small: BoundedCache[Any] = BoundedCache(2)
    monkeypatch.setattr(listing, "_SIGNATURES", small)
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    vic = _client(app, "vic")
    first = vic.get("/api/reports").json()["items"]
    again = vic.get("/api/reports").json()["items"]
    assert len(first) > 2 and len(small) == 2
    assert [r["timeliness"] for r in first] == [r["timeliness"] for r in again]
    assert any(r["published_source"] for r in first)


def test_the_connection_pool_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A web process runs up to 40 requests at once: the pool keeps 10 connections and opens up
    to 30 more by default; ``GONGKAI_DB_POOL_SIZE`` / ``GONGKAI_DB_MAX_OVERFLOW`` change it, and
    a value that is not a count is refused by name (0 would mean "no limit" to SQLAlchemy)."""
    from gongkai.store import MAX_OVERFLOW, POOL_SIZE, StoreError, open_store

    with open_store(tmp_path / "a.db") as store:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (POOL_SIZE, MAX_OVERFLOW)  # type: ignore[attr-defined]
    monkeypatch.setenv("GONGKAI_DB_POOL_SIZE", "3")
    monkeypatch.setenv("GONGKAI_DB_MAX_OVERFLOW", "0")
    with open_store(tmp_path / "b.db") as store:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (3, 0)  # type: ignore[attr-defined]
    for wrong in ("0", "-1", "ten", "²"):
        monkeypatch.setenv("GONGKAI_DB_POOL_SIZE", wrong)
        with pytest.raises(StoreError, match="GONGKAI_DB_POOL_SIZE"):
            open_store(tmp_path / "c.db")


def test_the_form_tables_html_escapes_every_text() -> None:
    """The report page's tables are written by :func:`gongkai.web.view.tables_html` (once per
    cached view) instead of cell by cell in Jinja: every text and attribute is escaped."""
    from gongkai.web.view import TableView, TdView, tables_html

    evil = '"><script>alert(1)</script>'
    value = TdView(evil, "value", 2, 1, f"applications.x{evil}", evil, evil, evil)
    html = tables_html([TableView("applications", evil, [[TdView(evil, "label", 1, 2), value]])], 12)
    # heading, label, and the value cell's path (twice), status, severity, title and text
    assert "<script>" not in html and html.count("&lt;script&gt;") == 8
    assert 'colspan="2"' in html and 'rowspan="2"' in html
    assert 'hx-get="/reports/12/cells/applications.x&#34;&gt;' in html


def test_list_rows_are_cached_per_role_and_language_and_follow_writes(  # type: ignore[no-untyped-def]
        store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list's rows are HTML cached per query, language and role (visitors apart): a visitor
    never gets the rows a logged-in user got (server folders in their titles) nor the other way
    round; a correction or a decision written by another process changes the review column at
    once; and the cache holds at most ROWS_CACHED pages."""
    made: list[tuple[Any, ...]] = []
    real = listing.row_extras

    def counting(conn: Any, rows: Any, **options: Any) -> Any:
        made.append(tuple(options.items()))
        return real(conn, rows, **options)

    monkeypatch.setattr(listing, "row_extras", counting)
    app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    with store.engine.connect() as conn:
        folder = str(Path(conn.execute(text("SELECT source FROM reports WHERE document_id = :id"),
                                       {"id": rid}).scalar_one()).parent)
    rita, vic, visitor = _client(app, "rita"), _client(app, "vic"), _client(app, None)
    for order in ([visitor, rita, vic], [rita, visitor, vic]):
        listing.rows_cache(store.engine).clear()
        del made[:]
        pages = {id(c): [c.get("/reports").text for _ in range(2)] for c in order}
        assert folder in pages[id(rita)][0] and folder in pages[id(vic)][0]
        assert all(folder not in page for page in pages[id(visitor)])
        assert len(made) == 3  # one rendering per role (and the visitor); every second page cached
        assert pages[id(rita)][0] == pages[id(rita)][1]
    english = vic.get("/reports?lang=en").text
    assert len(made) == 4 and english != pages[id(vic)][0]  # another language: its own rows

    del made[:]
    correct(store.engine, rid, CELL, 77, author="ada", reason="另一进程")
    after = vic.get("/reports").text
    assert len(made) == 1 and after != pages[id(vic)][0]  # the review column changed: made again
    vic.get("/reports")
    assert len(made) == 1

    monkeypatch.setattr(listing, "ROWS_CACHED", 3)
    listing._ROWS.clear()
    for year in range(2015, 2025):
        assert vic.get(f"/reports?year={year}").status_code == 200
    assert len(listing.rows_cache(store.engine)) == 3
