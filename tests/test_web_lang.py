"""Issue 13, item 1 for the web app: one catalogue of the web's words in Chinese and English, the
page's language (``?lang=`` kept in a cookie, else the server's: ``create_app(lang=)`` /
``GONGKAI_LANG``, else Chinese), and error pages, flash messages, API errors and the dashboard's
figures in the chosen language. The pages in a real browser: tests/test_web_lang_browser.py."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from gongkai.messages import WEB, WEB_ENGLISH, WEB_TERMS, web, web_english
from gongkai.web import create_app
from web_fixtures import PASSWORD, csrf_of, make_store, supervisor_files, supervisor_roster

CJK = re.compile(r"[\u3400-\u9fff]")
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "gongkai" / "web" / "templates"


def _chinese_in(html: str) -> list[str]:
    """The Chinese of a page, but for the language switch (which names Chinese in Chinese)."""
    return CJK.findall(re.sub(r'<a id="lang-switch".*?</a>', "", html, flags=re.S))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# ------------------------------------------------------------------------------ the catalogue
def test_every_web_word_has_chinese_and_english_with_the_same_placeholders() -> None:
    assert len(WEB) > 250
    for key, (zh, en) in WEB.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        if key != "lang.other":  # the switch names the other language in itself
            # Chinese words, or at least Chinese punctuation ("{name}（{role}）")
            assert CJK.search(zh) or re.search(r"[\u3000-\u303f\uff00-\uffef]", zh), key
            assert not CJK.search(en) or key.startswith("level.") or "{" in en, f"{key}: {en!r}"
    for key in ("level.省", "level.乡镇"):
        assert not CJK.search(WEB[key][1])


def test_the_english_of_other_modules_messages_keeps_their_details() -> None:
    for pattern, en in WEB_ENGLISH:
        assert _fields(en) <= set(re.compile(pattern).groupindex), pattern
    assert all(not CJK.search(en) for en in WEB_TERMS.values())
    assert web_english("没有编号为 42 的报告", "en") == "there is no report number 42"
    assert web_english("登录失败次数过多，请约 15 分钟后再试", "en") == \
        "too many failed logins; try again in about 15 minutes"
    assert web_english("没有编号为 42 的报告", "zh") == "没有编号为 42 的报告"
    assert web_english("an English message", "en") == "an English message"
    assert web_english("淮安市财政局 逐年对比", "en") == "淮安市财政局 year by year"  # the name is data


def test_every_key_a_template_uses_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for page in TEMPLATES.glob("*.html"):
        text = page.read_text("utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", text))
        # no Chinese written into a template: every word comes from the catalogue
        assert not CJK.search(re.sub(r"\{#.*?#\}", "", text, flags=re.S)), page.name
    whole = {k for k in used if not k.endswith(".")}
    assert whole and whole <= set(WEB), sorted(whole - set(WEB))
    # keys a template makes from a value ("status." ~ status): every value has its word
    from gongkai.store.review import ROLES
    from gongkai.web.queries import LEVELS, SORTS
    from gongkai.web.words import ACTION_GROUPS

    made = {"status.": ("read", "blank", "missing", "inferred", "corrected"),
            "severity.": ("error", "warning", "info"), "decision.": ("confirmed", "dismissed"),
            "role.": ROLES, "upload.": ("parsed", "stored_before", "failed", "refused"),
            "group.": tuple(ACTION_GROUPS), "sort.": tuple(SORTS), "level.": LEVELS,
            "chart.": ("counts_year", "counts_region", "counts_level", "rules", "outcomes",
                       "correction_rates", "timeliness", "agency", "region")}
    assert {k for k in used if k.endswith(".")} <= set(made)
    for prefix, values in made.items():
        assert {prefix + v for v in values} <= set(WEB), prefix


# ------------------------------------------------------------------------------ the app
@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    folder = tmp_path_factory.mktemp("web-lang")
    with make_store(folder, supervisor_files(folder)) as s:
        supervisor_roster(s.engine)
        yield s


def _client(store, tmp_path: Path, **options: object) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(store.name, store=store, upload_dir=tmp_path / "up", **options))


def _login(client: TestClient, name: str = "ada") -> None:
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303


def test_chinese_by_default_english_when_the_server_says_so(store, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    page = _client(store, tmp_path).get("/login")
    assert '<html lang="zh-CN">' in page.text and "用户名" in page.text
    assert page.headers["content-language"] == "zh-CN"
    page = _client(store, tmp_path, lang="en").get("/login")
    assert '<html lang="en">' in page.text and "User name" in page.text and "用户名" not in page.text
    monkeypatch.setenv("GONGKAI_LANG", "en")  # what `gongkai serve` reads when --lang is not given
    assert "User name" in _client(store, tmp_path).get("/login").text


def test_the_switch_sets_a_cookie_that_later_pages_follow(store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    client = _client(store, tmp_path)
    first = client.get("/login?lang=en")
    assert "gongkai_lang=en" in first.headers["set-cookie"] and "Log in" in first.text
    assert 'href="/login?lang=zh"' in first.text  # the switch back, in the header
    _login(client)
    listing = client.get("/reports?year=2022")
    assert "Reports" in listing.text and "年报列表" not in listing.text
    assert 'href="/reports?year=2022&amp;lang=zh"' in listing.text  # the filters are kept
    assert "set-cookie" not in listing.headers or "gongkai_lang" not in listing.headers["set-cookie"]
    back = client.get("/reports?lang=zh")
    assert "年报列表" in back.text and "gongkai_lang=zh" in back.headers["set-cookie"]
    assert "年报列表" in client.get("/reports").text
    assert "年报列表" in client.get("/reports?lang=fr").text  # an unknown choice changes nothing


def test_error_pages_and_api_errors_in_english(store, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    client = _client(store, tmp_path, lang="en")
    _login(client)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "404 · Page not found" in missing.text
    assert "There is no page at /no/such/page" in missing.text and not _chinese_in(missing.text)
    invalid = client.get("/reports?limit=0")
    assert invalid.status_code == 422 and "422 · Invalid request" in invalid.text
    assert "Invalid request: limit: Input should be greater than or equal to 1" in invalid.text
    assert not _chinese_in(invalid.text)
    no_report = client.get("/reports/999999")
    assert no_report.status_code == 404 and "there is no report number 999999" in no_report.text
    api = client.get("/api/reports?limit=0").json()
    assert api["message"].startswith("Invalid request: limit:") and not CJK.search(str(api))
    assert client.get("/api/reports/999999").json() == {"detail": "there is no report number 999999"}
    assert client.get("/api/stats/nothing").json()["detail"].startswith("there is no figure nothing")
    bad_year = client.get("/dashboard/missing?year=20x")
    assert bad_year.status_code == 400 and "the year should be four digits" in bad_year.text
    # the same server in Chinese for a visitor who chose it
    chinese = client.get("/no/such/page?lang=zh")
    assert "404 · 找不到页面" in chinese.text and "没有这个页面：/no/such/page" in chinese.text


def test_flash_messages_and_the_audit_log_in_english(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = _client(store, tmp_path, lang="en")
    _login(client)
    token = csrf_of(client.get("/admin/users").text)
    account = {"name": "lang-user", "password": "lang-pass-123", "role": "viewer", "csrf_token": token}
    done = client.post("/admin/users", data=account)
    assert done.status_code == 200 and "lang-user created" in done.text
    done = client.post("/admin/users/lang-user/disable", data={"csrf_token": token})
    assert "lang-user disabled, 0 session(s) ended" in done.text
    refused = client.post("/admin/users/ada/disable", data={"csrf_token": token})
    assert "you cannot disable your own account" in refused.text
    log = client.get("/audit?action=account").text
    assert "account lang-user created (viewer)" in log and "account lang-user disabled" in log
    assert "新建账号" not in log
    chinese = client.get("/audit?action=account&lang=zh").text
    assert "新建账号 lang-user（查看者）" in chinese


def test_the_dashboards_figures_in_the_requests_language(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = _client(store, tmp_path)
    _login(client)
    chinese = client.get("/api/stats/counts_level").json()
    assert chinese["title"] == "各级别报告数" and chinese["columns"] == ["级别", "报告数"]
    english = client.get("/api/stats/counts_level?lang=en").json()
    assert english["title"] == "Reports per level" and english["columns"] == ["level", "reports"]
    assert {row[0] for row in english["rows"]} <= {"province", "city", "county", "township", "department",
                                                  "not recognised"}
    assert [row[1] for row in english["rows"]] == [row[1] for row in chinese["rows"]]  # the same numbers
    for name in ("counts_year", "rules", "outcomes", "correction_rates", "timeliness", "agency", "region"):
        figure = client.get(f"/api/stats/{name}").json()  # the cookie now says English
        words = [figure["title"], *map(str, figure["columns"]), figure.get("note") or ""]
        assert not CJK.search(" ".join(words)), (name, words)
    matrix = client.get("/api/stats/missing?region=320800").json()
    assert matrix["columns"][:3] == ["unit", "level", "roster"] and not CJK.search(matrix["note"])
    assert CJK.search(matrix["rows"][0][0])  # the units' names are data: as they are
    csv = client.get("/api/stats/timeliness?format=csv").text
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("year,on time,late")
    # the cache holds one copy for both languages: Chinese again, from the same cached figure
    assert client.get("/api/stats/counts_level?lang=zh").json()["title"] == "各级别报告数"


def test_openapi_document_in_english(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = _client(store, tmp_path, lang="en")
    _login(client)
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "gongkai disclosure report review"
    tags = {tag for path in schema["paths"].values() for op in path.values() for tag in op.get("tags", [])}
    assert tags and not CJK.search(" ".join(tags))
    assert client.get("/openapi.json?lang=zh").json()["info"]["title"].startswith("gongkai 政府")


def test_web_messages_in_code_come_from_the_catalogue() -> None:
    assert web("users.created", "en", name="x") == "x created"
    assert web("users.created", "zh", name="x") == "已创建 x"


def test_each_worker_process_of_serve_takes_the_servers_language(store, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``gongkai serve --workers N --lang en`` hands the language to each process in its settings."""
    import json

    from gongkai.web.app import WORKER_SETTINGS_ENV, worker_app

    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    monkeypatch.setenv(WORKER_SETTINGS_ENV, json.dumps({"db_url": str(store.name), "lang": "en",
                                                        "upload_dir": str(tmp_path / "up")}))
    assert "Log in" in TestClient(worker_app()).get("/login").text


