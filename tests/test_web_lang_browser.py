"""Issue 13, item 1 in a real browser: Playwright drives Debian's Chromium through every page of the
web app — login, the report list, a report (its cell panel and text), the dashboard (its charts,
agency search and matrix), upload (with results), the audit log, the accounts, the API docs, and
the 404 and 422 pages — once in English (chosen with the header's switch) and once in Chinese.
In English no Chinese may show outside data values (names of agencies and places, the report's
own text and the official form's labels, which the template has in Chinese only, marked
``class="data"`` on the page); in Chinese the main labels are Chinese. Screenshots go to
``test-artifacts/web-lang-*.png`` (kept by CI)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from gongkai.store.review import correct, decide, finding_key
from gongkai.web import create_app
from web_fixtures import (
    PASSWORD,
    live_server,
    make_store,
    report_id,
    supervisor_files,
    supervisor_roster,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CJK = re.compile(r"[\u3400-\u9fff]")

pytestmark = pytest.mark.tools("chromium", "cjk-font")  # fails under CI=true when missing
playwright_api = pytest.importorskip("playwright.sync_api")

# every text a visitor reads (text nodes shown, placeholders, tooltips, alt texts, options), but
# for data values and the language switch (it names Chinese in Chinese, as multilingual sites do)
SHOWN_TEXT = """() => {
  // a select of data (places) marks its options; its "all" option (value "") is a word of the page
  const skipped = (el) => el.closest('.data, #lang-switch, script, style, noscript')
    || (el.tagName === 'OPTION' && el.value && el.parentElement.classList.contains('data-options'));
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (!text || !el || skipped(el)) continue;
    if (el.tagName !== 'OPTION' && !el.getClientRects().length) continue;  // not shown
    out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], img[alt]')) {
    if (skipped(el)) continue;
    for (const name of ['placeholder', 'title', 'alt']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("web-lang-browser")
    with make_store(folder, supervisor_files(folder)) as s:
        supervisor_roster(s.engine)
        # something in every audit trail: a correction and a reviewed finding
        rid = report_id(s, "huaiyin-2022.txt")
        correct(s.engine, rid, "applications.new_received.natural_person", 7, author="rita",
                reason="原文第3页")
        with s.engine.connect() as conn:
            from sqlalchemy import text

            rule, cells = conn.execute(text("SELECT rule, cells FROM findings WHERE report_id = :r LIMIT 1"),
                                       {"r": rid}).one()
        import json

        key = finding_key(rule, json.loads(cells) if cells else [])
        decide(s.engine, rid, key, "dismissed", author="rita", reason="已核对原文")
        yield s


@pytest.fixture(scope="module")
def base_url(store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(store.name, store=store, upload_dir=tmp_path_factory.mktemp("uploads"), lang="zh")
    with live_server(app) as url:
        yield url


def shot(page, lang: str, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-lang-{lang}-{name}.png"), full_page=True)


def form_labels() -> list[str]:
    """The official form's words (rows, columns, tables), which the template has in Chinese only:
    data, longest first (a finding in English quotes them)."""
    from gongkai.template import TEMPLATE, TableShape

    labels = {table.zh for table in TEMPLATE.tables.values()} | set(TEMPLATE.blank_marks)
    labels |= set("一二三四五六七八九十")  # the form numbers its rows: 一、(二)
    for layout in (TableShape("2019"), TableShape("2021")):
        for path in TEMPLATE.cell_paths(layout):
            labels.update(re.findall(r"「(.*?)」", TEMPLATE.cell_label(path)))
    return sorted(labels, key=len, reverse=True)


FORM_LABELS = form_labels()


def chinese_shown(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The texts the page shows that hold Chinese, data values aside: the page marks names and
    the report's own text (``class="data"``); the form's labels are taken out here, and anything
    a message quotes in 「」."""
    found = []
    for text in page.evaluate(SHOWN_TEXT):
        rest = re.sub(r"「[^」]*」?", "", text)
        for label in FORM_LABELS:
            rest = rest.replace(label, "")
        if CJK.search(rest):
            found.append(text)
    return found


def visit_every_page(page, base_url: str, store, lang: str, check) -> None:  # type: ignore[no-untyped-def]
    """Go through every page, calling ``check(page, name)`` on each once it has loaded."""
    expect = playwright_api.expect
    rid = report_id(store, "huaiyin-2022.txt")

    page.goto(f"{base_url}/reports")
    expect(page.locator("#reports tbody tr").first).to_be_visible()
    check(page, "reports")

    page.goto(f"{base_url}/reports/{rid}")
    expect(page.locator("#sections .text-section").first).to_be_visible()  # the text, loaded by htmx
    page.locator('td.value[data-path="applications.new_received.natural_person"]').click()
    expect(page.locator("#cell-panel .correct-form")).to_be_visible()
    check(page, "report")

    page.goto(f"{base_url}/dashboard")
    expect(page.locator("#missing-table")).to_be_visible()
    expect(page.locator("#chart-rules")).to_have_attribute("data-drawn", re.compile(r"\d+"))
    page.fill("#agency-search", "财政")
    expect(page.locator("#agency-matches .agency-choice").first).to_be_visible()
    page.fill("#agency-search", "no such agency")
    expect(page.locator("#agency-matches .no-match")).to_be_visible()
    check(page, "dashboard")

    page.goto(f"{base_url}/upload")
    check(page, "upload-form")
    page.set_input_files("#upload-files", files=[
        {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
        {"name": "note.txt", "mimeType": "text/plain", "buffer": b"a note, not a report\n"}])
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-results")).to_be_visible()
    expect(page.locator("#upload-results tbody tr")).to_have_count(2)
    check(page, "upload-results")

    page.goto(f"{base_url}/audit")
    expect(page.locator("#audit-log tbody tr.audit-correction")).to_be_visible()
    check(page, "audit")

    page.goto(f"{base_url}/admin/users")
    page.locator('tr[data-user="vic"] button[type=submit]').nth(1).click()  # disable
    expect(page.locator("#users-message")).to_be_visible()
    check(page, "users")
    page.locator('tr[data-user="vic"] button[type=submit]').nth(1).click()  # and enable again

    page.goto(f"{base_url}/docs")
    expect(page.locator(".swagger-ui .opblock-tag").first).to_be_visible()
    check(page, "docs")

    page.goto(f"{base_url}/no/such/page")
    expect(page.locator(".error-page")).to_have_attribute("data-status", "404")
    check(page, "404")

    page.goto(f"{base_url}/reports?limit=0")
    expect(page.locator(".error-page")).to_have_attribute("data-status", "422")
    check(page, "422")


def new_page(browser, locale: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1500, "height": 1000}, locale=locale).new_page()
    page.set_default_timeout(30_000)
    return page


def log_in(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.fill('input[name="name"]', "ada")
    page.fill('input[name="password"]', PASSWORD)
    page.click('.login button[type="submit"]')
    playwright_api.expect(page.locator("#report-count")).to_be_visible()


def test_every_page_in_english_shows_no_chinese_but_data(browser, base_url: str, store) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = new_page(browser, "zh-CN")  # a browser set to Chinese: the choice on the page wins
    page.goto(f"{base_url}/login")
    expect(page.locator("h1")).to_have_text("登录")
    page.click("#lang-switch")  # the header's switch
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert chinese_shown(page) == []
    shot(page, "en", "login")
    log_in(page, base_url)

    found: dict[str, list[str]] = {}

    def check(current, name: str) -> None:  # type: ignore[no-untyped-def]
        shot(current, "en", name)
        expect(current.locator("html")).to_have_attribute("lang", "en")
        if name != "docs":  # the title names the agency of a report page: data
            assert current.title().endswith(" · disclosure report review"), current.title()
        if name == "report":  # the corrected cell's panel: the store's note in English, its reason as written
            expect(current.locator("#cell-panel")).to_contain_text("corrected by hand: 原文第3页")
            expect(current.locator("#cell-panel")).to_contain_text("Save the correction")
        chinese = chinese_shown(current)
        if chinese:
            found[name] = chinese

    visit_every_page(page, base_url, store, "en", check)
    assert found == {}, found
    # the words checked were the English ones, not just empty pages
    page.goto(f"{base_url}/reports")
    expect(page.locator("header.top nav")).to_contain_text("Reports")
    expect(page.locator("#reports thead")).to_contain_text("Timeliness")
    expect(page.locator("#reports tbody")).to_contain_text(re.compile(r"late|on time"))


def test_every_page_in_chinese_has_chinese_labels(browser, base_url: str, store) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = new_page(browser, "en-US")  # a browser set to English: the server's Chinese stays
    page.goto(f"{base_url}/login")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("#lang-switch")).to_have_text("English")
    shot(page, "zh", "login")
    log_in(page, base_url)
    headings = {"reports": "年报列表", "report": "发现的问题", "dashboard": "统计", "upload-form": "上传年报",
                "upload-results": "上传年报", "audit": "审核记录", "users": "账号", "404": "找不到页面",
                "422": "请求参数有误"}
    seen: list[str] = []

    def check(current, name: str) -> None:  # type: ignore[no-untyped-def]
        shot(current, "zh", name)
        seen.append(name)
        if name == "docs":  # Swagger UI's own words are English; the API's sections are Chinese
            expect(current.locator(".swagger-ui .opblock-tag").first).to_contain_text(re.compile(CJK.pattern))
            return
        expect(current.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(current.locator("header.top nav")).to_contain_text("年报列表")
        expect(current.locator("main")).to_contain_text(headings[name])
        if name == "report":
            expect(current.locator("#cell-panel")).to_contain_text("保存更正")
        if name == "upload-results":
            expect(current.locator("#upload-results")).to_contain_text("空文件，未处理")
        if name == "404":
            expect(current.locator("#error-message")).to_contain_text("没有这个页面")

    visit_every_page(page, base_url, store, "zh", check)
    assert seen == ["reports", "report", "dashboard", "upload-form", "upload-results", "audit", "users",
                    "docs", "404", "422"]
