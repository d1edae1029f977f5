"""The store on a REAL PostgreSQL server: a throwaway cluster (initdb + pg_ctl) on a free port.

Skipped only when no PostgreSQL server binaries exist (.ci/postgres.sh installs them in CI).
As root, the server runs as the ``postgres`` user (created if missing), since it refuses root.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg")
pytest.importorskip("pandas")

from sqlalchemy import text

import gongkai
from conftest import require_tool
from corpus import REAL, SEEDS
from gongkai.store import open_store

ALL_FILES = sorted(SEEDS.glob("*.txt")) + sorted(REAL.glob("*.pdf"))


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_cluster(prefix: str) -> Iterator[tuple[str, Callable[[], None]]]:
    """A throwaway PostgreSQL server on 127.0.0.1 (initdb into a temporary folder, trust auth,
    fsync off): its URL without a database, and a function that restarts it. Stopped and removed
    on exit."""
    require_tool("postgres")
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    assert initdb and pg_ctl
    base = Path(tempfile.mkdtemp(prefix=prefix))
    data, log = base / "data", base / "server.log"
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(base, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*run_as, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{base}' -c fsync=off"
    subprocess.run([*run_as, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
                   check=True, capture_output=True)

    def restart() -> None:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-m", "fast", "-w",
                        "restart"], check=True, capture_output=True)

    try:
        yield f"postgresql://postgres@127.0.0.1:{port}", restart
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url():  # type: ignore[no-untyped-def]
    with postgres_cluster("gongkai-pg-") as (url, _restart):
        yield url


_counter = iter(range(10_000))


@pytest.fixture
def pg_db(pg_url: str) -> str:
    """A fresh database on the session's server."""
    import psycopg

    name = f"gongkai_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{pg_url}/{name}"


def _count(store, table: str) -> int:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_ingest_into_postgresql(pg_db: str, tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in ALL_FILES:
            zf.write(path, path.name)
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    inputs = [*ALL_FILES, archive, bad]
    with open_store(pg_db) as store:
        assert store.engine.dialect.name == "postgresql"
        result = store.ingest(inputs, workers=2)
        assert (result.parsed, result.failed, result.duplicates) == (8, 1, 8)
        assert len(store.reports()) == 8 and len(store.failures()) == 1
        for path in ALL_FILES:
            stored = store.report(hashlib.sha256(path.read_bytes()).hexdigest())
            expected = gongkai.parse(path)
            assert stored.cells == expected.cells and stored.findings == expected.findings, path
        counts = {t: _count(store, t) for t in ("documents", "reports", "cells", "findings", "sources")}
        again = store.ingest(inputs, workers=1)
        assert (again.parsed, again.skipped) == (0, 9)
        assert {t: _count(store, t) for t in counts} == counts
        checks = store.cross_year(passing=True)
        assert len(checks) == 9 and checks["passed"].all()
        stats = store.stats()
        assert stats["reports"].sum() == 8
        hongze = stats[(stats["province"] == "江苏省") & (stats["level"] == "县")]
        assert hongze["year"].tolist() == [2023, 2024]
        assert len(store.cells_long()) == counts["cells"]
        # collections on PostgreSQL too: kept sources, identity, the region matrix, checks across
        reports = store.reports()
        for path in ALL_FILES:
            row = reports[reports["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()].iloc[0]
            assert store.source(int(row["document_id"])) == path.read_bytes()
        matrix = store.missing("淮安市")
        assert matrix[["agency_key", "2023", "2024"]].values.tolist() == [["320800", 0, 1], ["320813", 1, 1]]
        assert store.across().empty  # the real reports agree across years and units


_INGEST = ("import sys; from gongkai.store import open_store; "
           "r = open_store(sys.argv[1]).ingest([sys.argv[2]], workers=1, batch_size=10); print(r.parsed)")


def test_two_ingests_at_once_lose_nothing(pg_db: str, tmp_path: Path) -> None:
    from gongkai.synth.generate import random_report
    from gongkai.synth.text_layouts import render

    folder = tmp_path / "reports"
    folder.mkdir()
    rng = random.Random(11)
    for i in range(120):
        (folder / f"r{i:03d}.txt").write_text(render(random_report(rng), "pipes", rng), "utf-8")
    open_store(pg_db).close()  # both writers then find the schema in place
    runs = [subprocess.Popen([sys.executable, "-c", _INGEST, pg_db, str(folder)], stdout=subprocess.PIPE,
                             text=True) for _ in range(2)]
    parsed = [int(run.communicate(timeout=120)[0].strip()) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert sum(parsed) == 120  # each document written by exactly one of them
    with open_store(pg_db) as store, store.engine.connect() as conn:
        q = conn.execute
        assert q(text("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM documents")).one() == (120, 120)
        assert q(text("SELECT COUNT(*) FROM reports")).scalar_one() == 120
        assert q(text("SELECT COUNT(*) FROM sources")).scalar_one() == 120
        assert q(text("SELECT COUNT(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM cells c "
                      "WHERE c.report_id = r.document_id)")).scalar_one() == 0
        assert q(text("SELECT COUNT(*) FROM cells")).scalar_one() == _cells_expected(folder)


def _cells_expected(folder: Path) -> int:
    return sum(len(gongkai.parse(p).cells) for p in sorted(folder.glob("*.txt")))


def test_concurrent_first_open_creates_the_schema_once(pg_db: str) -> None:
    code = "import sys; from gongkai.store import open_store; open_store(sys.argv[1]).close()"
    runs = [subprocess.Popen([sys.executable, "-c", code, pg_db]) for _ in range(3)]
    assert [run.wait(timeout=60) for run in runs] == [0, 0, 0]
