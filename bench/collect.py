"""Benchmark: ``gongkai collect`` against local sites at a fixed politeness setting.

Usage:  python bench/collect.py [--hosts 4] [--units 40] [--years 5] [--rate 20] [--db PATH]

Serves ``--hosts`` websites on 127.0.0.1 (one port each: one host each for the politeness rules),
with ``--units`` annual-report columns spread over them. Each column is two list pages (TRS
``createPageHTML`` pagination) and ``--years`` report pages (HTML reports from ``gongkai.synth``, the
official tables rendered), so a column costs ``1 + 2 + years`` requests with its robots.txt shared per
host. Then collects every column at ``--rate`` requests per second per host, one request at a time
per host, and ingests what was collected. Prints requests/s and documents/s of the crawl (and
the bound the politeness sets: hosts × rate), and documents/s of the ingest.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from collect_site import REPORT_TITLE, Site, SiteServer, page, report_html
from gongkai.collect.crawl import Scope, run
from gongkai.collect.deliver import deliver
from gongkai.collect.fetch import Politeness
from gongkai.collect.state import State
from gongkai.store import open_store

COUNTIES = ["洪泽区", "盱眙县", "金湖县", "涟水县", "淮阴区", "清江浦区", "淮安区", "宿豫区", "沭阳县",
            "泗阳县", "泗洪县", "宿城区", "灌云县", "灌南县", "东海县", "赣榆区", "海州区", "连云区",
            "丰县", "沛县"]


def build(sites: list[Site], units: int, years: int) -> int:
    """Spread ``units`` columns over the sites; returns the number of report pages."""
    reports = 0
    for unit in range(units):
        site = sites[unit % len(sites)]
        agency = f"{COUNTIES[unit % len(COUNTIES)]}人民政府"
        base = f"/u{unit}/nb"
        rows = []
        for offset in range(years):
            year = 2024 - offset
            path = f"{base}/{year + 1}03/t{year + 1}0320_{unit}.html"
            title = REPORT_TITLE.format(agency=agency, year=year)
            meta = f'<meta name="PubDate" content="{year + 1}-03-20 09:00">'
            site.put(path, page(title, report_html(agency, year, unit * 100 + offset), head=meta))
            rows.append(f'<li><a href="./{year + 1}03/t{year + 1}0320_{unit}.html">{title}</a>'
                        f"<span>{year + 1}-03-20</span></li>")
            reports += 1
        half = (len(rows) + 1) // 2
        for number, chunk in enumerate((rows[:half], rows[half:])):
            script = f'<script>createPageHTML(2, {number}, "index", "html");</script>'
            name = "index.html" if number == 0 else f"index_{number}.html"
            site.put(f"{base}/{name}", page("年度报告", f"<ul>{''.join(chunk)}</ul>{script}"))
        site.seeds.append((f"{base}/index.html", agency))
    for site in sites:
        site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second per host")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    sites = [Site() for _ in range(args.hosts)]
    started = time.perf_counter()
    reports = build(sites, args.units, args.years)
    print(f"site: {args.hosts} hosts, {args.units} columns, {reports} report pages "
          f"(generated in {time.perf_counter() - started:.1f} s)")
    servers = [SiteServer(site) for site in sites]
    for server in servers:
        server.__enter__()
    try:
        seeds = [(server.url + seed, unit) for server in servers for seed, unit in server.site.seeds]
        with tempfile.TemporaryDirectory() as tmp:
            db = args.db or os.path.join(tmp, "collect.db")
            store = open_store(db)
            with store:
                state = State(store.engine)
                politeness = Politeness(rate=args.rate, per_host=1, concurrency=32, timeout=10, retries=1,
                                        backoff=0.1)
                result = run(state, seeds, politeness, Scope())
                delivered_started = time.perf_counter()
                delivered = deliver(store, state, workers=os.cpu_count() or 1)
                ingest_seconds = time.perf_counter() - delivered_started
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    served = sum(len(server.requests) for server in servers)
    bound = args.hosts * args.rate
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"crawl: {result.requests} requests ({served} served) in {result.seconds:.2f} s = "
          f"{result.requests / result.seconds:.1f} requests/s (politeness bound {bound:.0f}/s = "
          f"{args.hosts} hosts × {args.rate:g}/s), {result.documents} documents = "
          f"{result.documents / result.seconds:.1f} documents/s, {result.bytes / 2**20:.1f} MiB, "
          f"{result.failed} failed")
    print(f"ingest: {delivered.documents} documents in {ingest_seconds:.2f} s = "
          f"{delivered.documents / ingest_seconds:.1f} documents/s ({delivered.parsed} parsed, "
          f"{delivered.failed} failed)")


if __name__ == "__main__":
    main()