def test_refusals_before_the_body_is_read_speak_the_visitors_language(store, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The size, multipart and NUL limits answer before the app (and its language) sees the
    request: they follow the server's language, ``?lang=`` and the language cookie all the same."""
    monkeypatch.delenv("GONGKAI_LANG", raising=False)
    big = b"x" * (64 * 1024)  # over the login routes' limit
    json_type = {"content-type": "application/json"}
    chinese = _client(store, tmp_path).post("/api/login", content=big, headers=json_type)
    assert chinese.status_code == 413 and "请求内容超过上限" in chinese.json()["detail"]
    english = _client(store, tmp_path, lang="en")
    answer = english.post("/api/login", content=big, headers=json_type)
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("The request is larger than the limit")
    visitor = _client(store, tmp_path)
    visitor.cookies.set("gongkai_lang", "en")
    multipart = {"content-type": "multipart/form-data; boundary=x"}
    page = visitor.post("/reports/1/review", content=b"--x\r\n", headers=multipart)
    assert page.status_code == 415 and "This address takes no multipart form" in page.text
    asked = _client(store, tmp_path).get("/reports?lang=en&q=%00")
    assert asked.status_code == 400 and "NUL character" in asked.text and not CJK.search(asked.text)


def test_the_lists_exports_in_the_pages_language(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The list's CSV and workbook are headed in the page's language (Chinese by default)."""
    import csv
    import io

    from openpyxl import load_workbook

    client = _client(store, tmp_path)
    _login(client)
    chinese = client.get("/reports.csv").content.decode("utf-8-sig").splitlines()[0]
    assert "审核状态" in chinese and "文件格式" in chinese
    english = client.get("/reports.csv?lang=en").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(english)))
    header = english.splitlines()[0]
    assert "review state" in header and not CJK.search(header), header
    assert {row["review state"] for row in rows} <= {"findings to review", "reviewed", "no findings"}
    api = client.get("/api/reports.csv?lang=en").content.decode("utf-8-sig").splitlines()[0]
    assert api == header
    book = load_workbook(io.BytesIO(client.get("/reports.xlsx?lang=en").content), read_only=True)
    assert not [name for name in book.sheetnames[:4] if CJK.search(name)], book.sheetnames[:4]
