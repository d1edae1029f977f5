"""Timeliness on the dashboard (issue 13, item 4): reports on time and late per year, counted from
the dates read in each report (never a guessed date), as a chart with its CSV, and driven in
Chromium with a screenshot kept in ``test-artifacts/``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from gongkai.web import create_app
from gongkai.web.stats import TIMELINESS_STATES, Params, timeliness_by_year
from web_fixtures import (
    browser_page,
    make_store,
    served_store,
    supervisor_files,
    supervisor_roster,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The supervisor's reports: 淮阴区 2022 published 2023-04-20 (a county government: late after
    31 March), 淮安市财政局 2022 published 2023-01-19 (a department: on time by 31 January)."""
    folder = tmp_path_factory.mktemp("dashboard-timeliness")
    with make_store(folder, supervisor_files(folder)) as s:
        supervisor_roster(s.engine)
        yield s


def test_the_figure_counts_reports_on_time_and_late_per_year(store) -> None:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        figure = timeliness_by_year(conn, Params(region="320800"))
    assert figure.columns == ["年度", *TIMELINESS_STATES]
    by_year = {row[0]: dict(zip(TIMELINESS_STATES, row[1:], strict=True)) for row in figure.rows}
    assert by_year[2022]["按时"] == 1 and by_year[2022]["逾期"] == 1  # 财政局 on time, 淮阴区 late
    assert figure.note is not None and figure.note.startswith("逾期 1 份")
    with store.engine.connect() as conn:
        everything = timeliness_by_year(conn, Params())
    # every stored report is counted once, in one state
    with store.engine.connect() as conn:
        from sqlalchemy import text

        dated = conn.execute(text("SELECT COUNT(*) FROM reports WHERE year IS NOT NULL")).scalar_one()
    assert sum(sum(row[1:]) for row in everything.rows) == dated


def test_too_many_reports_ask_for_a_narrower_filter(store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import gongkai.web.stats as stats

    monkeypatch.setattr(stats, "TIMELINESS_REPORTS", 2)
    with store.engine.connect() as conn:
        figure = timeliness_by_year(conn, Params())
    assert figure.rows == [] and figure.note is not None and "请选择地区或年度" in figure.note


def test_the_api_gives_the_figure_and_its_csv(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path / "up")
    with TestClient(app) as client:
        answer = client.get("/api/stats/timeliness", params={"region": "320800"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["columns"][:3] == ["年度", "按时", "逾期"]
        table = client.get("/api/stats/timeliness", params={"region": "320800", "format": "csv"})
        rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff"))))
        assert rows[0] == ["年度", *TIMELINESS_STATES] and rows[1][:3] == ["2022", "1", "1"]


# ------------------------------------------------------------------------------ in Chromium
@pytest.fixture(scope="module")
def base_url(store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with served_store(store, tmp_path_factory.mktemp("uploads")) as url:
        yield url


@pytest.mark.tools("chromium", "cjk-font")  # fails under CI=true when missing
def test_the_dashboard_draws_timeliness_for_a_region(store, base_url: str) -> None:  # type: ignore[no-untyped-def]
    with browser_page(base_url, "vic", width=1500, height=1000) as (page, expect):
        page.goto(f"{base_url}/dashboard")
        box = page.locator('figure.chart-box[data-chart="timeliness"]')
        expect(box.locator("figcaption")).to_contain_text("按时发布情况")
        page.fill('#dashboard-filters input[name="region"]', "320800")
        page.click('#dashboard-filters button[type="submit"]')
        expect(box.locator("p.note")).to_contain_text("逾期 1 份")
        expect(page.locator("#chart-timeliness[data-drawn] canvas")).to_have_count(1)
        expect(page.locator("#chart-timeliness")).not_to_have_attribute("data-drawn", "0")
        csv_link = "/api/stats/timeliness?region=320800&format=csv"
        expect(box.locator("a.csv")).to_have_attribute("href", csv_link)
        box.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        box.screenshot(path=str(ARTIFACTS / "web-dashboard-timeliness.png"))
        page.screenshot(path=str(ARTIFACTS / "web-dashboard-timeliness-page.png"), full_page=True)
