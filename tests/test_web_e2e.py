"""End to end: Playwright drives Debian's Chromium through the web app on a live server.

Log in, upload a seed report and a PDF, see the findings, open a cell in its source, correct it,
see the audit trail, open the dashboard and see a chart drawn. Screenshots of each step go to
``test-artifacts/`` (kept by CI). Needs ``chromium`` (.ci/run installs it with fonts-noto-cjk);
skipped without it only outside CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from gongkai.web import create_app
from web_fixtures import PASSWORD, PDF_FILES, SEED_FILES, live_server, make_store

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.tools("chromium", "cjk-font")  # fails under CI=true when missing
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e")
    with make_store(folder, []) as store:  # empty: the test uploads its reports
        app = create_app(store.name, store=store, upload_dir=folder / "uploads")
        with live_server(app) as url:
            yield url


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def test_review_a_report_from_upload_to_dashboard(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(30_000)

    page.goto(f"{base_url}/reports")
    expect(page).to_have_url(f"{base_url}/login?next=/reports")
    page.fill('input[name="name"]', "rita")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    expect(page.locator("#report-count")).to_contain_text("共 0 份")
    shot(page, "1-login")

    page.goto(f"{base_url}/upload")
    seed = SEED_FILES[3]  # 水口镇: blank cells where 0 is expected (C-BLANK warnings)
    page.set_input_files("#upload-files", [str(seed), str(PDF_FILES[0])])
    page.click('#upload-form button[type="submit"]')
    results = page.locator("#upload-results tbody tr")
    expect(results).to_have_count(2)
    expect(page.locator("#upload-results")).to_contain_text("已解析")
    shot(page, "2-upload")

    page.click(f'#upload-results tr:has-text("{seed.name}") a')
    findings = page.locator("#findings .finding")
    expect(findings.first).to_be_visible()
    expect(page.locator("#findings")).to_contain_text("应填0")
    expect(page.locator("#sections")).to_contain_text("总体情况")  # loaded by htmx
    shot(page, "3-report")

    cell = page.locator('td[data-path="applications.new_received.natural_person"]')
    cell.click()
    expect(page.locator("#cell-panel .cell-label")).to_contain_text("本年新收")
    expect(page.locator("#cell-panel .source")).to_be_visible()
    shot(page, "4-cell")
    page.fill('#cell-panel input[name="value"]', "0")
    page.fill('#cell-panel input[name="reason"]', "原文空白，按模板应填0")
    page.click('#cell-panel .correct-form button[type="submit"]')
    expect(page.locator("#audit")).to_contain_text("原文空白，按模板应填0")
    expect(page.locator('td[data-path="applications.new_received.natural_person"]')).to_have_class(
        "value s-corrected")
    shot(page, "5-corrected")

    page.goto(f"{base_url}/reports?has_errors=1")
    page.click("table.list tbody a")  # the PDF: it has errors
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(".png")) as picture:
        page.locator('td[data-path="applications.granted.total"]').click()
    assert picture.value.status == 200 and picture.value.header_value("content-type") == "image/png"
    expect(page.locator("#cell-panel img.page")).to_be_visible()
    shot(page, "6-pdf-cell")

    page.goto(f"{base_url}/dashboard")
    drawn = page.locator("#chart-counts_year[data-drawn=\"2\"] canvas")  # two years: 2022, 2023
    expect(drawn).to_have_count(1)
    expect(page.locator('#chart-outcomes[data-drawn] canvas')).to_have_count(1)
    shot(page, "7-dashboard")
    page.close()


def test_a_viewer_sees_no_correction_form(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{base_url}/login")
    page.fill('input[name="name"]', "vic")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.goto(f"{base_url}/reports")
    page.click("table.list tbody a")
    page.locator("td.value").first.click()
    expect(page.locator("#cell-panel .cell-label")).to_be_visible()
    expect(page.locator("#cell-panel .correct-form")).to_have_count(0)
    expect(page.locator(".review-form")).to_have_count(0)
    page.close()
