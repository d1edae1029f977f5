"""The web app's database connections (issue 12, the load goal): one connection a request, shared
by the session lookup and the handler and always given back; pooled PostgreSQL connections tested
only when they may have died — and still replaced when the server restarted or ended them."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

with warnings.catch_warnings():  # starlette's TestClient suggests httpx2; httpx is what it runs on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sqlalchemy import event, text

from gongkai.web import create_app, data
from test_store_postgres import pg_url, postgres_cluster  # noqa: F401  (pg_url: the shared server fixture)
from web_fixtures import (
    PDF_FILES,
    SEED_FILES,
    api_login,
    backend_url,
    make_store,
    new_postgres_database,
    report_id,
)

CELL = "applications.granted.total"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = backend_url(request, "gongkai_conn")
    with make_store(tmp_path, files=[SEED_FILES[0], PDF_FILES[0]], url=url) as s:
        yield s


class Counted:
    """Checkouts from the engine's pool and the statements sent, while it is attached."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.checkouts, self.statements = engine, 0, []  # type: list[str]
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.checkouts, self.statements = 0, []

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        event.remove(self.engine, "before_cursor_execute", self._statement)


def test_one_connection_a_request_and_every_one_given_back(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A logged-in report page, list page and report JSON each check one connection out (the
    session lookup and the handler share it); a report without corrections or reviews is read
    in 5 statements (session, state with the row, cells, findings, the signature date); and after
    answers of every kind — 200, 404, 422, 403, a redirect — no connection is left checked out."""
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    client = TestClient(app)
    api_login(client, "vic")
    counted = Counted(store.engine)
    try:
        for url in (f"/reports/{rid}", "/reports", f"/api/reports/{rid}", "/api/reports?sort=errors"):
            counted.reset()
            assert client.get(url).status_code == 200, url
            assert counted.checkouts == 1, (url, counted.checkouts)
        # nothing cached: the next page reads the report (the signature date may be cached)
        data.report_cache(store.engine).clear()
        counted.reset()
        assert client.get(f"/reports/{rid}").status_code == 200
        assert len(counted.selects()) <= 5, counted.selects()
        for url, status in ((f"/reports/{2**31 - 2}", 404), ("/reports?year=abc", 400),
                            ("/api/reports?limit=0", 422), ("/audit", 403), ("/", 303)):
            assert client.get(url, follow_redirects=False).status_code == status, url
        visitor = TestClient(app)
        assert visitor.get(f"/reports/{rid}", follow_redirects=False).status_code == 303
    finally:
        counted.close()
    assert store.engine.pool.checkedout() == 0
    if store.engine.dialect.name == "postgresql":  # read in autocommit mode, given back as it was
        with store.engine.connect() as conn:
            assert conn.get_isolation_level() == "READ COMMITTED"
            assert conn.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]


def test_a_correction_shows_on_the_next_page_of_the_same_client(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The session lookup reads on the request's connection before the handler writes on another:
    on SQLite a read transaction left open would keep its snapshot, and the page after a
    correction must show the corrected value and the trail (on both backends)."""
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    client = TestClient(app)
    token = api_login(client, "rita")
    before = client.get(f"/api/reports/{rid}").json()
    assert before["corrections"] == []
    answer = client.post(f"/api/reports/{rid}/cells/{CELL}/corrections", headers={"X-CSRF-Token": token},
                         json={"value": 4321, "reason": "原文第2页"})
    assert answer.status_code == 201, answer.text
    after = client.get(f"/api/reports/{rid}").json()
    assert after["cells"][CELL]["value"] == 4321 and after["cells"][CELL]["status"] == "corrected"
    assert [c["value"] for c in after["corrections"]] == [4321]
    page = client.get(f"/reports/{rid}").text
    assert "4321" in page and "原文第2页" in page
    assert store.engine.pool.checkedout() == 0


# ------------------------------------------------------------------------------ PostgreSQL restarts
@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Any]]:
    """A PostgreSQL cluster of this test's own (it is restarted: the shared one must not be), and
    a function that restarts it."""
    with postgres_cluster("gongkai-pg-restart-") as (url, restart):
        yield f"{url}/postgres", restart


def _pages(client: TestClient, rid: int) -> list[int]:
    return [client.get(url).status_code for url in (f"/reports/{rid}", "/reports", f"/api/reports/{rid}")]


def test_pages_answer_right_after_a_postgresql_restart(own_postgres: tuple[str, Any], tmp_path: Path) -> None:
    """The pool's connections all die with a restart. Without a round trip at every checkout, each
    is still found dead when it is next checked out (the server told it so before closing) and
    replaced: the first pages after the restart — well within the idle time after which a
    connection is pinged anyway — answer 200, not 500."""
    url, restart = own_postgres
    with make_store(tmp_path, files=[SEED_FILES[0], PDF_FILES[0]], url=url) as store:
        app = create_app(store.name, store=store, upload_dir=tmp_path)
        rid = report_id(store, PDF_FILES[0].name)
        clients = [TestClient(app) for _ in range(3)]
        for client in clients:
            api_login(client, "vic")
            assert _pages(client, rid) == [200, 200, 200]
        # several pooled connections: checked out at once, then back in the pool
        held = [store.engine.connect() for _ in range(4)]
        for conn in held:
            conn.execute(text("SELECT 1"))
            conn.close()
        idle_before = store.engine.pool.checkedin()
        assert idle_before >= 4
        restart()
        for _ in range(idle_before + 1):  # every pooled connection is checked out again, in turn
            assert _pages(clients[0], rid) == [200, 200, 200]
        for client in clients[1:]:
            assert _pages(client, rid) == [200, 200, 200]
        assert store.engine.pool.checkedout() == 0


@pytest.fixture
def pg_store(pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    url = new_postgres_database(pg_url, f"gongkai_conn_ended_{os.getpid()}")
    with make_store(tmp_path, files=[SEED_FILES[0], PDF_FILES[0]], url=url) as s:
        yield s


def test_connections_the_server_ended_are_replaced(pg_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """pg_terminate_backend (an administrator, an idle-session timeout, a pooler going away) ends
    the pool's idle connections; the next pages answer 200 on new ones."""
    store = pg_store
    app = create_app(store.name, store=store, upload_dir=tmp_path)
    rid = report_id(store, PDF_FILES[0].name)
    client = TestClient(app)
    api_login(client, "vic")
    assert _pages(client, rid) == [200, 200, 200]
    pooled = store.engine.pool.checkedin()
    assert pooled >= 1
    import psycopg

    server = str(store.engine.url.set(drivername="postgresql", database="postgres")
                 .render_as_string(hide_password=False))
    with psycopg.connect(server, autocommit=True) as admin:
        ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()",
                              (store.engine.url.database,)).fetchone()
    assert ended is not None and ended[0] >= pooled
    for _ in range(pooled + 1):
        assert _pages(client, rid) == [200, 200, 200]
