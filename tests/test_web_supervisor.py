"""Issue 13, item 8 (web) through HTTP on SQLite and PostgreSQL: the audit log, the admin page and
the account commands, times in Asia/Shanghai, the report list's new columns and exports, the
dashboard's agency search and roster matrix, and error pages for browsers and the API."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from sqlalchemy import text

from gongkai.web import create_app
from gongkai.web.timefmt import ZONE, shown
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import (
    PASSWORD,
    api_login,
    make_store,
    new_postgres_database,
    report_id,
    supervisor_files,
    supervisor_roster,
)

CELL = "applications.granted.total"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = None
    if request.param == "postgresql":
        url = new_postgres_database(request.getfixturevalue("pg_url"), f"gongkai_sup_{os.getpid()}")
    folder = tmp_path_factory.mktemp("supervisor")
    with make_store(folder, supervisor_files(folder), url=url) as s:
        supervisor_roster(s.engine)
        yield s


@pytest.fixture(scope="module")
def app(store, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return create_app(store.name, store=store, upload_dir=tmp_path_factory.mktemp("uploads"))


@pytest.fixture(scope="module")
def open_app(store, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The same store served with anonymous read access."""
    return create_app(store.name, store=store, anonymous_read=True,
                      upload_dir=tmp_path_factory.mktemp("uploads-open"))


def client_for(app, name: str | None = None) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, raise_server_exceptions=False)
    token = api_login(client, name) if name else client.get("/api/me").json()["csrf"]
    return client, token


def folder_of(store) -> str:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        source = conn.execute(text("SELECT source FROM reports WHERE source LIKE '%huaiyin%'")).scalar_one()
    return source.rsplit("/", 1)[0]


# ------------------------------------------------------------------------------ the report list
def test_the_list_shows_file_format_timeliness_and_review_status(app, store) -> None:  # type: ignore[no-untyped-def]
    rita, token = client_for(app, "rita")
    items = {r["file_name"]: r for r in rita.get("/api/reports", params={"limit": 100}).json()["items"]}
    late, on_time = items["huaiyin-2022.txt"], items["caizheng-2022.txt"]
    assert (late["timeliness"], late["published"], late["deadline"], late["late"]) == (
        "逾期", "2023-04-20", "2023-03-31", True)
    assert late["published_source"] == "页面所载发布日期"
    assert (on_time["timeliness"], on_time["deadline"]) == ("按时", "2023-01-31")
    assert items["hongze-2023.pdf"]["media"] == "PDF" and items["huaiyin-2022.txt"]["media"] == "文本"
    assert items["hongze-2023.pdf"]["timeliness"] == "日期不明"  # no date printed: never a guess

    rid = report_id(store, "huaiyin-2022.txt")
    before = items["huaiyin-2022.txt"]["review"]
    assert before["state"] == "open" and before["open_findings"] > 0
    report = rita.get(f"/api/reports/{rid}").json()
    problems = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
    # a finding naming dozens of cells has a key longer than the store takes (MAX_KEY): it stays open
    from gongkai.store.review import MAX_KEY

    reviewable = [f for f in problems if len(f["key"]) <= MAX_KEY]
    assert reviewable
    for finding in reviewable:
        assert rita.post(f"/api/reports/{rid}/reviews", headers={"X-CSRF-Token": token},
                         json={"finding_key": finding["key"], "decision": "confirmed",
                               "reason": "核对原文属实"}).status_code == 201
    middle = next(r for r in rita.get("/api/reports", params={"limit": 100}).json()["items"]
                  if r["document_id"] == rid)["review"]
    assert middle["confirmed"] == len(reviewable)
    assert middle["open_findings"] == len(problems) - len(reviewable)
    assert rita.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
                     json={"value": 9, "reason": "见原文"}).status_code == 201
    after = next(r for r in rita.get("/api/reports", params={"limit": 100}).json()["items"]
                 if r["document_id"] == rid)["review"]
    assert after["corrections"] == 1
    clean = report_id(store, "004_94c66d917836ad80.txt")
    assert next(r for r in rita.get("/api/reports", params={"limit": 100}).json()["items"]
                if r["document_id"] == clean)["review"]["state"] == "clean"
    page = rita.get("/reports", params={"limit": 100}).text
    row = re.search(rf'<tr data-id="{rid}">(.*?)</tr>', page, re.S)
    assert row and "逾期" in row.group(1) and "huaiyin-2022.txt" in row.group(1)
    assert "已更正 1 处" in row.group(1)
    report_page = rita.get(f"/reports/{rid}").text
    assert re.search(r'id="report-timeliness" class="error">逾期<', report_page)
    assert '<b id="report-published">2023-04-20</b>（页面所载发布日期）' in report_page


