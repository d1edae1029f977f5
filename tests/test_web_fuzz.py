"""Issue 12, break 9: no request makes the server answer 5xx. Hypothesis sends every route (found
from the app itself, so a new route is fuzzed too) malformed path and query parameters, bodies
and CSRF tokens — Unicode digits, 5,000-digit integers, forged page cursors, NUL bytes, non-JSON
bodies, non-ASCII tokens — as an admin, a viewer and a visitor. On SQLite, and a shorter run on
a real PostgreSQL server (NUL bytes and integer ranges differ there)."""

from __future__ import annotations

import base64
import json
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("hypothesis")

from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from gongkai.web import create_app
from gongkai.web.throttle import LoginThrottle
from gongkai.web.upload import UploadQueue
from test_store_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL server fixture)
from web_fixtures import (
    PASSWORD,
    PDF_FILES,
    SEED_FILES,
    api_login,
    make_store,
    new_postgres_database,
    report_id,
)

EXAMPLES = {"sqlite": int(os.environ.get("GONGKAI_FUZZ_EXAMPLES", "30")), "postgresql": 8}
CELLS = ["applications.granted.total", "review_litigation.review.total", "applications.nothing.total"]
WEIRD = ["²", "٣", "１２", "-1", "0", "2023", "1e309", "nan", "inf", "", " ", "\x00", "a\x00b", "%00",
         "9" * 5000, str(2**31), str(2**63), "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
         "新", "\ud7ff", "…", "ada", "victim", "true", "null", "[]", "{}", "=HYPERLINK(\"x\")"]


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**30),
                         st.floats(allow_nan=False), st.text(max_size=30), st.sampled_from(WEIRD))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
texts = st.one_of(st.sampled_from(WEIRD), st.text(max_size=40),
                  st.integers().map(str), st.lists(json_scalars, max_size=3).map(_cursor),
                  st.binary(max_size=30).map(lambda b: base64.urlsafe_b64encode(b).decode()))


def _walk_query(dependant: Any) -> list[str]:
    names = [p.alias for p in dependant.query_params]
    for sub in dependant.dependencies:
        names += _walk_query(sub)
    return names


def _body_fields(route: APIRoute) -> tuple[str, list[str]]:
    """("json" | "form" | "none", field names) of a route's body."""
    params = route.dependant.body_params
    if not params:
        return "none", []
    from fastapi.params import Form

    if any(isinstance(p.field_info, Form) for p in params):
        return "form", [p.alias for p in params]
    model = params[0].field_info.annotation if len(params) == 1 else None
    fields = list(getattr(model, "model_fields", {})) if model is not None else [p.alias for p in params]
    return "json", fields


class Target:
    def __init__(self, method: str, path: str, path_params: list[str], query: list[str], body: str,
                 fields: list[str]) -> None:
        self.method, self.path, self.path_params = method, path, path_params
        self.query, self.body, self.fields = query, body, fields

    def __repr__(self) -> str:
        return f"{self.method} {self.path}"


def _routes(app: Any) -> list[Any]:
    """Every route, those of included routers too (FastAPI keeps those behind a wrapper)."""
    found = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        found += inner.routes if inner is not None else [route]
    return found


def targets(app: Any) -> list[Target]:
    found = []
    for route in _routes(app):
        if not isinstance(route, APIRoute):
            continue
        body, fields = _body_fields(route)
        for method in sorted(route.methods):
            if route.path in ("/upload", "/api/upload") and method == "POST":
                body, fields = "multipart", ["files"]
            found.append(Target(method, route.path, [p.alias for p in route.dependant.path_params],
                                sorted(set(_walk_query(route.dependant))), body, fields))
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = None
    if request.param == "postgresql":
        url = new_postgres_database(request.getfixturevalue("pg_url"), f"gongkai_fuzz_{os.getpid()}")
    folder = tmp_path_factory.mktemp("fuzz")
    with make_store(folder, [SEED_FILES[4], PDF_FILES[0]], url=url) as store:
        from gongkai.store.review import add_user

        add_user(store.engine, "victim", PASSWORD, role="viewer")
        app = create_app(store.name, store=store, upload_dir=folder / "uploads", max_upload_bytes=64 * 1024,
                         max_upload_files=3,
                         login_throttle=LoginThrottle(account_failures=10**9, address_failures=10**9))
        app.state.uploads = UploadQueue(store, max_queued=100_000)  # sequential fuzzing: never "busy"
        ids = [report_id(store, SEED_FILES[4].name), report_id(store, PDF_FILES[0].name)]
        yield request.param, app, [str(i) for i in ids]


