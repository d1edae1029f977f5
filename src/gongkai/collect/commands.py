"""``gongkai collect`` (from the agencies' websites into the store), ``gongkai collected`` and
``gongkai collect-failures``. Register with ``register(app)``; heavy imports stay inside the commands.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import GongkaiError
from ..messages import reason as reason_for
from ..messages import say
from ..store.commands import DEFAULT_DB, Db, Lang, LangOption, TableFormat, _show, open_or_exit

err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)

_URL_COLUMNS = ("url", "网址", "地址", "链接", "栏目", "栏目地址", "seed", "column")
_UNIT_COLUMNS = ("unit", "单位", "名称", "单位名称", "name", "agency")


class SitesError(GongkaiError, ValueError):
    """A sites file that cannot be read; the message names the file, the line and the reason."""


def read_sites(path: Path) -> list[tuple[str, str | None]]:
    """Seed URLs and units from a CSV (header with url/网址 and unit/单位 columns, or rows of
    ``unit,url`` without a header); UTF-8 (with or without BOM) or GB18030; # starts a comment."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SitesError(f"{path}：无法读取（{error.strerror or error}）") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", "replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)
            and not r[0].lstrip().startswith("#")]
    if not rows:
        raise SitesError(f"{path}：没有网址")
    header = [c.strip().lower() for c in rows[0]]
    url_col = next((header.index(c) for c in _URL_COLUMNS if c in header), None)
    unit_col = next((header.index(c) for c in _UNIT_COLUMNS if c in header), None)
    body = rows[1:] if url_col is not None else rows
    seeds: list[tuple[str, str | None]] = []
    for number, row in enumerate(body, start=2 if url_col is not None else 1):
        cells = [c.strip() for c in row]
        column = url_col if url_col is not None else next(
            (i for i, c in enumerate(cells) if "://" in c), None)
        url = cells[column] if column is not None and column < len(cells) else ""
        if not url.lower().startswith(("http://", "https://")):
            raise SitesError(f"{path} 第 {number} 行：不是 http(s) 网址：{url or '（空）'}")
        unit = None
        if unit_col is not None and unit_col < len(cells):
            unit = cells[unit_col] or None
        elif url_col is None:
            unit = next((c for i, c in enumerate(cells) if i != column and c), None)
        seeds.append((url, unit))
    return seeds


def _years(value: str | None) -> frozenset[int] | None:
    if not value:
        return None
    years: set[int] = set()
    for part in value.split(","):
        first, _, last = part.strip().partition("-")
        years.update(range(int(first), int(last or first) + 1))
    return frozenset(years)


