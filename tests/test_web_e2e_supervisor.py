"""Issue 13, item 8 end to end: Playwright drives Debian's Chromium through a supervisor's pages on a
live server — the admin page (password reset, disabling, enabling, ending sessions), the audit
log, the report list's new columns and its two exports, the dashboard's agency search and roster
matrix, error pages, times in Asia/Shanghai, and what an anonymous visitor sees. Screenshots go to
``test-artifacts/`` (kept by CI)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from gongkai.web import create_app
from web_fixtures import PASSWORD, live_server, make_store, supervisor_files, supervisor_roster

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.tools("chromium", "cjk-font")  # fails under CI=true when missing
playwright_api = pytest.importorskip("playwright.sync_api")


def _boom() -> None:
    raise RuntimeError("a bug with /srv/secret in its message")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("e2e-supervisor")
    with make_store(folder, supervisor_files(folder)) as s:
        supervisor_roster(s.engine)
        yield s


@pytest.fixture(scope="module")
def base_url(store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(store.name, store=store, upload_dir=tmp_path_factory.mktemp("uploads"))
    app.add_api_route("/boom", _boom, include_in_schema=False)  # a bug, to see the 500 page
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def open_url(store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path_factory.mktemp("up2"))
    with live_server(app) as url:
        yield url


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-supervisor-{name}.png"), full_page=True)


def logged_in(browser, base_url: str, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """A page in a fresh browser context, logged in through the form."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base_url}/login")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password)
    page.click('button[type="submit"]')
    playwright_api.expect(page.locator("#report-count")).to_be_visible()
    return page