class Clients:
    """A logged-in admin, a viewer and a visitor; logged in again when a fuzzed request logged
    them out or changed their password (only ``victim`` is fuzzed as an account)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.clients: dict[str, tuple[TestClient, str]] = {}

    def get(self, who: str) -> tuple[TestClient, str]:
        client, token = self.clients.get(who) or (None, "")
        if client is None or (who != "visitor" and client.get("/api/me").json()["user"] is None):
            client = TestClient(self.app, raise_server_exceptions=False)
            token = api_login(client, who) if who != "visitor" else client.get("/api/me").json()["csrf"]
            self.clients[who] = (client, token)
        return client, token


@pytest.fixture(scope="module")
def clients(setup) -> Clients:  # type: ignore[no-untyped-def]
    return Clients(setup[1])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        store = None
        import tempfile

        from gongkai.store import open_store

        store = open_store(Path(tempfile.mkdtemp()) / "routes.db")
        listed = targets(create_app(store.name, store=store, upload_dir=Path(tempfile.mkdtemp())))
        store.close()
        metafunc.parametrize("target", listed, ids=[repr(t) for t in listed])


@st.composite
def requests(draw: Any, target: Target, ids: list[str]) -> dict[str, Any]:
    path = target.path
    for name in target.path_params:
        if name == "report_id":
            value = draw(st.one_of(st.sampled_from(ids), texts))
        elif name == "path":
            value = draw(st.one_of(st.sampled_from(CELLS), texts))
        elif name == "page":
            value = draw(st.one_of(st.sampled_from(["1", "2", "99"]), texts))
        elif name == "name":
            others = texts.filter(lambda t: t.strip() not in ("ada", "vic"))
            value = draw(st.one_of(st.just("victim"), others))
        else:
            value = draw(texts)
        path = path.replace("{" + name + "}", quote(value, safe="") or "x")
    query = {name: draw(texts) for name in target.query if draw(st.booleans())}
    if draw(st.booleans()):
        query[draw(st.text(max_size=8))] = draw(texts)
    request: dict[str, Any] = {"method": target.method, "url": path, "params": query,
                               "who": draw(st.sampled_from(["ada", "vic", "visitor"])),
                               "token": draw(st.sampled_from(["right", "none", "weird"])),
                               "weird_token": draw(st.text(max_size=20))}
    if target.method == "POST":
        if target.body == "multipart":
            files = draw(st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=300)), max_size=3))
            request["files"] = [("files", (name or "f", data)) for name, data in files]
            if draw(st.booleans()):
                request["files"].append((draw(st.text(max_size=10)) or "x", ("y", b"1")))
        elif draw(st.integers(0, 4)) == 0:
            request["content"] = draw(st.binary(max_size=200))
            request["content_type"] = draw(st.sampled_from(["application/json", "text/plain",
                                                            "application/x-www-form-urlencoded", ""]))
        elif target.body == "form":
            request["data"] = {name: draw(texts) for name in target.fields if draw(st.integers(0, 5))}
        else:
            body = {name: draw(json_values) for name in target.fields if draw(st.integers(0, 5))}
            request["json"] = draw(st.one_of(st.just(body), json_values)) if draw(st.integers(0, 4)) == 0 \
                else body
    return request


def _send(clients: Clients, request: dict[str, Any]) -> Any:
    client, token = clients.get(request["who"])
    headers: list[tuple[bytes, bytes]] = []
    if request["token"] == "right":
        headers.append((b"X-CSRF-Token", token.encode()))
    elif request["token"] == "weird":
        headers.append((b"X-CSRF-Token", request["weird_token"].encode("utf-8", "surrogatepass")))
    kwargs: dict[str, Any] = {}
    for key in ("json", "data", "files", "content"):
        if key in request:
            kwargs[key] = request[key]
    if request.get("content_type"):
        headers.append((b"content-type", request["content_type"].encode()))
    if "data" in request and request["token"] == "right":
        kwargs["data"] = {**request["data"], "csrf_token": token}
    return client.request(request["method"], request["url"], params=request["params"], headers=headers,
                          follow_redirects=False, **kwargs)


def test_no_route_answers_5xx(setup, clients: Clients, target: Target) -> None:  # type: ignore[no-untyped-def]
    backend, _app, ids = setup

    @settings(max_examples=EXAMPLES[backend], deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(requests(target, ids))
    def check(request: dict[str, Any]) -> None:
        response = _send(clients, request)
        assert response.status_code < 500, (request, response.status_code, response.text[:300])

    check()