def collect(
    urls: Annotated[list[str] | None, typer.Argument(
        help="seed URLs: each unit's annual-report column (政府信息公开年报栏目)",
        show_default=False)] = None,
    sites: Annotated[Path | None, typer.Option("--sites", help="CSV of seeds: url (网址) and unit (单位) "
                                                               "columns")] = None,
    db: Db = DEFAULT_DB,
    rate: Annotated[float, typer.Option("--rate", help="requests per second per host")] = 1.0,
    per_host: Annotated[int, typer.Option("--per-host", help="requests at once per host")] = 1,
    concurrency: Annotated[int, typer.Option("--concurrency", help="requests at once in all")] = 32,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to connect and between received "
                                                             "chunks")] = 30.0,
    retries: Annotated[int, typer.Option("--retries", help="retries on 5xx, 429 and network errors")] = 3,
    backoff: Annotated[float, typer.Option("--backoff", help="seconds before the first retry "
                                                             "(doubled each time)")] = 2.0,
    max_mb: Annotated[float, typer.Option("--max-mb", help="largest file to download")] = 100.0,
    max_redirects: Annotated[int, typer.Option("--max-redirects")] = 5,
    max_list_pages: Annotated[int, typer.Option("--max-list-pages", help="list pages per column")] = 200,
    years: Annotated[str | None, typer.Option("--years", help="report years to collect, e.g. 2021-2024 "
                                                              "(default: all)")] = None,
    user_agent: Annotated[str | None, typer.Option("--user-agent", help="User-Agent to send (add a "
                                                                        "contact address)")] = None,
    proxy: Annotated[str | None, typer.Option("--proxy", envvar="GONGKAI_PROXY",
                                              help="HTTP proxy URL")] = None,
    ingest: Annotated[bool, typer.Option("--ingest/--no-ingest", help="parse the collected documents "
                                                                      "into the store")] = True,
    workers: Annotated[int, typer.Option("--workers", "-j", help="parsing processes (default: CPUs)")] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="print every failure as it happens")] = False,
    lang: LangOption = Lang.zh,
) -> None:
    """Collect annual reports from the agencies' websites into the store: list pages → report
    pages → attachments, politely (robots.txt, per-host rate), resumably (a killed run continues
    where it stopped), with conditional GETs on re-runs; then ingest them."""
    from .crawl import Scope, run
    from .deliver import deliver
    from .fetch import USER_AGENT, Politeness
    from .state import State

    seeds: list[tuple[str, str | None]] = [(u, None) for u in urls or []]
    if sites is not None:
        try:
            seeds += read_sites(sites)
        except SitesError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            raise typer.Exit(2) from None
    language = lang.value
    bad = [u for u, _ in seeds if not u.lower().startswith(("http://", "https://"))]
    if bad:
        err.print("[red]✗[/red] " + escape(say("collect.not_url", language, url=bad[0])), markup=True,
                  highlight=False)
        raise typer.Exit(2)
    try:
        scope = Scope(max_list_pages=max_list_pages, years=_years(years))
    except ValueError:
        err.print(say("collect.bad_years", language, years=years), markup=False)
        raise typer.Exit(2) from None
    politeness = Politeness(rate=rate, per_host=per_host, concurrency=concurrency, timeout=timeout,
                            max_seconds=max(timeout * 10, 60.0), max_bytes=int(max_mb * 2**20),
                            max_redirects=max_redirects, retries=retries, backoff=backoff,
                            user_agent=user_agent or USER_AGENT, proxy=proxy)
    store = open_or_exit(db, extra="collect", lang=language)
    with store:
        state = State(store.engine)
        log = (lambda message: err.print(message, markup=False, highlight=False)) if verbose else None
        result = run(state, seeds, politeness, scope, log)
        err.print(say("collect.summary", language,
                      how=say("collect.resumed" if result.resumed else "collect.new", language),
                      run=result.run, requests=result.requests, seconds=result.seconds,
                      documents=result.documents, changed=result.changed, not_modified=result.not_modified,
                      failed=result.failed, forbidden=result.forbidden), highlight=False)
        for url, reason in result.failures[:20]:
            err.print("[red]✗[/red] " + escape(f"{url}: {reason}"), markup=True, highlight=False)
        if len(result.failures) > 20:
            err.print(say("collect.more", language, more=len(result.failures) - 20, db=db), markup=False)
        if ingest:
            delivered = deliver(store, state, workers=workers or os.cpu_count() or 1)
            err.print(say("collect.delivered", language, documents=delivered.documents,
                          parsed=delivered.parsed, failed=delivered.failed, skipped=delivered.skipped),
                      highlight=False)
            for path, reason in delivered.failures[:20]:
                err.print("[red]✗[/red] " + escape(f"{path}: {reason_for(reason, language)}"), markup=True,
                          highlight=False)


def collected(db: Db = DEFAULT_DB,
              format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
              all_versions: Annotated[bool, typer.Option(
                  "--all-versions", help="every version, not only the newest")] = False,
              lang: LangOption = Lang.zh) -> None:
    """List the collected documents: URL, unit, title, publication date (and where it was read),
    version, the store's report."""
    from .read import available
    from .read import collected as rows

    with open_or_exit(db, extra="collect", create=False, lang=lang.value) as store:
        if not available(store.engine):
            err.print(say("collect.none", lang.value, db=store.name), markup=False)
            raise typer.Exit(1)
        frame = rows(store.engine, latest=not all_versions)
    if format is TableFormat.table:
        frame = frame[["id", "unit", "title", "published", "published_source", "version", "document_id",
                       "url"]]
    _show(frame, format, lang.value)


def collect_failures(db: Db = DEFAULT_DB,
                     format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
                     history: Annotated[bool, typer.Option("--history", help="every failure of every run")]
                     = False, lang: LangOption = Lang.zh) -> None:
    """List the URLs the collector could not fetch, with the reason (robots.txt, HTTP status,
    timeouts, size cap, redirects)."""
    from .read import available, failures

    with open_or_exit(db, extra="collect", create=False, lang=lang.value) as store:
        if not available(store.engine):
            err.print(say("collect.none", lang.value, db=store.name), markup=False)
            raise typer.Exit(1)
        frame = failures(store.engine, current=not history)
    _show(frame, format, lang.value)


COMMANDS: dict[str, Callable[..., None]] = {"collect": collect, "collected": collected,
                                             "collect-failures": collect_failures}


def register(app: typer.Typer) -> None:
    """Add the collector's commands to the ``gongkai`` app."""
    for name, function in COMMANDS.items():
        app.command(name)(function)
