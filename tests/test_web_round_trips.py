"""What a page costs the database (issue 12, the load goal on PostgreSQL): the list reads its rows,
their states and its count in one statement, the cache generation comes with the session, and a
report page reads no findings it has not got — while every page shows what the separate reads
showed. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():  # starlette's TestClient suggests httpx2; httpx is what it runs on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sqlalchemy import event, text

from gongkai.store.review import _locators, correct, decide, finding_key
from gongkai.web import create_app, data, listing
from gongkai.web.queries import COUNT_CAP, ListQuery, _encode, list_reports
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import PDF_FILES, api_login, backend_url, make_store, report_id

CELL = "applications.granted.total"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    with make_store(tmp_path, url=backend_url(request, "gongkai_trips")) as s:
        yield s


class Statements:
    """The queries the app's engine sends (SELECTs: transaction control such as SQLite's BEGIN is
    not counted here; tests/test_web_connections.py covers PostgreSQL's)."""

    def __init__(self, engine: Any) -> None:
        self.sent: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.sent.append(statement)

    def during(self, action: Any) -> list[str]:
        start = len(self.sent)
        action()
        return self.sent[start:]


def _written(store: Any) -> dict[str, int]:
    """Reports in every review state: one corrected, one with a decided finding, and one with
    stored findings nobody decided on (when the seeds have them)."""
    with store.engine.connect() as conn:
        flagged = conn.execute(text("SELECT report_id, rule, cells FROM findings WHERE severity IN "
                                    "('error', 'warning') ORDER BY report_id, seq")).all()
        clean = conn.execute(text("SELECT document_id FROM reports r WHERE NOT EXISTS "
                                  "(SELECT 1 FROM findings f WHERE f.report_id = r.document_id) "
                                  "ORDER BY document_id")).scalars().all()
    assert flagged, "the seeds have errors or warnings (the test needs one to decide on)"
    decided = flagged[0]
    decide(store.engine, decided.report_id, finding_key(decided.rule, json.loads(decided.cells or "[]")),
           "dismissed", author="rita", reason="原文如此")
    corrected = report_id(store, PDF_FILES[0].name)
    correct(store.engine, corrected, CELL, 77, author="rita", reason="原文第2页")
    return {"decided": decided.report_id, "corrected": corrected, **({"clean": clean[0]} if clean else {})}


def test_a_list_page_is_two_statements_and_shows_what_separate_reads_showed(  # type: ignore[no-untyped-def]
        store, tmp_path: Path) -> None:
    """Session and list: two statements for a list page whose rows are cached, for the API list
    too beside the rows' own reads; the rows' review states, read only for the rows that have
    something to read, equal those read for every row; the count is the filter's (capped)."""
    ids = _written(store)
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    client = TestClient(app)
    api_login(client, "vic")
    counter = Statements(store.engine)
    for url in ("/reports", "/reports?year=2022", "/reports?has_errors=1"):
        assert client.get(url).status_code == 200  # rows made and cached, facets read
        sent = counter.during(lambda url=url: client.get(url))
        assert len(sent) == 2, sent  # the session (with the generation) and the page
    with store.engine.connect() as conn:
        page = list_reports(conn, ListQuery())
        assert {ids["decided"], ids["corrected"]} <= {r["document_id"] for r in page.rows}
        extras = listing.row_extras(conn, page, anonymous=False)
        every = listing.review_states(conn, [r["document_id"] for r in page.rows])
        assert {rid: e.review for rid, e in extras.items()} == every
        assert every[ids["corrected"]].corrections == 1
        assert every[ids["decided"]].dismissed == 1
        for query in (ListQuery(), ListQuery(year=2022), ListQuery(has_errors=True),
                      ListQuery(template="2019")):
            where = " AND ".join(listing.filters_sql(query)[0]) or "1 = 1"
            expected = conn.execute(text(f"SELECT COUNT(*) FROM reports WHERE {where}"),
                                    listing.filters_sql(query)[1]).scalar_one()
            assert list_reports(conn, query).count == min(expected, COUNT_CAP)
        # past the last page (a cursor after the last row): no row carries the count, it is read
        last = min(r["document_id"] for r in list_reports(conn, ListQuery(limit=500)).rows)
        past = list_reports(conn, ListQuery(after=_encode([last])))
        assert past.rows == [] and past.next_after is None
        assert past.count == list_reports(conn, ListQuery()).count > 0


def test_a_report_page_reads_only_what_its_report_has(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A report without stored findings, corrections or reviews: session, state (with its text on
    a first read), cells — three statements for its page and its JSON; a report with findings
    reads them. The pages are the same as with every part read."""
    ids = _written(store)
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    client = TestClient(app)
    api_login(client, "vic")
    counter = Statements(store.engine)
    client.get("/reports")  # facets and the like, read once

    def cold(url: str) -> tuple[list[str], Any]:
        data.report_cache(store.engine).clear()
        listing._SIGNATURES.clear()
        answer: list[Any] = []
        sent = counter.during(lambda: answer.append(client.get(url)))
        assert answer[0].status_code == 200
        return sent, answer[0]

    assert "clean" in ids, "a seed without findings (the test needs one)"
    for url in (f"/reports/{ids['clean']}", f"/api/reports/{ids['clean']}"):
        sent, _ = cold(url)
        assert len(sent) == 3, sent
    sent, page = cold(f"/reports/{ids['decided']}")
    assert any("FROM findings" in s and "seq" in s for s in sent)  # its findings were read
    with store.engine.connect() as conn:
        rule = conn.execute(text("SELECT rule FROM findings WHERE report_id = :id"),
                            {"id": ids["decided"]}).scalars().first()
    assert rule in page.text
    # the same page with the signature date read by the list's own path: the same timeliness
    listing._SIGNATURES.clear()
    again = client.get(f"/reports/{ids['decided']}")
    assert [again.text.count(w) for w in ("按时", "逾期", "日期不明")] == \
        [page.text.count(w) for w in ("按时", "逾期", "日期不明")]


def test_locators_decoded_together_are_those_decoded_one_by_one() -> None:
    stored = ['{"line": 3, "table": 0}', None, "", '{"page": 2, "box": [1, 2, 3, 4]}', "null"]
    assert _locators(stored) == [None if not s else json.loads(s) for s in stored]
    assert _locators([]) == []
    # a text that is not one JSON value is refused as before, never shifted onto its neighbours
    with pytest.raises(ValueError):
        _locators(['{"line": 1}', "1, 2", ""])
    with pytest.raises(ValueError):
        _locators(['{"line": 1}', "{"])



def test_the_tables_escapes_kept_never_mix_text_and_markup() -> None:
    """The report tables' escapes are kept per text; a Markup equal to a plain text (already safe)
    is never served the plain text's escape, nor the other way round, in either order."""
    from markupsafe import Markup

    from gongkai.web.view import _escaped

    for first, second in (("<b>\"x\"</b>", Markup("<b>\"x\"</b>")), (Markup("<i>&</i>"), "<i>&</i>")):
        answers = [_escaped(first), _escaped(second), _escaped(first)]
        expected = [str(first) if isinstance(first, Markup) else str(Markup.escape(first)),
                    str(second) if isinstance(second, Markup) else str(Markup.escape(second))]
        assert answers == [expected[0], expected[1], expected[0]]
        assert "<" not in answers[0 if not isinstance(first, Markup) else 1]
