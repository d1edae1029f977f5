"""The web app (issue 5) through its HTTP interface: pages, JSON API, review, upload, security."""

from __future__ import annotations

import io
import os
import re
import time
import warnings
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():  # starlette's TestClient suggests httpx2; httpx is what it runs on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from sqlalchemy import text

from gongkai.render.form import tables
from gongkai.template import TableShape
from gongkai.web import create_app
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import (
    PASSWORD,
    PDF_FILES,
    SEED_FILES,
    api_login,
    csrf_of,
    make_store,
    new_postgres_database,
    report_id,
    upload,
)

CELL = "applications.granted.total"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Every test runs on SQLite and on PostgreSQL (a throwaway server, skipped without one)."""
    url = None
    if request.param == "postgresql":
        url = new_postgres_database(request.getfixturevalue("pg_url"), f"gongkai_web_{os.getpid()}")
    with make_store(tmp_path_factory.mktemp("web"), url=url) as s:
        yield s


@pytest.fixture(scope="module")
def app(store, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return create_app(store.name, store=store, upload_dir=tmp_path_factory.mktemp("uploads"),
                      max_upload_bytes=2 * 1024 * 1024)


def client_for(app, name: str | None = None) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    """A client, logged in as ``name`` when given, and its CSRF token."""
    client = TestClient(app)
    token = api_login(client, name) if name else client.get("/api/me").json()["csrf"]
    return client, token


@pytest.fixture(scope="module")
def pdf_id(store) -> int:  # type: ignore[no-untyped-def]
    return report_id(store, PDF_FILES[0].name)


# ------------------------------------------------------------------------------ access
def test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    page = client.get("/reports", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/reports").status_code == 401


def test_login_form_with_wrong_password_is_refused_and_right_one_opens_a_session(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    wrong = client.post("/login", data={"name": "rita", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    right = client.post("/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token,
                                        "next": "//evil.example/x"}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/reports"  # no open redirect
    assert client.get("/api/me").json()["user"]["role"] == "reviewer"


def test_anonymous_read_lets_visitors_read_but_never_write(store, tmp_path: Path, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path))
    assert client.get("/reports").status_code == 200
    assert client.get(f"/api/reports/{pdf_id}").status_code == 200
    token = client.get("/api/me").json()["csrf"]
    write = client.post(f"/api/reports/{pdf_id}/cells/{CELL}/corrections", json={"value": 1, "reason": "x"},
                        headers={"X-CSRF-Token": token})
    assert write.status_code == 401


# ------------------------------------------------------------------------------ list
def test_list_filters(app, store) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    everything = client.get("/api/reports").json()
    with store.engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one()
        in_2019 = conn.execute(text("SELECT COUNT(*) FROM reports WHERE template = '2019'")).scalar_one()
    assert everything["count"] == total == len(everything["items"])
    ids = [r["document_id"] for r in everything["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    old_format = client.get("/api/reports", params={"template": "2019"}).json()
    assert old_format["count"] == in_2019 and {r["template"] for r in old_format["items"]} == {"2019"}
    erring = client.get("/api/reports", params={"has_errors": "1"}).json()["items"]
    assert erring and all(r["n_errors"] > 0 for r in erring)
    by_rule = client.get("/api/reports", params={"rule": "T4-GROUPSUM"}).json()["items"]
    assert [r["source"].endswith(PDF_FILES[0].name) for r in by_rule] == [True]
    by_name = client.get("/api/reports", params={"q": "木金"}).json()["items"]
    assert [r["agency"] for r in by_name] == ["木金乡人民政府"]
    assert client.get("/api/reports", params={"year": 2023, "template": "2019"}).json()["items"] == []
    with store.engine.connect() as conn:
        code, province, level = conn.execute(text(
            "SELECT region_code, province, level FROM reports WHERE source LIKE :s"),
            {"s": f"%{PDF_FILES[0].name}"}).one()
    for region in (code[:2], code, province):  # a code prefix, a whole code, a name
        found = client.get("/api/reports", params={"region": region, "level": level}).json()["items"]
        assert {r["source"].rsplit("/", 1)[-1] for r in found} == {PDF_FILES[0].name}, region
    assert client.get("/api/reports", params={"region": "99"}).json()["items"] == []


def test_keyset_pages_cover_every_report_once(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    expected = [r["document_id"] for r in client.get("/api/reports").json()["items"]]
    for sort in ("new", "year", "errors"):
        seen: list[int] = []
        after = None
        while True:
            params = {"limit": 2, "sort": sort, **({"after": after} if after else {})}
            page = client.get("/api/reports", params=params)
            assert page.status_code == 200
            seen += [r["document_id"] for r in page.json()["items"]]
            after = page.json()["next"]
            if after is None:
                break
        assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen)), sort


def test_list_rejects_bad_parameters_with_a_reason(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    cursor = client.get("/api/reports", params={"after": "garbage"})
    assert cursor.status_code == 400 and "翻页" in cursor.json()["detail"]
    assert "级别" in client.get("/api/reports", params={"level": "村"}).json()["detail"]
    page = client.get("/reports", params={"year": "abc"})
    assert page.status_code == 400 and "年度应为数字" in page.text


def test_list_page_links_to_each_report(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    html = client.get("/reports", params={"has_errors": "1"}).text
    assert f'href="/reports/{pdf_id}"' in html and "洪泽区人民政府" in html


# ------------------------------------------------------------------------------ report page
def test_report_page_lays_out_the_tables_with_statuses_and_findings(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    html = client.get(f"/reports/{pdf_id}").text
    for table in ("active_disclosure", "applications", "review_litigation"):
        assert f'id="table-{table}"' in html
    printed = sum(c.role == "value" for t in tables(TableShape("2021", hybrid=True)).values()
                  for c in t.cells)
    assert html.count('class="value s-') == printed  # the hybrid prints （六） as one row
    # the T4-GROUPSUM error names 行政复议's total: that cell is marked
    assert re.search(r'class="value s-read f-error"\s+data-path="review_litigation.review.total"', html)
    assert "表四「行政复议」：总计" in html  # the finding in plain Chinese


def test_report_json_has_cells_findings_with_keys_and_no_report_gives_404(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    data = client.get(f"/api/reports/{pdf_id}").json()
    assert data["agency"] == "洪泽区人民政府" and len(data["cells"]) >= 200
    assert {f["key"].split("|")[0] for f in data["findings"]} >= {"T4-GROUPSUM", "T3-ROWSET"}
    missing = client.get("/api/reports/999999")
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]
    assert client.get("/reports/999999").status_code == 404


def test_cell_source_of_a_text_report_shows_the_line(app, store) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    rid = report_id(store, SEED_FILES[4].name)
    data = client.get(f"/api/reports/{rid}/cells/applications.new_received.total/source").json()
    targets = [line for line in data["source"]["lines"] if line["target"]]
    assert targets and targets[0]["number"] == data["cell"]["line"]
    assert data["cell"]["raw"] in targets[0]["text"]
    panel = client.get(f"/reports/{rid}/cells/applications.new_received.total").text
    assert 'class="target"' in panel


def test_cell_source_of_a_pdf_draws_the_page_with_the_box(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    source = client.get(f"/api/reports/{pdf_id}/cells/{CELL}/source").json()["source"]
    assert source["kind"] == "pdf" and source["page"] >= 1 and len(source["bbox"]) == 4
    row, column = source["target"]
    assert source["grid"][row][column] == "0"
    image = client.get(source["image"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    from PIL import Image

    picture = Image.open(io.BytesIO(image.content)).convert("RGB")
    x0, top, x1, _bottom = (v * 1.5 for v in source["bbox"])
    assert picture.getpixel((int((x0 + x1) / 2), int(top - 3))) == (220, 30, 30)  # the red box
    assert client.get(f"/api/reports/{pdf_id}/pages/99.png").status_code == 404


def test_unknown_cell_and_bad_box_are_explained(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    response = client.get(f"/api/reports/{pdf_id}/cells/applications.nothing.total/source")
    assert response.status_code == 404 and "applications.nothing.total" in response.json()["detail"]
    assert client.get(f"/api/reports/{pdf_id}/pages/1.png", params={"bbox": "1,2"}).status_code == 400


def test_sections_are_shown(app, store) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    rid = report_id(store, SEED_FILES[4].name)
    assert "木金乡" in client.get(f"/api/reports/{rid}/sections").json()["overview"]
    prose = client.get(f"/reports/{rid}/sections").text
    assert "一、总体情况" in prose and 'data-section="applications"' not in prose  # tables are above


# ------------------------------------------------------------------------------ review
def test_reviewer_corrects_a_cell_and_the_page_shows_it_with_its_trail(app, store, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    answer = client.post(f"/api/reports/{pdf_id}/cells/review_litigation.review.total/corrections",
                         json={"value": 11, "reason": "原文合计漏填"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 201 and answer.json()["old_value"] == 0
    data = client.get(f"/api/reports/{pdf_id}").json()
    cell = data["cells"]["review_litigation.review.total"]
    assert (cell["value"], cell["status"]) == (11, "corrected")
    keys = [f["key"] for f in data["findings"]]
    # 11 = 维持+纠正+其他+尚未审结 now: the rechecked report no longer has that finding
    assert data["rechecked"] and not any(k.startswith("T4-GROUPSUM|review_litigation.review.") for k in keys)
    html = client.get(f"/reports/{pdf_id}").text
    assert "原文合计漏填" in html
    assert re.search(r'class="value s-corrected"\s+data-path="review_litigation.review.total"', html)


def test_correcting_a_stat_cell_updates_the_reports_copy(app, store, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "rita")
    token = csrf_of(client.get(f"/reports/{pdf_id}").text)
    form = client.post(f"/reports/{pdf_id}/cells/{CELL}/correct",
                       data={"value": "７", "reason": "见第3页", "csrf_token": token}, follow_redirects=False)
    assert form.status_code == 303
    with store.engine.connect() as conn:
        copied = conn.execute(text("SELECT granted FROM reports WHERE document_id = :i"), {"i": pdf_id})
        assert copied.scalar() == 7


def test_reviewer_dismisses_a_finding(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    finding = _finding(client, pdf_id, "T3-ROWSET")
    answer = client.post(f"/api/reports/{pdf_id}/reviews", headers={"X-CSRF-Token": token},
                         json={"finding_key": finding["key"], "decision": "dismissed",
                               "reason": "混合格式，属实"})
    assert answer.status_code == 201
    after = _finding(client, pdf_id, "T3-ROWSET")
    assert after["decision"]["decision"] == "dismissed" and after["open"] is False
    assert "混合格式，属实" in client.get(f"/reports/{pdf_id}").text


def _finding(client: TestClient, rid: int, rule: str) -> dict:
    return next(f for f in client.get(f"/api/reports/{rid}").json()["findings"] if f["rule"] == rule)


def test_bad_corrections_are_refused_with_a_reason(app, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    headers = {"X-CSRF-Token": token}
    url = f"/api/reports/{pdf_id}/cells/{CELL}/corrections"
    negative = client.post(url, json={"value": -1, "reason": "x"}, headers=headers)
    assert negative.status_code == 400 and "负数" in negative.json()["detail"]
    no_reason = client.post(url, json={"value": 1, "reason": " "}, headers=headers)
    assert no_reason.status_code == 400 and "理由" in no_reason.json()["detail"]
    form = client.post(f"/reports/{pdf_id}/cells/{CELL}/correct",
                       data={"value": "七", "reason": "x", "csrf_token": token})
    assert form.status_code == 400 and "不是数字" in form.text


# ------------------------------------------------------------------------------ security
def test_a_viewer_cannot_correct(app, store, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "vic")
    before = _corrections(store)
    api = client.post(f"/api/reports/{pdf_id}/cells/{CELL}/corrections", json={"value": 3, "reason": "x"},
                      headers={"X-CSRF-Token": token})
    form = client.post(f"/reports/{pdf_id}/cells/{CELL}/correct", data={"value": "3", "reason": "x",
                                                                       "csrf_token": token})
    assert api.status_code == form.status_code == 403
    assert "审核员" in api.json()["detail"]
    assert 'class="correct-form"' not in client.get(f"/reports/{pdf_id}/cells/{CELL}").text
    assert _corrections(store) == before


def test_a_forged_form_without_the_csrf_token_is_refused(app, store, pdf_id: int) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    before = _corrections(store)
    forged = client.post(f"/reports/{pdf_id}/cells/{CELL}/correct", data={"value": "5", "reason": "forged"})
    wrong = client.post(f"/reports/{pdf_id}/cells/{CELL}/correct",
                        data={"value": "5", "reason": "forged", "csrf_token": token[::-1]})
    api = client.post(f"/api/reports/{pdf_id}/cells/{CELL}/corrections",
                      json={"value": 5, "reason": "forged"})
    assert forged.status_code == wrong.status_code == api.status_code == 403
    assert "CSRF" in forged.text
    assert _corrections(store) == before


def test_script_in_report_text_and_reasons_is_shown_as_text(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    evil = SEED_FILES[4].read_text("utf-8").replace(
        "一、总体情况", "一、总体情况\n\n<script>alert('gongkai')</script><img src=x onerror=alert(1)>", 1)
    job = upload(client, token, [("files", ("evil.txt", evil.encode("utf-8"), "text/plain"))])
    rid = job["items"][0]["report_id"]
    sections = client.get(f"/reports/{rid}/sections").text
    assert "&lt;script&gt;alert(&#39;gongkai&#39;)&lt;/script&gt;" in sections
    assert "<script>alert" not in sections and "<img src=x" not in sections
    client.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
                json={"value": 0, "reason": "<script>alert(2)</script>"})
    page = client.get(f"/reports/{rid}")
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text and "<script>alert(2)" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def _corrections(store) -> int:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM corrections")).scalar_one()


# ------------------------------------------------------------------------------ upload
def test_upload_parses_good_files_and_explains_bad_ones(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/seed.txt", SEED_FILES[2].read_bytes())
        zf.writestr("inner/notes.txt", "购物清单：苹果、梨")
    files = [("files", ("seed0.txt", SEED_FILES[0].read_bytes(), "text/plain")),
             ("files", ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png")),
             ("files", ("huge.txt", b"x" * (2 * 1024 * 1024 + 1), "text/plain")),
             ("files", ("../../escape.zip", archive.getvalue(), "application/zip"))]
    job = upload(client, token, files)
    assert job["state"] == "done" and job["done"] == job["total"] >= 5
    items = {i["name"]: i for i in job["items"]}
    assert items["seed0.txt"]["status"] in ("parsed", "stored_before") and items["seed0.txt"]["report_id"]
    assert items["scan.png"]["status"] == "failed" and items["scan.png"]["message"]
    assert items["huge.txt"]["status"] == "refused" and "2 MB" in items["huge.txt"]["message"]
    assert items["../../escape.zip!/inner/seed.txt"]["status"] in ("parsed", "stored_before")
    assert "统计表" in items["../../escape.zip!/inner/notes.txt"]["message"]
    assert not (tmp_path.parent / "escape.zip").exists()
    # the source view works from the stored bytes
    seed_id = items["seed0.txt"]["report_id"]
    cells = client.get(f"/api/reports/{seed_id}").json()["cells"]
    read = next(path for path, cell in cells.items() if cell["status"] == "read")
    source = client.get(f"/api/reports/{seed_id}/cells/{read}/source")
    assert source.status_code == 200 and any(line["target"] for line in source.json()["source"]["lines"])


def test_upload_page_shows_results_and_needs_the_token(app) -> None:  # type: ignore[no-untyped-def]
    client, token = client_for(app, "rita")
    files = [("files", ("again.txt", SEED_FILES[1].read_bytes(), "text/plain"))]
    refused = client.post("/upload", files=files)
    assert refused.status_code == 403
    # the token in the multipart body is not read: it must come in the query string or header
    assert client.post("/upload", data={"csrf_token": token}, files=files).status_code == 403
    form = csrf_of(client.get("/upload").text)
    assert f'action="/upload?csrf_token={form}"' in client.get("/upload").text
    page = client.post(f"/upload?csrf_token={token}", files=files)
    assert page.status_code == 200 and 'id="upload-job"' in page.text
    job_url = str(page.url)
    for _ in range(600):
        if 'id="upload-results"' in (page := client.get(job_url)).text:
            break
        assert 'id="upload-progress"' in page.text and 'hx-trigger="every 1s"' in page.text
        time.sleep(0.1)
    assert 'id="upload-results"' in page.text and "again.txt" in page.text
    empty = client.post("/api/upload", headers={"X-CSRF-Token": token}, files=[("x", ("a", b"1"))])
    assert empty.status_code == 400 and "请选择" in empty.json()["detail"]
    viewer, viewer_token = client_for(app, "vic")
    assert viewer.post("/api/upload", headers={"X-CSRF-Token": viewer_token}, files=files).status_code == 403


# ------------------------------------------------------------------------------ dashboard and docs
def test_dashboard_figures_and_csv(app, store) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    with store.engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one()
    by_year = client.get("/api/stats/counts_year").json()
    assert sum(row[1] for row in by_year["rows"]) == total
    outcomes = client.get("/api/stats/outcomes").json()
    assert outcomes["columns"][1:] == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert all(len(row) == 7 for row in outcomes["rows"]) and outcomes["rows"]
    rates = client.get("/api/stats/correction_rates").json()
    assert rates["columns"][1] == "行政复议纠错率%"
    with store.engine.connect() as conn:
        key, name = conn.execute(text("SELECT agency_key, COALESCE(agency_name, agency) FROM reports "
                                      "WHERE agency = '洪泽区人民政府'")).one()
    missing = client.get("/api/stats/missing").json()
    assert missing["agencies"][missing["keys"].index(key)] == name
    hongze = name
    for agency_param in (key, "洪泽区人民政府"):
        agency = client.get("/api/stats/agency", params={"agency": agency_param}).json()
        assert [row[0] for row in agency["rows"]] == [2023]
    for name in ("counts_region", "counts_level", "rules", "region"):
        assert client.get(f"/api/stats/{name}").status_code == 200, name
    csv = client.get("/api/stats/counts_year", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.decode("utf-8").splitlines()[0] == "\ufeff年度,报告数"
    assert client.get("/api/stats/nothing").status_code == 404
    assert 'hx-get="/dashboard/missing"' in client.get("/dashboard").text  # the matrix is a table (htmx)
    assert hongze in client.get("/dashboard/missing").text


def test_docs_work_offline(app) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_for(app, "vic")
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower() and "/static/vendor/swagger-ui-bundle.js" in docs
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/reports", "/api/reports/{report_id}", "/api/stats/{name}", "/api/upload"} <= set(paths)


def test_only_an_admin_manages_accounts(app) -> None:  # type: ignore[no-untyped-def]
    admin, token = client_for(app, "ada")
    made = admin.post("/admin/users", data={"name": "新人", "password": PASSWORD, "role": "viewer",
                                            "csrf_token": token})
    assert made.status_code == 200 and "已创建 新人" in made.text and "新人" in made.text
    duplicate = admin.post("/api/users", json={"name": "新人", "password": PASSWORD},
                           headers={"X-CSRF-Token": token})
    assert duplicate.status_code == 400 and "已存在" in duplicate.json()["detail"]
    reviewer, reviewer_token = client_for(app, "rita")
    assert reviewer.get("/admin/users").status_code == 403
    assert reviewer.post("/api/users", json={"name": "x", "password": PASSWORD},
                         headers={"X-CSRF-Token": reviewer_token}).status_code == 403
    newcomer, _ = client_for(app, "新人")
    assert newcomer.get("/api/me").json()["user"]["role"] == "viewer"