def test_the_admin_resets_disables_enables_and_ends_sessions(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    admin = logged_in(browser, base_url, "ada")
    victim = logged_in(browser, base_url, "vic")
    admin.goto(f"{base_url}/admin/users")
    row = admin.locator('tr[data-user="vic"]')
    expect(row.locator(".sessions")).to_contain_text("最近活动")
    expect(row.locator(".sessions")).to_contain_text("(UTC+08:00)")
    shot(admin, "1-accounts")

    row.locator('input[name="password"]').fill("vic-new-pass-1")
    row.locator('button:has-text("改密码")').click()
    expect(admin.locator("#users-message")).to_contain_text("已修改 vic 的密码，结束其 1 个会话")
    victim.goto(f"{base_url}/reports")
    expect(victim).to_have_url(f"{base_url}/login?next=/reports")  # the old session is gone
    victim.close()
    victim = logged_in(browser, base_url, "vic", "vic-new-pass-1")

    admin.locator('tr[data-user="vic"] button:has-text("停用")').click()
    expect(admin.locator("#users-message")).to_contain_text("已停用 vic")
    expect(admin.locator('tr[data-user="vic"]')).to_contain_text("停用")
    shot(admin, "2-disabled")
    victim.goto(f"{base_url}/dashboard")
    expect(victim).to_have_url(f"{base_url}/login?next=/dashboard")
    victim.fill('input[name="name"]', "vic")
    victim.fill('input[name="password"]', "vic-new-pass-1")
    victim.click('button[type="submit"]')
    expect(victim.locator(".login .error")).to_contain_text("用户名或密码错误")  # disabled: no login

    admin.locator('tr[data-user="vic"] button:has-text("启用")').click()
    expect(admin.locator("#users-message")).to_contain_text("已启用 vic")
    victim.close()
    victim = logged_in(browser, base_url, "vic", "vic-new-pass-1")
    admin.reload()
    admin.locator('tr[data-user="vic"] button:has-text("结束全部会话")').click()
    expect(admin.locator("#users-message")).to_contain_text("已结束 vic 的 1 个会话")
    victim.goto(f"{base_url}/reports")
    expect(victim).to_have_url(f"{base_url}/login?next=/reports")
    expect(admin.locator('tr[data-user="ada"] button:has-text("停用")')).to_be_disabled()  # not oneself
    shot(admin, "3-revoked")

    admin.goto(f"{base_url}/audit")
    admin.select_option('#audit-filters select[name="action"]', "account")
    admin.click('#audit-filters button[type="submit"]')
    log = admin.locator("#audit-log tbody")
    for sentence in ("修改 vic 的密码", "停用账号 vic", "启用账号 vic", "结束 vic 的 1 个会话"):
        expect(log).to_contain_text(sentence)
    expect(log.locator("td.when").first).to_contain_text("(UTC+08:00)")
    shot(admin, "4-audit-accounts")
    admin.context.close()
    victim.context.close()


def test_the_audit_log_shows_a_reviewers_work_by_user_and_report(browser, base_url: str, store) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    from web_fixtures import report_id

    rid = report_id(store, "caizheng-2022.txt")
    rita = logged_in(browser, base_url, "rita")
    rita.goto(f"{base_url}/reports/{rid}")
    rita.locator('td[data-path="applications.new_received.natural_person"]').click()
    rita.fill('#cell-panel input[name="value"]', "3")
    rita.fill('#cell-panel input[name="reason"]', "与原文第2页核对")
    rita.click('#cell-panel .correct-form button[type="submit"]')
    expect(rita.locator("#audit")).to_contain_text("与原文第2页核对")
    expect(rita.locator("#audit time").first).to_contain_text("(UTC+08:00)")
    rita.goto(f"{base_url}/audit")
    rita.select_option('#audit-filters select[name="user"]', "rita")
    rita.fill('#audit-filters input[name="report"]', str(rid))
    rita.click('#audit-filters button[type="submit"]')
    rows = rita.locator("#audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("与原文第2页核对")
    expect(rows.first.locator("td.actor")).to_have_text("rita")
    expect(rita.locator('#audit-filters select[name="action"] option[value="account"]')).to_have_count(0)
    shot(rita, "5-audit-report")
    rita.context.close()


def test_the_report_list_columns_and_its_exports(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = logged_in(browser, base_url, "ada")
    page.goto(f"{base_url}/reports?region=淮安市")
    late = page.locator('#reports tr:has(td.file:has-text("huaiyin-2022.txt"))')
    expect(late.locator("td.timeliness")).to_have_text("逾期")
    expect(late.locator("td.published")).to_have_text("2023-04-20")
    expect(late.locator("td.media")).to_have_text("文本")
    expect(late.locator("td.review")).to_contain_text("待审")
    on_time = page.locator('#reports tr:has(td.file:has-text("caizheng-2022.txt")) td.timeliness')
    expect(on_time).to_have_text("按时")
    expect(page.locator('#reports tr:has(td.file:has-text("hongze-2023.pdf")) td.media')).to_have_text("PDF")
    shot(page, "6-report-list")

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    data = Path(csv_download.value.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["是否按时"] for r in rows} >= {"逾期", "按时"} and len(rows) == 3
    with page.expect_download() as workbook_download:
        page.click("#export-xlsx")
    from openpyxl import load_workbook

    assert workbook_download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(workbook_download.value.path()).read_bytes()), read_only=True)
    assert book.sheetnames[0] == "汇总"
    summary = "\n".join(str(row) for row in book["汇总"].iter_rows(values_only=True))
    assert "江苏省淮安市清江浦区人民政府" in summary and "未发布" in summary
    page.context.close()


def test_the_dashboard_search_box_and_the_roster_matrix(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = logged_in(browser, base_url, "rita")
    page.goto(f"{base_url}/dashboard")
    page.fill("#agency-search", "淮阴")
    choice = page.locator('#agency-matches .agency-choice[data-agency="320804"]')
    expect(choice).to_be_visible()  # server-side search through htmx
    shot(page, "7-agency-search")
    choice.click()
    expect(page.locator("#agency-chosen")).to_contain_text("淮阴区人民政府")
    expect(page.locator('#chart-agency[data-drawn="1"] canvas')).to_have_count(1)  # one year: 2022

    page.select_option("#missing-region", "320800")
    table = page.locator("#missing-table")
    never = table.locator('tr:has(td.unit:has-text("江苏省淮安市清江浦区人民政府"))')
    expect(never.locator(".roster-tag")).to_have_text("名册")
    expect(never.locator("td.mark.gap")).to_have_count(2)  # ✗ in 2022 and 2023
    published = table.locator('tr:has(td.unit:has-text("江苏省淮安市淮阴区人民政府")) td.mark')
    expect(published.first).to_have_text("✓")
    expect(page.locator("#missing-legend")).to_contain_text("✓×n")
    expect(page.locator("#missing-note")).to_contain_text("2 个从未发布")
    page.locator("#missing-section").scroll_into_view_if_needed()
    shot(page, "8-missing-matrix")
    page.context.close()


def test_error_pages_keep_the_app_and_the_user(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    page = logged_in(browser, base_url, "rita")
    response = page.goto(f"{base_url}/no/such/page")
    assert response is not None and response.status == 404
    expect(page.locator(".error-page h1")).to_have_text("404 · 找不到页面")
    expect(page.locator("header .who")).to_contain_text("rita（审核员）")
    shot(page, "9-error-404")
    response = page.goto(f"{base_url}/reports?limit=0&year=")
    assert response is not None and response.status == 422
    expect(page.locator("#error-message")).to_have_text("请求参数有误：每页条数应不小于 1")
    expect(page.locator("header .who")).to_contain_text("rita（审核员）")
    shot(page, "10-error-422")
    response = page.goto(f"{base_url}/boom")
    assert response is not None and response.status == 500
    expect(page.locator("#error-message")).to_contain_text("服务器内部错误")
    assert "/srv/secret" not in page.content()
    expect(page.locator("header .who")).to_contain_text("rita（审核员）")
    shot(page, "11-error-500")
    api = page.goto(f"{base_url}/api/no/such")
    assert api is not None and api.status == 404 and api.json() == {"detail": "没有这个页面：/api/no/such"}
    page.context.close()


def test_an_anonymous_visitor_sees_file_names_and_no_audit_log(browser, open_url: str, store) -> None:  # type: ignore[no-untyped-def]
    expect = playwright_api.expect
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{open_url}/reports")
    expect(page.locator("header .who")).to_contain_text("匿名只读")
    cell = page.locator('#reports td.file:has-text("huaiyin-2022.txt")')
    expect(cell).to_have_text("huaiyin-2022.txt")
    assert (cell.get_attribute("title") or "") == "huaiyin-2022.txt"  # no server folder, even on hover
    assert str(Path(store.name).parent) not in page.content()
    shot(page, "12-anonymous-list")
    page.goto(f"{open_url}/audit")
    expect(page).to_have_url(f"{open_url}/login?next=/audit")
    page.goto(f"{open_url}/no/such")
    expect(page.locator("header .who")).to_contain_text("登录")
    context.close()