def test_visitors_see_file_names_only_in_the_list_and_its_exports(open_app, store) -> None:  # type: ignore[no-untyped-def]
    folder = folder_of(store)
    visitor = TestClient(open_app)
    page = visitor.get("/reports", params={"limit": 100}).text
    assert "huaiyin-2022.txt" in page and folder not in page
    items = visitor.get("/api/reports", params={"limit": 100}).json()["items"]
    assert all(folder not in str(value) for item in items for value in item.values())
    exported = visitor.get("/reports.csv").content.decode("utf-8-sig")
    assert "huaiyin-2022.txt" in exported and folder not in exported
    workbook = visitor.get("/reports.xlsx", params={"region": "淮安市"})
    assert workbook.status_code == 200
    with zipfile.ZipFile(io.BytesIO(workbook.content)) as book:
        xml = "".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))
    assert "huaiyin-2022.txt" in xml and folder not in xml and "rita" not in xml


def test_the_csv_export_is_the_filtered_list(app, store) -> None:  # type: ignore[no-untyped-def]
    vic, _ = client_for(app, "vic")
    response = vic.get("/reports.csv", params={"region": "淮安市", "sort": "errors"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    listed = vic.get("/api/reports", params={"region": "淮安市", "limit": 500}).json()
    assert sorted(int(r["文档编号"]) for r in rows) == sorted(i["document_id"] for i in listed["items"])
    by_file = {r["来源文件"].rsplit("/", 1)[-1]: r for r in rows}
    late = by_file["huaiyin-2022.txt"]
    assert (late["是否按时"], late["逾期天数"]) == ("逾期", "20")
    assert by_file["caizheng-2022.txt"]["是否按时"] == "按时"
    assert by_file["hongze-2023.pdf"]["文件格式"] == "PDF"
    assert {"审核状态", "更正数", "待审问题数", "发布日期", "法定期限"} <= set(rows[0])
    # the API gives the same file
    api = vic.get("/api/reports.csv", params={"region": "淮安市", "sort": "errors"})
    assert api.content == response.content


def test_the_workbook_export_lists_roster_units_that_never_published(app) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    vic, _ = client_for(app, "vic")
    response = vic.get("/reports.xlsx", params={"region": "320800"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:4] == ["汇总", "问题清单", "面板", "数据字典"]
    summary = [row for row in book["汇总"].iter_rows(values_only=True)]
    header = summary[0]
    units = {(row[header.index("单位（规范名称）")], row[header.index("年度")]): row for row in summary[1:]}
    never = [units[("江苏省淮安市清江浦区人民政府", year)] for year in (2022, 2023)]
    assert {row[header.index("是否发布")] for row in never} == {"未发布"}  # on the roster, never published
    late = units[("江苏省淮安市淮阴区人民政府", 2022)]
    assert (late[header.index("是否发布")], late[header.index("是否按时")]) == ("已发布", "逾期")
    assert units[("江苏省淮安市财政局", 2022)][header.index("是否按时")] == "按时"
    assert len(book.sheetnames) == 4 + 3  # 淮阴区, 财政局 and 洪泽区: one sheet each


def test_exports_beyond_the_web_limits_are_refused_in_words(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from gongkai.web import listing

    monkeypatch.setattr(listing, "WORKBOOK_MAX_REPORTS", 1)
    vic, _ = client_for(app, "vic")
    page = vic.get("/reports.xlsx")
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "gongkai export --form workbook" in page.text and "vic" in page.text  # the header's user
    api = vic.get("/api/reports.xlsx")
    assert api.status_code == 400 and "缩小筛选范围" in api.json()["detail"]
    assert vic.get("/api/reports.pdf").status_code == 422
    monkeypatch.setattr(listing, "WORKBOOK_MAX_REPORTS", 300)
    monkeypatch.setattr(listing, "WORKBOOK_MAX_UNITS", 4)  # 淮安市: 5 units, 3 of them on the roster
    units = vic.get("/api/reports.xlsx", params={"region": "320800", "has_errors": "1"})
    assert units.status_code == 400 and "当前有 5 个单位" in units.json()["detail"]


# ------------------------------------------------------------------------------ the audit log
def _trail(client, **params) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """Every row of the audit log, page by page (keyset: ``next`` back as ``after``)."""
    rows, after = [], None
    while True:
        page = client.get("/api/audit", params={**params, "limit": 2, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        rows += body["items"]
        after = body["next"]
        if not after:
            return rows


def test_the_audit_log_filters_pages_and_hides_accounts_from_reviewers(app, store) -> None:  # type: ignore[no-untyped-def]
    ada, admin_token = client_for(app, "ada")
    rita, token = client_for(app, "rita")
    rid = report_id(store, "caizheng-2022.txt")
    assert rita.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
                     json={"value": 4, "reason": "审计日志测试"}).status_code == 201
    assert ada.post("/api/users", json={"name": "audit-temp", "password": PASSWORD},
                    headers={"X-CSRF-Token": admin_token}).status_code == 201
    assert ada.post("/api/users/audit-temp/disable", headers={"X-CSRF-Token": admin_token}).status_code == 200

    everything = _trail(ada)
    whole = ada.get("/api/audit", params={"limit": 500}).json()["items"]
    assert [(r["source"], r["id"]) for r in everything] == [(r["source"], r["id"]) for r in whole]
    assert len({(r["source"], r["id"]) for r in everything}) == len(everything)  # no row twice
    assert [r["at"] for r in everything] == sorted((r["at"] for r in everything), reverse=True)
    actions = {r["action"] for r in everything}
    assert {"correction", "user.add", "user.disable"} <= actions
    fix = next(r for r in everything if r["action"] == "correction" and r["reason"] == "审计日志测试")
    assert fix["actor"] == "rita" and fix["report_id"] == rid and "→ 4" in fix["description"]
    assert fix["at"].endswith("+00:00")  # the API says the zone

    seen_by_rita = _trail(rita)
    assert not {r["action"] for r in seen_by_rita} & {"user.add", "user.disable", "user.passwd"}
    assert {r["actor"] for r in _trail(ada, user="rita")} == {"rita"}
    assert {r["report_id"] for r in _trail(ada, report=str(rid))} == {rid}
    assert {r["action"] for r in _trail(ada, action="account")} <= {"user.add", "user.disable", "user.enable",
                                                                     "user.passwd", "sessions.revoke"}
    today = datetime.now(UTC).astimezone(ZONE).date()
    assert _trail(ada, until=(today - timedelta(days=1)).isoformat()) == []
    assert len(_trail(ada, since=today.isoformat(), until=today.isoformat())) == len(everything)

    page = ada.get("/audit", params={"user": "rita"}).text
    assert "审计日志测试" in page and "(UTC+08:00)" in page
    assert ada.get("/audit", params={"after": "forged"}).status_code == 400
    assert ada.get("/audit", params={"since": "2024-02-30"}).status_code == 400
    assert "起始日期应为日期" in ada.get("/audit", params={"since": "2024-02-30"}).text
    vic, _ = client_for(app, "vic")
    assert vic.get("/audit").status_code == 403 and vic.get("/api/audit").status_code == 403


def test_visitors_never_reach_the_audit_log(open_app) -> None:  # type: ignore[no-untyped-def]
    visitor = TestClient(open_app)
    assert visitor.get("/api/audit").status_code == 401
    page = visitor.get("/audit", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert "rita" not in visitor.get("/reports").text


def test_times_on_pages_are_in_shanghai_with_the_zone(app, store) -> None:  # type: ignore[no-untyped-def]
    rita, token = client_for(app, "rita")
    rid = report_id(store, "hongze-2023.pdf")
    rita.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
              json={"value": 1, "reason": "时区测试"})
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT MAX(created_at) FROM corrections WHERE report_id = :r"),
                              {"r": rid}).scalar_one()
    stored = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    expected = shown(stored)
    assert expected.endswith("(UTC+08:00)")
    assert (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in expected
    assert expected in rita.get(f"/reports/{rid}").text
    assert expected in rita.get(f"/reports/{rid}/cells/{CELL}").text
    api = rita.get(f"/api/reports/{rid}").json()["corrections"][0]
    assert datetime.fromisoformat(api["created_at"]).utcoffset() == timedelta(0)


# ------------------------------------------------------------------------------ accounts
def test_the_admin_page_resets_disables_enables_and_revokes(app) -> None:  # type: ignore[no-untyped-def]
    ada, token = client_for(app, "ada")
    ada.post("/admin/users", data={"name": "clerk", "password": PASSWORD, "role": "reviewer",
                                   "csrf_token": token})
    clerk, _ = client_for(app, "clerk")
    page = ada.get("/admin/users").text
    assert 'data-user="clerk"' in page and "最近活动" in page and "(UTC+08:00)" in page
    done = ada.post("/admin/users/clerk/password", data={"password": "new-pass-2024", "csrf_token": token})
    assert "已修改 clerk 的密码，结束其 1 个会话" in done.text
    assert clerk.get("/api/me").json()["user"] is None
    assert TestClient(app).post("/api/login", json={"name": "clerk", "password": PASSWORD}).status_code == 401
    clerk = TestClient(app)
    api_login(clerk, "clerk", "new-pass-2024")
    assert "已停用 clerk" in ada.post("/admin/users/clerk/disable", data={"csrf_token": token}).text
    assert clerk.get("/api/me").json()["user"] is None
    assert TestClient(app).post("/api/login", json={"name": "clerk", "password": "new-pass-2024"}
                                ).status_code == 401
    assert "已启用 clerk" in ada.post("/admin/users/clerk/enable", data={"csrf_token": token}).text
    clerk = TestClient(app)
    api_login(clerk, "clerk", "new-pass-2024")
    assert "结束 clerk 的 1 个会话" in ada.post("/admin/users/clerk/revoke", data={"csrf_token": token}).text
    assert clerk.get("/api/me").json()["user"] is None
    refused = ada.post("/admin/users/ada/disable", data={"csrf_token": token})
    assert "不能停用自己的账号" in refused.text and ada.get("/api/me").json()["user"]["name"] == "ada"
    logged = {r["action"] for r in _trail(ada, user="ada", action="account")}
    assert {"user.add", "user.passwd", "user.disable", "user.enable", "sessions.revoke"} <= logged
    assert ada.post("/admin/users/nobody/disable", data={"csrf_token": token}).status_code == 400


def test_the_account_commands_speak_chinese_and_english(store, app) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from gongkai.cli import app as cli

    runner = CliRunner()
    db = ["--db", store.name if store.engine.dialect.name == "sqlite"
          else store.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")]
    added = runner.invoke(cli, ["user", "add", "shell-user", "--role", "reviewer", "--password-stdin", *db],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0 and "已创建 shell-user（审核员）" in added.output
    session, _ = client_for(app, "shell-user")
    listed = runner.invoke(cli, ["user", "sessions", "shell-user", *db])
    assert listed.exit_code == 0 and "1 个有效会话" in listed.output and "(UTC+08:00)" in listed.stdout
    english = runner.invoke(cli, ["user", "sessions", "shell-user", "--lang", "en", *db])
    assert "1 live session(s)" in english.output and "last seen" in english.stdout
    revoked = runner.invoke(cli, ["user", "sessions", "shell-user", "--revoke", *db])
    assert "shell-user：结束 1 个会话" in revoked.output and session.get("/api/me").json()["user"] is None
    changed = runner.invoke(cli, ["user", "passwd", "shell-user", "--password-stdin", "--lang", "en", *db],
                            input="shell-pass-2\n")
    assert changed.exit_code == 0 and "shell-user: password changed, 0 session(s) ended" in changed.output
    disabled = runner.invoke(cli, ["user", "disable", "shell-user", *db])
    assert disabled.exit_code == 0 and "shell-user：已停用" in disabled.output
    assert TestClient(app).post("/api/login", json={"name": "shell-user", "password": "shell-pass-2"}
                                ).status_code == 401
    enabled = runner.invoke(cli, ["user", "enable", "shell-user", *db], env={"GONGKAI_LANG": "en"})
    assert enabled.exit_code == 0 and "shell-user: enabled" in enabled.output
    api_login(TestClient(app), "shell-user", "shell-pass-2")
    users = runner.invoke(cli, ["user", "list", *db])
    assert re.search(r"shell-user\t审核员\t启用", users.stdout)
    assert runner.invoke(cli, ["user", "disable", "nobody", *db]).exit_code == 2
    trail = {r["action"] for r in _trail(client_for(app, "ada")[0], action="account") if r["actor"] == "cli"}
    assert {"user.add", "user.passwd", "user.disable", "user.enable", "sessions.revoke"} <= trail


# ------------------------------------------------------------------------------ the dashboard
def test_the_agency_search_finds_agencies_by_name_and_key(app, store) -> None:  # type: ignore[no-untyped-def]
    vic, _ = client_for(app, "vic")
    found = vic.get("/api/agencies", params={"q": "淮阴"}).json()["items"]
    assert [(m["key"], m["reports"], m["first_year"]) for m in found] == [("320804", 1, 2022)]
    assert vic.get("/api/agencies", params={"q": "320804"}).json()["items"][0]["key"] == "320804"
    assert vic.get("/api/agencies", params={"q": "%"}).json()["items"] == []  # a wildcard is a character
    fragment = vic.get("/dashboard/agencies", params={"q": "淮阴"}).text
    assert 'data-agency="320804"' in fragment
    nothing = vic.get("/dashboard/agencies", params={"q": "不存在的单位"}).text
    assert "没有名称含“不存在的单位”的单位" in nothing
    elsewhere = vic.get("/dashboard/agencies", params={"q": "淮阴", "region": "广东省"}).text
    assert "data-agency" not in elsewhere
    chart = vic.get("/api/stats/agency", params={"agency": "320804"}).json()
    assert [row[0] for row in chart["rows"]] == [2022] and "淮阴区" in chart["title"]


def test_the_missing_matrix_shows_roster_units_that_never_published(app) -> None:  # type: ignore[no-untyped-def]
    vic, _ = client_for(app, "vic")
    figure = vic.get("/api/stats/missing", params={"region": "320800"}).json()
    assert figure["columns"][:3] == ["单位", "级别", "名册"] and figure["years"] == ["2022", "2023"]
    rows = {row[0]: row for row in figure["rows"]}
    assert rows["江苏省淮安市清江浦区人民政府"][2:] == ["是", 0, 0]  # on the roster, never published
    assert rows["江苏省淮安市教育局"][2:] == ["是", 0, 0]
    assert rows["江苏省淮安市淮阴区人民政府"][2:] == ["是", 1, 0]
    assert rows["江苏省淮安市洪泽区人民政府"][2:] == ["", 0, 1]  # published, not on the roster
    html = vic.get("/dashboard/missing", params={"region": "320800"}).text
    for word in ("已发布", "缺报", "✓×n", "名册", "江苏省淮安市清江浦区人民政府", "✗", "✓"):
        assert word in html
    assert "2 个从未发布" in html
    dashboard = vic.get("/dashboard").text
    assert '<option value="320800">江苏省淮安市</option>' in dashboard
    as_csv = vic.get("/api/stats/missing", params={"region": "320800", "format": "csv"}).content
    as_csv = as_csv.decode("utf-8-sig")
    assert as_csv.splitlines()[0] == "单位,级别,名册,2022,2023"


# ------------------------------------------------------------------------------ error pages
def test_error_pages_are_pages_for_browsers_and_json_for_the_api(app) -> None:  # type: ignore[no-untyped-def]
    if not any(getattr(r, "path", "") == "/boom" for r in app.routes):
        def boom() -> None:
            raise RuntimeError("a bug with /secret/path in it")

        app.add_api_route("/boom", boom, include_in_schema=False)
        app.add_api_route("/api/boom", boom, include_in_schema=False)
    vic, _ = client_for(app, "vic")
    missing = vic.get("/no/such/page")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "没有这个页面" in missing.text and "vic（查看者）" in missing.text and "退出" in missing.text
    assert vic.get("/api/no/such").json() == {"detail": "没有这个页面：/api/no/such"}
    invalid = vic.get("/reports", params={"limit": "0"})
    assert invalid.status_code == 422 and "每页条数应不小于 1" in invalid.text
    assert "vic（查看者）" in invalid.text
    assert "Input should" not in invalid.text
    too_long = vic.get("/reports", params={"q": "x" * 300}).text
    assert "单位名称过长（最多 200 个字符）" in too_long
    api = vic.get("/api/reports", params={"limit": "x"})
    assert api.status_code == 422 and api.json()["detail"][0]["msg"] == "每页条数应为整数"
    crash = vic.get("/boom")
    assert crash.status_code == 500 and crash.headers["content-type"].startswith("text/html")
    assert "服务器内部错误" in crash.text and "vic（查看者）" in crash.text
    assert "/secret/path" not in crash.text
    assert vic.get("/api/boom").json() == {"detail": "服务器内部错误，已记录；请稍后重试或联系管理员"}
    wrong_method = vic.delete("/reports")
    assert wrong_method.status_code == 405 and "不接受 DELETE 请求" in wrong_method.text
    visitor = TestClient(app).get("/no/such/page")
    assert visitor.status_code == 404 and ">登录</a>" in visitor.text


def test_the_supervisor_files_are_what_the_tests_expect(store) -> None:  # type: ignore[no-untyped-def]
    """The fixtures' reports: a county government published late, a department on time."""
    with store.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT agency, level FROM reports WHERE source LIKE '%-2022.txt'"))
                    .all())
    assert rows == {"淮安市淮阴区人民政府": "县", "淮安市财政局": "部门"}
    assert Path(folder_of(store)).is_dir()
