"""``gongkai serve --workers 2`` as a real server (a subprocess on 127.0.0.1, SQLite): what the
processes must share — failed logins, upload jobs, the caches' generation — holds whichever
process answers, and no process outlives the server.

Each request goes over a keep-alive connection whose serving process is known: the test finds
the process that holds the accepted socket (``/proc/net/tcp`` → inode → ``/proc/PID/fd``), so
"another process" below is a fact, not a hope."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("alembic")

from web_fixtures import PASSWORD, SEED_FILES, free_port, make_store, report_id

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")

REVIEW_TOTAL = "review_litigation.review.total"
MARKER = "GONGKAI_TEST_WORKERS"  # in the environment of the server and of every process it starts


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
        found.update(children)
        todo += children
    return found


def _processes() -> dict[int, str]:
    """Every process now: pid → command line."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            try:
                table[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    "utf-8", "replace")
            except OSError:
                continue
    return table


def _socket_owner(server_port: int, client_port: int, candidates: set[int]) -> int | None:
    """The process among ``candidates`` holding the server side of the connection from
    ``client_port``."""
    wanted_local, wanted_remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == wanted_local and fields[2] == wanted_remote:
            inode = fields[9]
    if inode is None:
        return None
    for pid in candidates:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None


class Server:
    """A running ``gongkai serve --workers N`` and its worker processes."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.workers: set[int] = set()

    def connect(self, worker: int | None = None, tries: int = 200) -> Connection:
        """A keep-alive connection served by ``worker`` (any worker when None)."""
        for _ in range(tries):
            connection = Connection(self.port)
            connection.request("GET", "/login")
            owner = _socket_owner(self.port, connection.local_port, _descendants(self.process.pid))
            if owner is not None and (worker is None or owner == worker):
                connection.worker = owner
                return connection
            connection.close()
        raise AssertionError(f"no connection was served by process {worker} in {tries} tries")


class Connection:
    """One HTTP/1.1 keep-alive connection to the server; cookies kept in ``jar`` (a dict that
    several connections may share: one browser session over several processes)."""

    def __init__(self, port: int, jar: dict[str, str] | None = None) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.http.connect()
        self.local_port: int = self.http.sock.getsockname()[1]
        self.jar = jar if jar is not None else {}
        self.worker = 0

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        sent = dict(headers or {})
        if self.jar:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        self.http.request(method, path, body=body, headers=sent)
        response = self.http.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.jar[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def json(self, method: str, path: str, payload: object = None,
             headers: dict[str, str] | None = None) -> tuple[int, object]:
        body = json.dumps(payload).encode() if payload is not None else None
        sent = {"Content-Type": "application/json", **(headers or {})}
        status, data = self.request(method, path, body, sent)
        return status, json.loads(data) if data else None

    def close(self) -> None:
        self.http.close()


def _serve(db: Path, folder: Path, workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "GONGKAI_SECRET": "workers-test-" + "s" * 40, MARKER: folder.name}
    process = subprocess.Popen([sys.executable, "-c", "from gongkai.cli import app; app()", "serve",
                                "--db", str(db), "--port", str(port), "--workers", str(workers),
                                "--upload-dir", str(folder / "uploads")],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(process, port)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # ready when every worker holds the listening socket
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        listening = {pid for pid in _descendants(process.pid) if _listens(pid, port)}
        if len(listening) >= workers:
            server.workers = listening
            return server
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"`gongkai serve --workers {workers}` did not start {workers} processes")


def _listens(pid: int, port: int) -> bool:
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1] == f"0100007F:{port:04X}" and line.split()[3] == "0A"}  # LISTEN
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") in {f"socket:[{i}]" for i in inodes}
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, dict[int, str]]]:
    folder = tmp_path_factory.mktemp("workers")
    with make_store(folder, SEED_FILES) as store:
        review_report = report_id(store, SEED_FILES[0].name)
    (folder / "report_id").write_text(str(review_report))
    before = _processes()
    server = _serve(folder / "web.db", folder, workers=2)
    try:
        yield server, folder, before
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(30)


def _two(server: Server, jar: dict[str, str] | None = None) -> tuple[Connection, Connection]:
    """A connection to each of the first two worker processes (sharing ``jar``)."""
    first, second = sorted(server.workers)[:2]
    a, b = server.connect(first), server.connect(second)
    if jar is not None:
        a.jar = b.jar = jar
    return a, b


def _login(connection: Connection, name: str) -> str:
    status, answer = connection.json("POST", "/api/login", {"name": name, "password": PASSWORD})
    assert status == 200, answer
    assert isinstance(answer, dict)
    return str(answer["csrf"])


def test_serve_starts_the_processes_asked_for(served) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = served
    assert len(server.workers) == 2
    assert server.process.pid not in server.workers  # the supervisor does not serve requests


def test_a_lockout_earned_on_one_process_holds_on_the_other(served) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = served
    a, b = _two(server)
    assert a.worker != b.worker
    answers = [a.json("POST", "/api/login", {"name": "vic", "password": "wrong-one"})[0] for _ in range(6)]
    assert answers == [401] * 5 + [429]
    # the other process has never seen a failure in its memory: it refuses from the database,
    # even the right password
    assert b.json("POST", "/api/login", {"name": "vic", "password": PASSWORD})[0] == 429
    # new connections, whichever process takes them: all refused
    for _ in range(10):
        fresh = server.connect()
        assert fresh.json("POST", "/api/login", {"name": "vic", "password": PASSWORD})[0] == 429
        fresh.close()
    # another account is not locked (the address is under its own limit)
    assert b.json("POST", "/api/login", {"name": "rita", "password": PASSWORD})[0] == 200


def test_an_upload_job_shows_its_progress_on_every_process(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = served
    jar: dict[str, str] = {}
    a, b = _two(server, jar)
    token = _login(a, "rita")
    files = []
    for i in range(3):  # new reports: a seed under another agency's name
        text = SEED_FILES[0].read_text("utf-8")
        first_line = text.splitlines()[0]
        files.append((f"new-{i}.txt", text.replace(first_line, f"{first_line}（第{i + 1}号）", 1)
                      .encode("utf-8")))
    boundary = uuid.uuid4().hex
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                    f"Content-Type: text/plain\r\n\r\n".encode() + data + b"\r\n" for name, data in files)
    body += f"--{boundary}--\r\n".encode()
    status, raw = a.request("POST", "/api/upload", body, {
        "X-CSRF-Token": token, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 202, raw
    job = json.loads(raw)
    assert job["total"] == 3
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status, current = b.json("GET", job["url"])  # the process that did not receive the upload
        assert status == 200, current
        assert isinstance(current, dict)
        seen.append((current["state"], current["done"], current["total"]))
        if current["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert seen[-1] == ("done", 3, 3), seen
    assert all(total == 3 and 0 <= done <= 3 for _, done, total in seen)
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)  # progress never goes back
    assert isinstance(current, dict)
    assert sorted(i["status"] for i in current["items"]) == ["parsed"] * 3, current["items"]
    # and the first process shows the same job, results included
    status, again = a.json("GET", job["url"])
    assert status == 200 and again == current
    # the new reports are there, whichever process serves them
    for item in current["items"]:
        for connection in (a, b):
            assert connection.json("GET", f"/api/reports/{item['report_id']}")[0] == 200


def test_a_correction_on_one_process_shows_on_the_other_at_once(served) -> None:  # type: ignore[no-untyped-def]
    server, folder, _ = served
    rid = int((folder / "report_id").read_text())
    jar: dict[str, str] = {}
    a, b = _two(server, jar)
    token = _login(b, "rita")

    def review_total(connection: Connection) -> int:
        """复议总计 over every year, as this connection's process serves it (from its cache)."""
        status, figure = connection.json("GET", "/api/stats/correction_rates")
        assert status == 200 and isinstance(figure, dict), figure
        column = figure["columns"].index("复议总计")
        return sum(row[column] or 0 for row in figure["rows"])

    before = review_total(a)
    assert review_total(b) == before  # both processes now hold the figure in their caches
    status, report = a.json("GET", f"/api/reports/{rid}")
    assert status == 200 and isinstance(report, dict)
    old = report["cells"][REVIEW_TOTAL]["value"] or 0
    status, answer = a.json("POST", f"/api/reports/{rid}/cells/{REVIEW_TOTAL}/corrections",
                            {"value": old + 1000, "reason": "多进程测试"}, {"X-CSRF-Token": token})
    assert status == 201, answer
    assert review_total(b) == before + 1000  # at once, on the other process
    assert review_total(a) == before + 1000
    # the report itself, too
    for connection in (a, b):
        status, shown = connection.json("GET", f"/api/reports/{rid}")
        assert isinstance(shown, dict)
        assert shown["cells"][REVIEW_TOTAL]["value"] == old + 1000


def test_no_process_outlives_the_server(served) -> None:  # type: ignore[no-untyped-def]
    server, folder, before = served
    # the upload test above started a parser process under one worker: everything below the
    # server must end with it
    tree = _descendants(server.process.pid)
    assert server.workers <= tree
    marked = f"{MARKER}={folder.name}".encode()
    assert server.workers <= {pid for pid in _processes() if marked in _environment(pid)}  # seen by the check
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(60)
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in tree if _alive(p)]
    # and no process started since (other tests may leave theirs) carries the server's marker,
    # wherever it was reparented to
    left = [pid for pid, line in _processes().items()
            if pid not in before and _alive(pid) and marked in _environment(pid)]
    assert left == []


def _environment(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""
