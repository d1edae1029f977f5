"""Web app latency on a large store: median time of list pages and report pages over real HTTP;
and a load test: many clients at once, error rate and p50/p95/p99 (issue 12).

    python bench/web.py [--reports 100000] [--requests 40] [--db PATH] [--out table.md]
    python bench/web.py --load [--backend sqlite|postgresql] [--clients 20] [--seconds 60]
                        [--reports 4000] [--attackers 0] [--workers N] [--db PATH|URL] [--out table.md]
    python bench/web.py --cpu [--backend sqlite|postgresql] [--requests 150] [--db PATH|URL]
    python bench/web.py --statements --db postgresql://… --pg-log FILE

The load test ingests ``--reports`` random reports (gongkai.synth, 3 text layouts) into SQLite or
a throwaway PostgreSQL server (initdb + pg_ctl on 127.0.0.1, as the tests do), starts ``gongkai
serve`` in its own process, logs ``--clients`` accounts in and has each send requests back to
back for ``--seconds`` (a mix of list pages, filtered lists, report pages and report JSON);
``--attackers`` more clients meanwhile post wrong passwords to /api/login. Goal: 0 errors, p95
< 300 ms for list and report pages.

Builds a SQLite store of N reports fast: ingests the seeds and the real PDFs of tests/data, then
copies their rows (documents, reports, cells, findings, sources) with INSERT … SELECT, each copy
under another agency key and year, so every report has its 200 cells and the indexes are the size
they would be. Starts ``gongkai serve`` in its own process, logs in, and times each kind of request
with httpx (sequential requests, after a warm-up). Goal (issue 5): median < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"  # as tests/corpus.py
PASSWORD = "bench-password-1"


def quoted(column: str) -> str:
    return f'"{column}"'  # findings has a column named "values"


def build(db: Path, target: int) -> int:
    """The store at ``db`` with ``target`` reports (about); returns the count."""
    from gongkai.store import open_store
    from gongkai.store.review import add_user

    with open_store(db) as store:
        store.ingest([*sorted((CORPUS / "seeds").glob("*.txt")), *sorted((CORPUS / "real").glob("*.pdf"))],
                     workers=1)
        add_user(store.engine, "bench", PASSWORD, role="reviewer")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    base = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    stride = conn.execute("SELECT MAX(id) FROM documents").fetchone()[0]
    copies = max(0, -(-target // base) - 1)
    report_columns = [r[1] for r in conn.execute("PRAGMA table_info(reports)")]
    varied = {"document_id": "r.document_id + n.k * :stride",
              # a copy is another agency (500 of them per original) reporting on another year
              "agency": "r.agency || '#' || (n.k / 8)", "agency_key": "r.agency_key || '#' || (n.k / 8)",
              "agency_name": "r.agency_name || '#' || (n.k / 8)", "year": "r.year - (n.k % 8)",
              "source": "r.source || '#' || n.k"}
    select_reports = ", ".join(varied.get(c, f"r.{c}") for c in report_columns)
    numbers = "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < :copies) "
    params = {"copies": copies, "stride": stride}
    started = time.perf_counter()
    with conn:
        conn.execute(numbers + "INSERT INTO documents (id, sha256, size, media_type, status, error, "
                     "parser_version, batch, ingested_at) SELECT d.id + n.k * :stride, "
                     "d.sha256 || '-' || n.k, "
                     "d.size, d.media_type, d.status, d.error, d.parser_version, d.batch, d.ingested_at "
                     "FROM documents d, n "
                     "WHERE d.status = 'parsed'", params)
        conn.execute(numbers + f"INSERT INTO reports ({', '.join(report_columns)}) SELECT {select_reports} "
                     "FROM reports r, n", params)
        cell_columns = [r[1] for r in conn.execute("PRAGMA table_info(cells)")]
        conn.execute(numbers + f"INSERT INTO cells ({', '.join(cell_columns)}) SELECT "
                     + ", ".join("c.report_id + n.k * :stride" if c == "report_id" else f"c.{c}"
                                 for c in cell_columns)
                     + " FROM n, cells c WHERE c.report_id <= :stride ORDER BY 1, 2", params)
        finding_columns = [r[1] for r in conn.execute("PRAGMA table_info(findings)")]
        conn.execute(numbers + f"INSERT INTO findings ({', '.join(map(quoted, finding_columns))}) SELECT "
                     + ", ".join("f.report_id + n.k * :stride" if c == "report_id" else f"f.{quoted(c)}"
                                 for c in finding_columns)
                     + " FROM n, findings f WHERE f.report_id <= :stride ORDER BY 1, 2", params)
        conn.execute(numbers + "INSERT INTO sources (document_id, path) SELECT "
                     "s.document_id + n.k * :stride, s.path FROM sources s, n "
                     "WHERE s.document_id IN (SELECT document_id FROM reports "
                     "WHERE document_id <= :stride)", params)
    conn.execute("ANALYZE")
    total = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    conn.close()
    print(f"built {total:,} reports in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    code = "import sys; from gongkai.cli import app; sys.argv[0] = 'gongkai'; app()"
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--db", str(db), "--port", str(port)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def timed(client: httpx.Client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return times


# ------------------------------------------------------------------------------ the load test
LOAD_KINDS = ("list", "list, filtered", "report page", "report JSON")


def synth_folder(folder: Path, count: int, seed: int = 12) -> Path:
    from gongkai.synth.generate import random_report
    from gongkai.synth.text_layouts import LAYOUTS, render

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    # the quick layouts: what is measured is serving the stored reports, not parsing them
    layouts = [name for name in ("pipes", "tabs", "plain") if name in LAYOUTS]
    for i in range(count):
        report = random_report(rng)
        (folder / f"r{i:05d}.txt").write_text(render(report, layouts[i % len(layouts)], rng), "utf-8")
    return folder


def throwaway_postgres(base: Path) -> tuple[str, Any]:
    """A PostgreSQL cluster in ``base`` on a free port (as tests/test_store_postgres.py); its URL
    and a function that stops it."""
    import glob
    import pwd
    import shutil

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("no PostgreSQL server binaries (initdb): run .ci/postgres.sh")
    bin_dir = Path(found[-1]).parent
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        shutil.chown(base, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", free_port()
    subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-locale"], check=True, capture_output=True)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{base}' -c fsync=off"
    subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options,
                    "-w", "start"], check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def serve_url(db: str, port: int, env: dict[str, str], workers: int | None = None) -> subprocess.Popen[bytes]:
    code = "import sys; from gongkai.cli import app; sys.argv[0] = 'gongkai'; app()"
    more = ["--workers", str(workers)] if workers else []
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--db", db, "--port", str(port), *more],
                               env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


async def _logged_in(base: str, name: str, errors: list[str]) -> httpx.AsyncClient | None:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    login = await client.post("/api/login", json={"name": name, "password": PASSWORD})
    if login.status_code != 200:
        errors.append(f"login {name}: {login.status_code}")
        await client.aclose()
        return None
    return client


async def _client_loop(client: httpx.AsyncClient | None, ids: list[int], until: float, seed: int,
                       times: dict[str, list[float]], errors: list[str]) -> None:
    rng = random.Random(seed)
    if client is None:
        return
    try:
        while time.monotonic() < until:
            kind = rng.choice(LOAD_KINDS)
            url = _load_url(kind, rng, ids)
            started = time.perf_counter()
            try:
                response = await client.get(url)
                status = response.status_code
            except httpx.HTTPError as error:
                status, response = -1, None
                errors.append(f"{url}: {type(error).__name__}")
            times[kind].append((time.perf_counter() - started) * 1000)
            if status != 200 and response is not None:
                errors.append(f"{url}: {status}")
    finally:
        await client.aclose()


async def _attacker(base: str, until: float, seed: int, counts: dict[int, int]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while time.monotonic() < until:
            response = await client.post("/api/login", json={"name": f"load{rng.randrange(20)}",
                                                              "password": f"guess-{rng.random()}"})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (the server's worker processes,
    or a PostgreSQL server's backends), those that ended and were waited for included."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # ended meanwhile, or not Linux
            continue
        todo += [int(c) for c in children]
    return total


def _database_pid(engine: Any) -> int | None:
    """The PostgreSQL postmaster's pid when the server runs on this machine (its CPU is part of
    what a request costs), else None."""
    if engine.dialect.name != "postgresql":
        return None
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as conn:
            folder = conn.execute(text("SHOW data_directory")).scalar_one()  # needs a superuser
        return int(Path(folder, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, SQLAlchemyError):  # not local, or not allowed: not counted
        return None


def _children(pid: int) -> set[int]:
    """The processes a server process started (uvicorn's workers), to tell whether any was
    replaced during a run (a worker that died or missed its health check: its requests fail)."""
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _machine_cpu_seconds() -> tuple[float, float]:
    """Busy and idle CPU seconds of the whole machine since boot (all cores; /proc/stat): with the
    CPU of the server, PostgreSQL and the clients, what other processes took during a run, and
    whether the cores were ever idle (then something waits that is not the CPU)."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal (guest is in user)
    return busy / tick, idle / tick


def _load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def settle(engine: Any) -> None:
    """What a store that has served for a while has and one just filled has not: the planner's
    statistics and, on PostgreSQL, a vacuumed heap (visibility map, hint bits set). Autovacuum
    would do it within a minute or so of the ingest — during the measurement, on the same two
    cores (a vacuum of 800,000 cells). A deployment bulk-loading reports should do the same."""
    from sqlalchemy import text

    started = time.perf_counter()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM (ANALYZE)"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()
    print(f"{engine.dialect.name}: VACUUM/ANALYZE after the ingest, {time.perf_counter() - started:.1f} s",
          file=sys.stderr)


def _prepare(args: argparse.Namespace, folder: Path) -> tuple[str, Any]:
    """The store to load: ``--db`` as it is (a SQLite path or a database URL) when given and
    holding reports, else ``--reports`` random reports ingested into SQLite or a throwaway
    PostgreSQL server. The URL and the function that stops that server (or None)."""
    from sqlalchemy import text

    from gongkai.store import open_store
    from gongkai.store.review import add_user

    stop = None
    if args.db:
        db = str(args.db)
    elif args.backend == "postgresql":
        db, stop = throwaway_postgres(folder)
    else:
        db = str(folder / "load.db")
    with open_store(db) as store:
        with store.engine.connect() as conn:
            stored = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one()
            users = {n for (n,) in conn.execute(text("SELECT name FROM users"))}
        if not stored:
            started = time.perf_counter()
            result = store.ingest([synth_folder(folder / "reports", args.reports)], workers=2)
            print(f"{args.backend}: ingested ({result.failed} failed) in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
            if not os.environ.get("GONGKAI_BENCH_NO_SETTLE"):
                settle(store.engine)
        for i in range(args.clients):
            if f"load{i}" not in users:
                add_user(store.engine, f"load{i}", PASSWORD, role="viewer")
    return db, stop


def load_test(args: argparse.Namespace) -> str:
    import asyncio

    from sqlalchemy import create_engine, text

    folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-load-"))
    db, stop = _prepare(args, folder)
    try:
        engine = create_engine(db if "://" in db else f"sqlite:///{db}")
        with engine.connect() as conn:
            ids = [i for (i,) in conn.execute(text("SELECT document_id FROM reports"))]
            backend = engine.dialect.name
        database_pid = _database_pid(engine)
        engine.dispose()
        port = free_port()
        server = serve_url(db, port, {"GONGKAI_SECRET": "bench-" + "k" * 40}, args.workers)
        base = f"http://127.0.0.1:{port}"
        times: dict[str, list[float]] = {kind: [] for kind in LOAD_KINDS}
        errors: list[str] = []
        attacks: dict[int, int] = {}
        before: dict[str, Any] = {}
        try:
            async def run() -> None:
                # the clients log in at the same moment (argon2, a few at a time), then the clock
                # and the CPU counters start: what is measured is browsing, not logging in
                clients = await asyncio.gather(*(_logged_in(base, f"load{i}", errors)
                                                 for i in range(args.clients)))
                before.update(load=_load_average(), server=_tree_cpu_seconds(server.pid),
                              machine=_machine_cpu_seconds(), workers=_children(server.pid),
                              client=time.process_time(),
                              database=_tree_cpu_seconds(database_pid) if database_pid else 0.0)
                until = time.monotonic() + args.seconds
                users = [_client_loop(client, ids, until, i, times, errors)
                         for i, client in enumerate(clients)]
                attackers = [_attacker(base, until, 1000 + i, attacks) for i in range(args.attackers)]
                await asyncio.gather(*users, *attackers)

            asyncio.run(run())
            load_before, cpu_before, client_before = before["load"], before["server"], before["client"]
            database_before = before["database"]
            server_cpu = _tree_cpu_seconds(server.pid) - cpu_before
            database_cpu = _tree_cpu_seconds(database_pid) - database_before if database_pid else None
            client_cpu = time.process_time() - client_before
            (busy_after, idle_after), (busy_before, idle_before) = _machine_cpu_seconds(), before["machine"]
            busy, idle = busy_after - busy_before, idle_after - idle_before
            replaced = len(before["workers"] - _children(server.pid))
            load_after = _load_average()
        finally:
            server.terminate()
            server.wait(10)
    finally:
        if stop:
            stop()
    total = sum(len(t) for t in times.values())
    machine = platform.processor() or platform.machine()
    workers = f"{args.workers} worker processes" if args.workers else "default workers"
    lines = [f"Load on {backend}, {len(ids):,} reports: {args.clients} clients back to back for "
             f"{args.seconds} s{f', {args.attackers} login attackers' if args.attackers else ''}; "
             f"`gongkai serve` ({workers}), httpx async clients on the same machine; "
             f"{machine}, {os.cpu_count()} CPUs; load average {load_before} → {load_after}.", "",
             f"{total:,} requests, {total / args.seconds:.1f} req/s, errors {len(errors)} "
             f"({100 * len(errors) / max(total, 1):.2f} %)"
             + (f"; attackers' answers {dict(sorted(attacks.items()))}" if attacks else "")
             + f"; server CPU {1000 * server_cpu / max(total, 1):.1f} ms a request "
             f"({server_cpu / args.seconds:.2f} cores)"
             + (f", PostgreSQL's {1000 * database_cpu / max(total, 1):.1f} ms a request "
                f"({database_cpu / args.seconds:.2f} cores)" if database_cpu is not None else "")
             + f", clients' {1000 * client_cpu / max(total, 1):.1f} ms a request "
             f"({client_cpu / args.seconds:.2f} cores)"
             + (f"; the machine: {busy / args.seconds:.2f} cores busy, of which other processes "
                f"{max(0.0, busy - server_cpu - (database_cpu or 0.0) - client_cpu) / args.seconds:.2f}; "
                f"{idle / args.seconds:.2f} cores idle" if busy or idle else "")
             + (f"; **{replaced} server worker(s) replaced during the run**" if replaced else ""), "",
             "| request | n | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    for kind in LOAD_KINDS:
        values = times[kind]
        lines.append(f"| {kind} | {len(values):,} | {percentile(values, 0.5):.0f} | "
                     f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} |")
    if errors:
        lines += ["", "First errors: " + "; ".join(errors[:5])]
    return "\n".join(lines)


def _load_url(kind: str, rng: random.Random, ids: list[int]) -> str:
    """A URL of one kind of the load test's requests (the mix of ``_client_loop``)."""
    return {"list": lambda: "/reports",
            "list, filtered": lambda: rng.choice(["/reports?has_errors=1", "/reports?year=2022",
                                                  "/reports?template=2019", "/api/reports?sort=errors"]),
            "report page": lambda: f"/reports/{rng.choice(ids)}",
            "report JSON": lambda: f"/api/reports/{rng.choice(ids)}"}[kind]()


def statements_test(args: argparse.Namespace) -> str:
    """What PostgreSQL receives per request of each kind (pings, BEGIN and ROLLBACK included), counted
    in its own log with ``log_statement = all`` (set with ALTER SYSTEM for the run: a superuser, and
    the server's log file ``--pg-log``, the ``-l`` file of pg_ctl — ``<folder>/log`` for the
    cluster of :func:`throwaway_postgres`). In-process app, one logged-in viewer, 10 requests of
    each kind after a warm-up; the report pages are random ones of the store (rarely cached)."""
    import re
    import warnings

    from sqlalchemy import create_engine, text

    os.environ.setdefault("GONGKAI_SECRET", "bench-" + "k" * 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from gongkai.store import database_url
    from gongkai.web import create_app

    if not args.db or not args.pg_log:
        raise SystemExit("--statements needs --db postgresql://… and --pg-log FILE")
    log = Path(args.pg_log)
    admin = create_engine(database_url(args.db), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("ALTER SYSTEM SET log_statement = 'all'"))
        conn.execute(text("SELECT pg_reload_conf()"))
        ids = [i for (i,) in conn.execute(text("SELECT document_id FROM reports"))]
    rows = []
    try:
        time.sleep(1)
        client = TestClient(create_app(args.db, upload_dir=Path(tempfile.mkdtemp(prefix="gongkai-bench-"))))
        client.post("/api/login", json={"name": "load0", "password": PASSWORD}).raise_for_status()
        rng = random.Random(3)
        for kind in LOAD_KINDS:
            client.get(_load_url(kind, rng, ids))
        urls = {"list": ["/reports"] * 10, "list, filtered": ["/reports?has_errors=1"] * 10,
                "report page": [f"/reports/{rng.choice(ids)}" for _ in range(10)],
                "report JSON": [f"/api/reports/{rng.choice(ids)}" for _ in range(10)]}
        for kind, batch in urls.items():
            start = log.stat().st_size
            for url in batch:
                if client.get(url).status_code != 200:
                    raise RuntimeError(f"{url}: not 200")
            time.sleep(0.5)  # the server writes its log line after answering
            logged = log.read_bytes()[start:].decode("utf-8", "replace").splitlines()
            sent = [re.sub(r".*?LOG:\s+(statement|execute [^:]*): ", "", line).strip() for line in logged
                    if re.search(r"LOG:\s+(statement|execute [^:]*): ", line)]
            words: dict[str, int] = {}
            for statement in sent:
                word = "ping" if statement in (";", "SELECT 1") else statement.split()[0].upper()
                words[word] = words.get(word, 0) + 1
            rows.append((kind, len(sent) / len(batch),
                         ", ".join(f"{w} {n / len(batch):g}" for w, n in sorted(words.items()))))
    finally:
        with admin.connect() as conn:
            conn.execute(text("ALTER SYSTEM RESET log_statement"))
            conn.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()
    lines = ["Statements PostgreSQL received per request (its log, log_statement = all), 10 requests "
             "of each kind by one logged-in viewer, in-process app.", "",
             "| request | statements | of which |", "|---|---:|---|"]
    lines += [f"| {kind} | {n:g} | {detail} |" for kind, n, detail in rows]
    return "\n".join(lines)


def cpu_test(args: argparse.Namespace) -> str:
    """CPU milliseconds per request of each kind of the load test, in one process with no HTTP
    client and no server in between: the ASGI app called directly, one request at a time (its
    sync handlers still run in anyio's worker threads, as under uvicorn), best of 3 rounds of
    ``--requests`` random requests, after a warm-up; for a local PostgreSQL, its server's CPU
    (the postmaster's process tree) too. CPU time depends far less on the machine's load than
    latency does — what a request costs, not how long it waited."""
    import asyncio
    import warnings

    from sqlalchemy import text

    os.environ.setdefault("GONGKAI_SECRET", "bench-" + "k" * 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from gongkai.web import create_app

    folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-cpu-"))
    db, stop = _prepare(args, folder)
    try:
        app = create_app(db, upload_dir=folder / "uploads")
        try:  # what `gongkai serve` does once its app is built (trees before it had no such step)
            from gongkai.web.app import settle_heap
        except ImportError:
            pass
        else:
            settle_heap()
        engine = app.state.store.engine
        with engine.connect() as conn:
            ids = [i for (i,) in conn.execute(text("SELECT document_id FROM reports"))]
        database_pid = _database_pid(engine)
        login = TestClient(app).post("/api/login", json={"name": "load0", "password": PASSWORD})
        login.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.items()).encode()

        async def get(url: str) -> int:
            path, _, query = url.partition("?")
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                     "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
                     "query_string": query.encode(),
                     "headers": [(b"host", b"127.0.0.1"), (b"cookie", cookie)],
                     "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {}}
            status: list[int] = []

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])

            await app(scope, receive, send)
            return status[0]

        rows: list[tuple[str, float, float | None]] = []

        async def run() -> None:
            for kind in LOAD_KINDS:
                rng = random.Random(5)
                for _ in range(10):  # warm-up: templates compiled, caches of the layouts filled
                    await get(_load_url(kind, rng, ids))
                best: tuple[float, float | None] = (float("inf"), None)
                for round_ in range(3):
                    rng = random.Random(round_)
                    urls = [_load_url(kind, rng, ids) for _ in range(args.requests)]
                    database = _tree_cpu_seconds(database_pid) if database_pid else 0.0
                    started = time.process_time()
                    for url in urls:
                        status = await get(url)
                        if status != 200:
                            raise RuntimeError(f"{url}: {status}")
                    spent = (time.process_time() - started) * 1000 / len(urls)
                    database_ms = ((_tree_cpu_seconds(database_pid) - database) * 1000 / len(urls)
                                   if database_pid else None)
                    best = min(best, (spent, database_ms), key=lambda pair: pair[0])
                rows.append((kind, *best))

        asyncio.run(run())
        backend = engine.dialect.name
        app.state.store.close()
    finally:
        if stop:
            stop()
    lines = [f"CPU per request on {backend}, {len(ids):,} reports, in-process ASGI calls (no HTTP), "
             f"best of 3 × {args.requests} random requests per kind, after a warm-up; load average "
             f"{_load_average()}.", "",
             "| request | server CPU ms | PostgreSQL CPU ms |", "|---|---:|---:|"]
    lines += [f"| {kind} | {ms:.2f} | {'' if db_ms is None else f'{db_ms:.2f}'} |"
              for kind, ms, db_ms in rows]
    return "\n".join(lines)


def deep_cursor(client: httpx.Client, depth: int, sort: str) -> str:
    """The cursor of page ``depth`` (50 rows a page), reached through the API's keyset pages."""
    after = None
    for _ in range(depth // 10):
        params: dict[str, str | int] = {"limit": 500, "sort": sort, **({"after": after} if after else {})}
        after = client.get("/api/reports", params=params).json()["next"]
    assert after
    return after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per kind")
    parser.add_argument("--db", help="reuse (or build) this database (--load: a SQLite path or a URL)")
    parser.add_argument("--workers", type=int, help="--load: `gongkai serve --workers N` (default: its own)")
    parser.add_argument("--out", type=Path, help="write the table as Markdown here")
    parser.add_argument("--load", action="store_true", help="the load test (issue 12) instead")
    parser.add_argument("--statements", action="store_true",
                        help="statements PostgreSQL receives per request (needs --db URL and --pg-log)")
    parser.add_argument("--pg-log", help="--statements: the PostgreSQL server's log file")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU ms per request of the load test's kinds, in-process (--requests each)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--attackers", type=int, default=0)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    if args.load or args.cpu or args.statements:
        if args.reports == 100_000:
            args.reports = 4_000
        text = load_test(args) if args.load else cpu_test(args) if args.cpu else statements_test(args)
        print(text)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        return
    folder = Path(tempfile.mkdtemp(prefix="gongkai-bench-web-"))
    db = Path(args.db) if args.db else folder / "bench.db"
    total = build(db, args.reports) if not db.exists() else sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM reports").fetchone()[0]
    port = free_port()
    server = serve(db, port)
    rng = random.Random(7)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            login = client.post("/api/login", json={"name": "bench", "password": PASSWORD})
            login.raise_for_status()
            first = client.get("/api/reports", params={"limit": 500}).json()["items"]
            ids = [r["document_id"] for r in first]
            n = args.requests
            depth = min(1000, total // 100)  # page 1,000 of 2,000 at 100,000 reports
            deep_new = deep_cursor(client, depth, "new")
            deep_year = deep_cursor(client, depth, "year")
            kinds = {
                "list, first page": ["/reports"] * n,
                "list, year = 2020": ["/reports?year=2020"] * n,
                "list, 2019 format with errors": ["/reports?template=2019&has_errors=1"] * n,
                "list, rule T4-GROUPSUM": ["/reports?rule=T4-GROUPSUM"] * n,
                "list, level 县, sorted by errors": ["/reports?level=县&sort=errors"] * n,
                "list, agency search 洪泽": ["/reports?q=洪泽"] * n,
                f"list, page {depth:,} (newest first)": [f"/reports?after={deep_new}"] * n,
                f"list, page {depth:,} (by year)": [f"/reports?sort=year&after={deep_year}"] * n,
                "API list, first page": ["/api/reports"] * n,
                "report page (HTML)": [f"/reports/{rng.choice(ids)}" for _ in range(n)],
                "report JSON (API)": [f"/api/reports/{rng.choice(ids)}" for _ in range(n)],
            }
            for urls in kinds.values():  # warm-up: caches and the first template compilation
                timed(client, urls[:3])
            rows = []
            for name, urls in kinds.items():
                times = timed(client, urls)
                rows.append((name, statistics.median(times), sorted(times)[int(0.95 * (len(times) - 1))]))
    finally:
        server.terminate()
        server.wait(10)
    machine = platform.processor() or platform.machine()
    lines = [f"Web app on SQLite, {total:,} reports, {args.requests} sequential requests per kind, "
             f"httpx client, `gongkai serve` (one uvicorn process); {machine}, {os.cpu_count()} CPUs.",
             "", "| request | median ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {median:.1f} | {p95:.1f} |" for name, median, p95 in rows]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
