"""Helpers for the web tests: a store with the seeds, accounts, logged-in clients, a live server."""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus import REAL, SEEDS

# the session key of test apps: a 0600 file of the test run, never the developer's ~/.config
os.environ.setdefault("GONGKAI_SECRET_FILE",
                      str(Path(tempfile.mkdtemp(prefix="gongkai-key-")) / "session.key"))

PASSWORD = "correct-horse-9"
USERS = {"ada": "admin", "rita": "reviewer", "vic": "viewer"}
SEED_FILES = sorted(SEEDS.glob("*.txt"))
PDF_FILES = sorted(REAL.glob("*.pdf"))


def make_store(folder: Path, files: list[Path] | None = None, url: str | None = None):  # type: ignore[no-untyped-def]
    """A store (SQLite in ``folder``, or the database at ``url``) with the given reports (default:
    the seeds and one real PDF) and one account per role."""
    from gongkai.store import open_store
    from gongkai.store.review import add_user

    assert SEED_FILES and PDF_FILES, "tests/data/corpus lacks seeds or PDFs"
    store = open_store(url or folder / "web.db")
    store.ingest(files if files is not None else [*SEED_FILES, PDF_FILES[0]], workers=1)
    for name, role in USERS.items():
        add_user(store.engine, name, PASSWORD, role=role)  # type: ignore[arg-type]
    return store


# a seed report made into a county government's (published after 31 March: late) and a
# department's (published by 31 January: on time), both of 淮安市
SUPERVISOR_VARIANTS = {"huaiyin-2022.txt": ("淮安市淮阴区人民政府", "2023-04-20"),
                       "caizheng-2022.txt": ("淮安市财政局", "2023-01-19")}


def supervisor_files(folder: Path) -> list[Path]:
    """The seeds, the real PDF (洪泽区 2023) and the two 淮安市 variants, written into ``folder``."""
    seed = next(p for p in SEED_FILES if p.name.startswith("003_"))  # 水口镇 2022, 发布日期 printed
    text = seed.read_text("utf-8")
    made = []
    for name, (agency, published) in SUPERVISOR_VARIANTS.items():
        target = folder / "reports" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace("水口镇人民政府", agency).replace("水口镇2022", f"{agency}2022")
                          .replace("2023-01-19", published), "utf-8")
        made.append(target)
    return [*SEED_FILES, PDF_FILES[0], *made]


def supervisor_roster(engine) -> None:  # type: ignore[no-untyped-def]
    """淮安市's roster: two units that never published, one that did (淮阴区)."""
    from gongkai.store.roster import entry, save

    save(engine, [entry("淮安市清江浦区人民政府", "320812", "县"), entry("淮安市教育局", "320800", "部门"),
                  entry("淮安市淮阴区人民政府", "320804", "县")], "import")


def new_postgres_database(server_url: str, name: str) -> str:
    """A fresh database on a running PostgreSQL server (see test_store_postgres.pg_url)."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server_url}/{name}"


def backend_url(request, prefix: str) -> str | None:  # type: ignore[no-untyped-def]
    """For a fixture parametrized over ``["sqlite", "postgresql"]``: None (a SQLite file) or a fresh
    database on the session's PostgreSQL server, named after ``prefix`` and the test."""
    if request.param != "postgresql":
        return None
    name = f"{prefix}_{os.getpid()}_{request.node.name[-30:].lower()}"
    return new_postgres_database(request.getfixturevalue("pg_url"),
                                 name.replace("[", "_").replace("]", "").replace("-", "_"))


def report_id(store, source_name: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return conn.execute(text("SELECT document_id FROM reports WHERE source LIKE :s"),
                            {"s": f"%{source_name}"}).scalar_one()


def upload(client, token: str, files, timeout: float = 120.0) -> dict:  # type: ignore[no-untyped-def]
    """POST /api/upload and wait for the background job; its final state (items included)."""
    response = client.post("/api/upload", headers={"X-CSRF-Token": token}, files=files)
    assert response.status_code == 202, response.text
    url = response.json()["url"]
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(url).json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def api_login(client, name: str, password: str = PASSWORD) -> str:  # type: ignore[no-untyped-def]
    """Log a client in through the API; the CSRF token for its POSTs."""
    response = client.post("/api/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["csrf"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve the app with uvicorn in a thread on a free port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched by Playwright (a module's tests share one); closed after."""
    import pytest

    playwright_api = pytest.importorskip("playwright.sync_api")
    assert CHROMIUM, "Chromium is required"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(base_url: str, name: str, width: int = 1300, height: int = 800,
                 timeout_ms: int = 30_000) -> Iterator[tuple[Any, Any]]:
    """Debian's Chromium driven by Playwright, logged in as ``name``: (page, playwright's
    ``expect``); the browser is closed afterwards."""
    import pytest

    expect = pytest.importorskip("playwright.sync_api").expect
    with chromium() as browser:
        page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
        page.set_default_timeout(timeout_ms)
        page.goto(f"{base_url}/login")
        page.fill('input[name="name"]', name)
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        expect(page.locator("#report-count")).to_be_visible()
        yield page, expect


@contextmanager
def served_store(store, upload_dir: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The web app over ``store`` (uploads under ``upload_dir``) on a live server: its base URL."""
    from gongkai.web import create_app

    with live_server(create_app(store.name, store=store, upload_dir=upload_dir)) as url:
        yield url
