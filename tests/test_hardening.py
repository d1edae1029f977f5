"""Issue 12: each break the attack-and-fault audit found, with the test that failed before the fix.

Break 1 (the audit trail) is tests/test_audit_trail.py; break 9 (no 5xx) tests/test_web_fuzz.py.
"""

from __future__ import annotations

import io
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from sqlalchemy import text

from gongkai.web import create_app
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import (
    PASSWORD,
    PDF_FILES,
    SEED_FILES,
    api_login,
    csrf_of,
    live_server,
    make_store,
    new_postgres_database,
    report_id,
)

CELL = "applications.granted.total"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = None
    if request.param == "postgresql":
        url = new_postgres_database(request.getfixturevalue("pg_url"), f"gongkai_hard_{os.getpid()}")
    with make_store(tmp_path_factory.mktemp("hard"), [SEED_FILES[4], PDF_FILES[0]], url=url) as s:
        yield s


@pytest.fixture
def app(store, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh app per test: its login throttle starts empty."""
    return create_app(store.name, store=store, upload_dir=tmp_path / "uploads", max_upload_bytes=1024 * 1024,
                      max_upload_files=4)


def _client(app, name: str | None = None) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, raise_server_exceptions=False)
    token = api_login(client, name) if name else client.get("/api/me").json()["csrf"]
    return client, token


def _count(store, table: str) -> int:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


# ------------------------------------------------------------------------------ 2. request sizes
def _raw(base: str, head: str, body_chunks: int = 0, chunk: bytes = b"", timeout: float = 30.0
         ) -> tuple[bytes, int]:
    """Send a request head on a raw socket, then up to ``body_chunks`` chunks while no answer has
    come; (the answer's first bytes, body bytes sent)."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))
        for _ in range(body_chunks):
            ready, _, _ = select.select([sock], [], [], 0)
            if ready:
                break
            try:
                sock.sendall(chunk)
            except OSError:  # the server answered and closed
                break
            sent += len(chunk)
        sock.settimeout(timeout)
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except (TimeoutError, ConnectionResetError):
            pass
    return answer, sent


def _chunked(piece: bytes) -> bytes:
    return f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def test_a_huge_login_body_is_refused_while_it_streams(app) -> None:  # type: ignore[no-untyped-def]
    """300 MiB of JSON to /api/login once grew the server by 1.2 GB. Sent chunked (no length to
    refuse up front), it is cut off at the login limit: 413 after a few MB at most."""
    piece = b"[" * (256 * 1024)
    head = ("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
    with live_server(app) as base:
        answer, sent = _raw(base, head, body_chunks=1200, chunk=_chunked(piece))  # up to 300 MiB
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    assert sent < 64 * 2**20  # stopped long before 300 MiB (the rest is socket buffers)


@pytest.mark.parametrize(("path", "kind", "status"), [
    ("/api/login", "application/json", 413),
    ("/login", "multipart/form-data; boundary=x", 415),  # no multipart outside the upload routes
    ("/reports/1/cells/x/correct", "application/x-www-form-urlencoded", 413),
    ("/api/upload", "multipart/form-data; boundary=x", 413),  # over the whole upload's limit
])
def test_a_declared_huge_body_is_refused_before_it_is_sent(app, path: str, kind: str, status: int) -> None:  # type: ignore[no-untyped-def]
    """A 1 GiB multipart body to /login was spooled to disk before the CSRF check refused it."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {2**30}\r\n\r\n")
    with live_server(app) as base:
        answer, _ = _raw(base, head, timeout=20)  # no byte of the body is sent
    assert answer.startswith(f"HTTP/1.1 {status}".encode()), answer[:80]


def test_an_upload_without_the_token_or_role_is_refused_before_its_body_is_read(app, store) -> None:  # type: ignore[no-untyped-def]
    client, token = _client(app, "rita")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    viewer, viewer_token = _client(app, "vic")
    viewer_cookie = "; ".join(f"{k}={v}" for k, v in viewer.cookies.items())
    kind = "multipart/form-data; boundary=x"
    with live_server(app) as base:
        for extra, expected in ((f"Cookie: {cookie}\r\n", b"403"),  # no token
                                (f"Cookie: {viewer_cookie}\r\nX-CSRF-Token: {viewer_token}\r\n", b"403"),
                                ("", b"403")):  # no session at all
            head = (f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n{extra}"
                    f"Content-Length: {3 * 2**20}\r\n\r\n")
            answer, _ = _raw(base, head, timeout=20)  # the body never comes: refused on the head
            assert answer.startswith(b"HTTP/1.1 " + expected), (extra, answer[:80])
    assert token


def test_nul_bytes_and_bad_csrf_tokens_are_refused_not_crashes(app, store) -> None:  # type: ignore[no-untyped-def]
    client, token = _client(app, "rita")
    rid = report_id(store, SEED_FILES[4].name)
    assert client.get("/api/reports", params={"q": "a\x00b"}).status_code == 400
    for bad in ("ü" * 40, "\x7f", token + "é"):
        response = client.post(f"/api/reports/{rid}/cells/{CELL}/corrections",
                               json={"value": 1, "reason": "x"},
                               headers=[(b"X-CSRF-Token", bad.encode("utf-8"))])
        assert response.status_code == 403
    nul = client.post(f"/api/reports/{rid}/cells/{CELL}/corrections", json={"value": 1, "reason": "a\x00b"},
                      headers={"X-CSRF-Token": token})
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]
    assert client.post("/api/login", content=b"\xff\xfe not json",
                       headers={"content-type": "application/json"}).status_code in (400, 422)


# ------------------------------------------------------------------------------ 3. page images
def _huge_pdf(points: float = 14_400) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(points, points)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_huge_pdf_page_is_drawn_within_the_pixel_cap() -> None:
    """A 14,400 pt page at the normal scale is 21,600² = 467 M pixels (16.9 s, +3.5 GB)."""
    from PIL import Image

    from gongkai.web.source import MAX_PAGE_PIXELS, page_png

    png = page_png(_huge_pdf(), 1, [100, 100, 200, 150])
    width, height = Image.open(io.BytesIO(png)).size
    assert width * height <= MAX_PAGE_PIXELS and width > 1000


def test_page_images_are_cached_within_a_byte_budget(store) -> None:  # type: ignore[no-untyped-def]
    from gongkai.web.source import SourceCache

    sources = SourceCache(store.engine)
    rid = report_id(store, PDF_FILES[0].name)
    with store.engine.connect() as conn:
        first = sources.page(conn, rid, 1, [10, 10, 50, 50])
        assert sources.page(conn, rid, 1, [10, 10, 50, 50]) is first  # served from the cache
        for box in range(40):
            sources.page(conn, rid, 1, [box, 10, 50, 50])
    assert sources.pages.bytes <= sources.pages.max_bytes and len(sources.pages) <= sources.pages.max_entries


# ------------------------------------------------------------------------------ 4. sessions
def test_a_cookie_is_worthless_after_logout(app, store) -> None:  # type: ignore[no-untyped-def]
    """It stayed valid for 7 days: a correction made with it after logout was accepted."""
    client, token = _client(app, "rita")
    stolen = dict(client.cookies)
    assert client.post("/api/logout", headers={"X-CSRF-Token": token}).status_code == 200
    thief = TestClient(app, cookies=stolen)
    before = _count(store, "corrections")
    rid = report_id(store, SEED_FILES[4].name)
    write = thief.post(f"/api/reports/{rid}/cells/{CELL}/corrections", json={"value": 2, "reason": "x"},
                       headers={"X-CSRF-Token": token})
    assert write.status_code == 401 and thief.get("/api/me").json()["user"] is None
    assert _count(store, "corrections") == before


def test_password_change_and_disabling_end_sessions(app, store) -> None:  # type: ignore[no-untyped-def]
    admin, admin_token = _client(app, "ada")
    admin.post("/api/users", json={"name": "temp", "password": PASSWORD, "role": "reviewer"},
               headers={"X-CSRF-Token": admin_token})
    first, _ = _client(app, "temp")
    second, second_token = _client(app, "temp")
    listed = {u["name"]: u for u in admin.get("/api/users").json()["items"]}
    assert listed["temp"]["sessions"] == 2
    changed = admin.post("/api/users/temp/password", json={"password": PASSWORD + "-new"},
                         headers={"X-CSRF-Token": admin_token})
    assert changed.json() == {"sessions_revoked": 2}
    assert first.get("/api/me").json()["user"] is None and second.get("/api/me").json()["user"] is None
    assert TestClient(app).post("/api/login", json={"name": "temp", "password": PASSWORD}).status_code == 401
    third, _ = _client_with(app, "temp", PASSWORD + "-new")
    assert admin.post("/api/users/temp/disable", headers={"X-CSRF-Token": admin_token}).json() == {
        "sessions_revoked": 1}
    assert third.get("/api/me").json()["user"] is None
    assert TestClient(app).post("/api/login", json={"name": "temp", "password": PASSWORD + "-new"}
                                ).status_code == 401
    admin.post("/api/users/temp/enable", headers={"X-CSRF-Token": admin_token})
    fourth, _ = _client_with(app, "temp", PASSWORD + "-new")
    assert fourth.get("/api/me").json()["user"]["name"] == "temp"
    assert second_token


def _client_with(app, name: str, password: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    return client, api_login(client, name, password)


def test_the_admin_page_changes_passwords_disables_and_revokes(app, store) -> None:  # type: ignore[no-untyped-def]
    admin, token = _client(app, "ada")
    admin.post("/admin/users", data={"name": "page-user", "password": PASSWORD, "csrf_token": token})
    victim, _ = _client(app, "page-user")
    page = admin.get("/admin/users").text
    assert 'data-user="page-user"' in page and 'action="/admin/users/page-user/revoke"' in page
    token = csrf_of(page)
    done = admin.post("/admin/users/page-user/revoke", data={"csrf_token": token})
    assert done.status_code == 200 and "已结束 page-user 的 1 个会话" in done.text
    assert victim.get("/api/me").json()["user"] is None
    victim, _ = _client(app, "page-user")
    admin.post("/admin/users/page-user/disable", data={"csrf_token": token})
    assert victim.get("/api/me").json()["user"] is None
    admin.post("/admin/users/page-user/enable", data={"csrf_token": token})
    admin.post("/admin/users/page-user/password", data={"csrf_token": token, "password": "another-pass-1"})
    _client_with(app, "page-user", "another-pass-1")
    assert _client(app, "rita")[0].get("/admin/users").status_code == 403


def test_the_user_commands(store, app) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from gongkai.cli import app as cli

    runner = CliRunner()
    db = ["--db", store.name if store.engine.dialect.name == "sqlite"
          else store.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")]
    assert runner.invoke(cli, ["user", "add", "cli-user", "--role", "reviewer", "--password-stdin", *db],
                         input=PASSWORD + "\n").exit_code == 0
    session, _ = _client(app, "cli-user")
    listed = runner.invoke(cli, ["user", "sessions", "cli-user", *db])
    assert listed.exit_code == 0 and "testclient" in listed.stdout
    revoked = runner.invoke(cli, ["user", "sessions", "cli-user", "--revoke", *db])
    assert revoked.exit_code == 0 and session.get("/api/me").json()["user"] is None
    session, _ = _client(app, "cli-user")
    assert runner.invoke(cli, ["user", "passwd", "cli-user", "--password-stdin", *db],
                         input="brand-new-pass\n").exit_code == 0
    assert session.get("/api/me").json()["user"] is None
    assert runner.invoke(cli, ["user", "disable", "cli-user", *db]).exit_code == 0
    assert TestClient(app).post("/api/login", json={"name": "cli-user", "password": "brand-new-pass"}
                                ).status_code == 401
    assert runner.invoke(cli, ["user", "enable", "cli-user", *db]).exit_code == 0
    _client_with(app, "cli-user", "brand-new-pass")
    missing = runner.invoke(cli, ["user", "disable", "nobody", *db])
    assert missing.exit_code == 2


def test_the_database_holds_no_signing_key_and_forged_cookies_fail(app, store) -> None:  # type: ignore[no-untyped-def]
    """The key was in web_settings: whoever could read the database could sign an admin's cookie."""
    from itsdangerous import URLSafeTimedSerializer

    from gongkai.web.auth import COOKIE, load_secret

    with store.engine.connect() as conn:
        stored = [v for (v,) in conn.execute(text("SELECT value FROM web_settings"))]
    secret = load_secret()
    assert secret not in stored
    admin_id = next(u.id for u in __import__("gongkai.store.review", fromlist=["users"]).users(store.engine)
                    if u.name == "ada")
    for key in [*stored, secret]:  # even the real key cannot forge a session that was never started
        for payload in ({"u": admin_id, "c": "x"}, {"s": "forged-token", "c": "x"}):
            for salt in ("gongkai-session", "gongkai-session-v2"):
                cookie = URLSafeTimedSerializer(key, salt=salt).dumps(payload)
                client = TestClient(app, cookies={COOKIE: cookie})
                assert client.get("/api/me").json()["user"] is None


def test_the_key_file_is_created_0600_and_refused_when_others_can_read_it(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch
                                                                          ) -> None:
    from gongkai.web.auth import SecretError, load_secret

    monkeypatch.delenv("GONGKAI_SECRET", raising=False)
    key_file = tmp_path / "conf" / "session.key"
    first = load_secret(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and load_secret(key_file) == first
    key_file.chmod(0o644)
    with pytest.raises(SecretError, match="readable by others"):
        load_secret(key_file)
    monkeypatch.setenv("GONGKAI_SECRET", "s" * 40)
    assert load_secret(key_file) == "s" * 40


# ------------------------------------------------------------------------------ 5. login
def test_login_is_throttled_per_account_and_per_address(app) -> None:  # type: ignore[no-untyped-def]
    """300 wrong passwords were all tried."""
    client = TestClient(app)
    answers = [client.post("/api/login", json={"name": "rita", "password": f"wrong-{i}"}).status_code
               for i in range(8)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429] * 3
    locked = client.post("/api/login", json={"name": "rita", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    form = client.post("/login", data={"name": "rita", "password": PASSWORD,
                                       "csrf_token": csrf_of(client.get("/login").text)})
    assert form.status_code == 429 and "登录失败次数过多" in form.text
    assert client.post("/api/login", json={"name": "ada", "password": PASSWORD}).status_code == 200
    # one address sweeping many accounts is stopped too
    for i in range(40):
        last = client.post("/api/login", json={"name": f"user{i}", "password": "x"}).status_code
    assert last == 429


def test_at_most_a_few_password_hashes_run_at_once() -> None:
    from fastapi import HTTPException

    from gongkai.web.throttle import HashGate, LoginThrottle

    gate = HashGate(slots=1, wait=0.05)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gate.slot():
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    with pytest.raises(HTTPException) as refused, gate.slot():
        pass
    assert refused.value.status_code == 503
    release.set()
    thread.join()
    with gate.slot():  # free again
        pass
    throttle = LoginThrottle(max_keys=100)
    for i in range(1000):
        throttle.failed(f"name{i}", f"10.0.{i // 250}.{i % 250}")
    assert len(throttle) <= 100  # memory bounded whatever the attacker sends


# ------------------------------------------------------------------------------ 6. injection
def test_exports_write_formula_like_text_as_text(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import csv

    from openpyxl import load_workbook

    from gongkai.store.export import official_xlsx

    rid = report_id(store, SEED_FILES[4].name)
    evil = '=HYPERLINK("http://127.0.0.1/x","点击")'
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE reports SET title = :t, agency = :a WHERE document_id = :i"),
                     {"t": evil, "a": "@SUM(1+1)", "i": rid})
    try:
        for form in ("wide", "long"):
            workbook = load_workbook(store.export(tmp_path / f"{form}.xlsx", format="xlsx", form=form))
            cells = [c for row in workbook.active.iter_rows() for c in row]
            assert not [c.coordinate for c in cells if c.data_type == "f"], form
            if form == "wide":
                assert evil in [c.value for c in cells]
            written = store.export(tmp_path / f"{form}.csv", format="csv", form=form)
            with open(written, encoding="utf-8-sig") as f:
                values = [v for row in csv.reader(f) for v in row]
            assert not [v for v in values if v[:1] in ("=", "+", "@")], form
            if form == "wide":
                assert "'" + evil in values and "'@SUM(1+1)" in values
        official = load_workbook(io.BytesIO(official_xlsx(store.engine, rid)))
        notes = [c for row in official["说明"].iter_rows() for c in row]
        assert evil in [c.value for c in notes] and not [c for c in notes if c.data_type == "f"]
    finally:
        store.ingest([SEED_FILES[4]], workers=1)  # (stored already: nothing changes)
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE reports SET title = NULL, agency = :a WHERE document_id = :i"),
                         {"a": "木金乡人民政府", "i": rid})


def test_dashboard_csv_writes_formula_like_names_as_text() -> None:
    from gongkai.web.stats import Figure

    rows = [["=cmd|' /C calc'!A0", 1], ["-2+3", 2], ["普通", 3]]
    figure = Figure("region", "x", "bar", ["单位", "数"], rows)
    lines = figure.to_csv().lstrip("\ufeff").splitlines()
    assert lines[1].startswith("'=cmd") and lines[2].startswith("'-2+3") and lines[3] == "普通,3"


# ------------------------------------------------------------------------------ 7. bounded memory
def test_the_stats_cache_stays_bounded(store) -> None:  # type: ignore[no-untyped-def]
    """10,000 distinct agency queries once grew the server by 440 MiB, never freed."""
    from gongkai.web.stats import Params, StatsCache

    cache = StatsCache(max_entries=50)
    with store.engine.connect() as conn:
        for i in range(300):
            cache.get(conn, "agency", Params(agency=f"单位{i}"))
    assert len(cache) == 50


def test_ingest_holds_a_bounded_number_of_source_bytes(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """30 files of 48 MiB once held 6.8 GB: batches were counted in files, not bytes."""
    from gongkai.store.ingest import ingest, parse_work

    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(12):
        (folder / f"r{i:02d}.txt").write_bytes(SEED_FILES[4].read_bytes() + b" " * (2 * 2**20 + i))

    class Recording:
        def __init__(self) -> None:
            self.in_flight = 0
            self.most = 0

        def submit(self, work):  # type: ignore[no-untyped-def]
            self.in_flight += sum(len(d) for d, _ in work)
            self.most = max(self.most, self.in_flight)
            return work

        def gather(self, work, handle):  # type: ignore[no-untyped-def]
            self.in_flight -= sum(len(d) for d, _ in work)
            return parse_work(handle, False)

        def close(self) -> None:
            pass

    recording = Recording()
    progress: list[tuple[int, int]] = []
    result = ingest(store.engine, [folder], workers=1, path_ids=store._path_ids, begin=store._begin,
                    version="bounded", parser=recording, max_batch_bytes=5 * 2**20,
                    on_progress=lambda done, total: progress.append((done, total)))
    assert result.seen == 12
    assert recording.most <= 2 * 5 * 2**20  # two batches in flight at most, whatever the file sizes
    assert progress[-1] == (12, 12) and len(progress) >= 5 and progress == sorted(progress)


# ------------------------------------------------------------------------------ 8. what readers see
def test_anonymous_readers_see_no_names_and_no_server_paths(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    rita, token = _client(app, "rita")
    rita.post(f"/api/reports/{rid}/cells/{CELL}/corrections", json={"value": 0, "reason": "复核原文"},
              headers={"X-CSRF-Token": token})
    rita.post(f"/api/reports/{rid}/reviews", headers={"X-CSRF-Token": token},
              json={"finding_key": "T3-ROWSET|x", "decision": "confirmed", "reason": "属实"})
    visitor = TestClient(app)
    folder = str(PDF_FILES[0].parent)
    seen = [visitor.get(f"/api/reports/{rid}").text, visitor.get(f"/reports/{rid}").text,
            visitor.get("/api/reports").text, visitor.get("/reports").text,
            visitor.get(f"/api/reports/{rid}/cells/{CELL}/source").text,
            visitor.get(f"/reports/{rid}/cells/{CELL}").text]
    for page in seen:
        assert "rita" not in page and folder not in page
    assert "复核原文" in seen[1] and PDF_FILES[0].name in seen[0]  # the reason and the file name stay
    assert "rita" in rita.get(f"/reports/{rid}").text  # staff see who did what


def test_error_pages_show_no_server_path_or_repr(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from gongkai.web.upload import _explain

    copy = tmp_path / "gone" / SEED_FILES[2].name
    copy.parent.mkdir()
    copy.write_bytes(SEED_FILES[2].read_bytes())
    store.ingest([copy], workers=1, keep_source=False)
    rid = report_id(store, str(copy))
    copy.unlink()
    client, _ = _client(store_app := create_app(store.name, store=store, upload_dir=tmp_path), "vic")
    gone = client.get(f"/api/reports/{rid}/cells/applications.new_received.total/source")
    page = client.get(f"/reports/{rid}/cells/applications.new_received.total")
    assert gone.status_code == 404 and str(tmp_path) not in gone.text and str(tmp_path) not in page.text
    assert store_app
    folder = tmp_path / "uploads" / "batch"
    for reason in (f"internal error: TypeError: <gongkai.document.Row object at 0x7f00> in {folder}/a.txt",
                   f"unreadable: [Errno 2] No such file or directory: '{folder}/x.zip'"):
        shown = _explain(reason, folder)
        assert str(tmp_path) not in shown and "0x7f" not in shown and "object at" not in shown


def test_docs_and_the_schema_need_a_login_unless_anonymous_read(store, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    visitor = TestClient(app)
    assert visitor.get("/openapi.json").status_code == 401
    assert visitor.get("/docs", follow_redirects=False).status_code == 303
    viewer, _ = _client(app, "vic")
    assert viewer.get("/openapi.json").status_code == 200 and viewer.get("/docs").status_code == 200
    open_app = create_app(store.name, store=store, anonymous_read=True, upload_dir=tmp_path)
    assert TestClient(open_app).get("/openapi.json").status_code == 200


# ------------------------------------------------------------------------------ 10. workers
def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_no_worker_survives_a_kill_9_of_the_ingest(tmp_path: Path) -> None:
    """Workers once survived as orphans of 170 MB each."""
    import random

    from gongkai.synth.generate import random_report
    from gongkai.synth.text_layouts import render

    folder = tmp_path / "reports"
    folder.mkdir()
    rng = random.Random(5)
    for i in range(400):
        (folder / f"r{i:03d}.txt").write_text(render(random_report(rng), "pipes", rng), "utf-8")
    run = subprocess.Popen([sys.executable, "-c", "from gongkai.cli import app; app()", "ingest", str(folder),
                            "--db", str(tmp_path / "k.db"), "--workers", "2"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and run.poll() is None:
            workers = _children(run.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the ingest started no worker processes"
        os.kill(run.pid, signal.SIGKILL)
        run.wait(30)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)]
    finally:
        if run.poll() is None:
            run.kill()


def test_uploads_are_parsed_outside_the_server_process(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A 0.8 MB zip of 300 members held a server worker 136 s: the request now answers at once
    with a job, which a background worker parses in a process of its own."""
    from web_fixtures import upload

    app = create_app(store.name, store=store, upload_dir=tmp_path / "up")
    client, token = _client(app, "rita")
    # children of this process that earlier tests left running (a PostgreSQL server, a Ray cluster)
    # are not the upload's
    before = _children(os.getpid())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(30):
            zf.writestr(f"m{i:02d}.txt", SEED_FILES[i % len(SEED_FILES)].read_text("utf-8") + f"\n{i}\n")
    answer = client.post("/api/upload", headers={"X-CSRF-Token": token},
                         files=[("files", ("many.zip", archive.getvalue(), "application/zip"))])
    assert answer.status_code == 202 and answer.json()["url"].startswith("/api/upload/")
    assert answer.json()["items"] == []  # nothing parsed inside the request
    job = upload(client, token, [("files", ("many2.zip", archive.getvalue(), "application/zip"))])
    assert job["state"] == "done" and len(job["items"]) == 30 and job["done"] == job["total"]
    assert not [p for p in _children(os.getpid()) - before if _alive(p)], "a parser process outlived its job"
    other, _ = _client(app, "vic")
    assert other.get(job["url"]).status_code == 403  # a viewer cannot see it; nor can another reviewer


def _allocate(mib: int) -> str:
    try:
        block = bytearray(mib * 2**20)
        return f"allocated {len(block) // 2**20}"
    except MemoryError:
        return "MemoryError"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_parser_workers_are_held_to_their_memory_limit() -> None:
    """A worker gets ``memory_bytes`` on top of what it maps when forked (a web server with big
    libraries loaded must not leave its parser no room at all)."""
    from concurrent.futures import ProcessPoolExecutor

    from gongkai.store.ingest import _worker_init

    with ProcessPoolExecutor(1, initializer=_worker_init, initargs=(os.getpid(), 128 * 2**20)) as pool:
        assert pool.submit(_allocate, 32).result() == "allocated 32"
        assert pool.submit(_allocate, 512).result() == "MemoryError"
