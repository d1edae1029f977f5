"""The collection loop: seeds → list pages → report pages → attachments, host by host.

Each host has its own queue (list pages first, then report pages, then files, shallow before
deep) worked by at most ``per_host`` workers, paced by :class:`gongkai.collect.fetch.HostGate`.
Every outcome is recorded by :class:`gongkai.collect.state.State` before the next request of the
worker, together with the links it yielded. A URL is followed only inside its site: the seed's
host name, or a host under the seed's domain (``www.x.gov.cn`` → ``*.x.gov.cn``).
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..readers import sniff
from .fetch import Fetcher, FetchError, Politeness, Response, decode, host_of
from .listing import canonical, parse_list
from .pages import analyse_page, attachment_type, is_report_title, report_year, url_date
from .state import Child, NewDocument, State, UrlRow

KIND_RANK = {"list": 0, "page": 1, "file": 2}
WRAPPER_TEXT = 1500  # characters: a report page shorter than this, with attachments, only points to them


@dataclass(slots=True)
class Scope:
    max_list_pages: int = 200  # per column
    max_attachments: int = 20  # per report page
    years: frozenset[int] | None = None  # report years to collect (None: all)


@dataclass
class CollectResult:
    run: int = 0
    resumed: bool = False
    requests: int = 0
    bytes: int = 0
    fetched: int = 0  # 200 answers recorded
    not_modified: int = 0  # 304 answers
    documents: int = 0  # new document versions stored
    changed: int = 0  # of which replace an earlier version
    failed: int = 0
    forbidden: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason) of this run


def site_domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def in_site(url: str, seed: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    domain = site_domain(seed)
    return urlsplit(url).scheme in ("http", "https") and (host == domain or host.endswith("." + domain)
                                                          or host == (urlsplit(seed).hostname or "").lower())


class Crawler:
    def __init__(self, state: State, politeness: Politeness, scope: Scope,
                 log: Callable[[str], None] | None = None) -> None:
        self.state = state
        self.politeness = politeness
        self.scope = scope
        self.log = log or (lambda _message: None)
        self.queues: dict[str, list[tuple[int, int, int, UrlRow]]] = {}
        self.running: dict[str, int] = {}
        self.queued: set[int] = set()
        self.outstanding = 0
        self.idle = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.result = CollectResult()
        self.run_id = 0
        self.seeds: dict[int, str] = {}
        self.list_pages: dict[int, int] = {}
        self.known_lists: dict[str, int] = {}

    async def collect(self, seeds: Iterable[tuple[str, str | None]]) -> CollectResult:
        started = time.perf_counter()
        options = {"rate": self.politeness.rate, "per_host": self.politeness.per_host,
                   "concurrency": self.politeness.concurrency,
                   "years": sorted(self.scope.years) if self.scope.years else None}
        self.run_id, self.result.resumed = self.state.begin_run(options)
        self.result.run = self.run_id
        self.state.add_sites([(canonical(url), unit) for url, unit in seeds], self.run_id)
        self.seeds = {site_id: seed for site_id, (seed, _unit) in self.state.sites().items()}
        self.known_lists = self.state.list_urls()
        self.list_pages = {}
        for site_id in self.known_lists.values():
            self.list_pages[site_id] = self.list_pages.get(site_id, 0) + 1
        self.fetcher = Fetcher(self.politeness, self._robots_load, self._robots_save)
        try:
            for row in self.state.pending(self.run_id):
                self._push(row)
            if self.outstanding:
                await self.idle.wait()
        finally:
            await self.fetcher.close()
            self.result.requests = self.fetcher.requests
            self.result.bytes = self.fetcher.bytes
        self.state.finish_run(self.run_id)
        self.result.seconds = time.perf_counter() - started
        return self.result

    # ------------------------------------------------------------------------- robots.txt
    async def _robots_load(self, host: str) -> tuple[int, str | None] | None:
        return self.state.robots(host, self.run_id)

    async def _robots_save(self, host: str, status: int, body: str | None) -> None:
        self.state.save_robots(host, self.run_id, status, body)

    # ------------------------------------------------------------------------- queues
    def _push(self, row: UrlRow) -> None:
        if row.id in self.queued:
            return
        self.queued.add(row.id)
        self.outstanding += 1
        host = host_of(row.url)
        heapq.heappush(self.queues.setdefault(host, []), (KIND_RANK.get(row.kind, 3), row.depth, row.id, row))
        if self.running.get(host, 0) < self.politeness.per_host:
            self.running[host] = self.running.get(host, 0) + 1
            task = asyncio.create_task(self._worker(host))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _worker(self, host: str) -> None:
        queue = self.queues[host]
        try:
            while queue:
                _, _, _, row = heapq.heappop(queue)
                try:
                    await self._process(row)
                except Exception as error:  # a bug on one URL must not stop the collection
                    reason = f"内部错误：{type(error).__name__}: {error}"
                    self.log(traceback.format_exc())
                    self._failed(row, reason, None, False)
                finally:
                    self.outstanding -= 1
                    if self.outstanding == 0:
                        self.idle.set()
        finally:
            self.running[host] -= 1

    # ------------------------------------------------------------------------- one URL
    def _failed(self, row: UrlRow, reason: str, status: int | None, forbidden: bool) -> None:
        self.state.fail(row, self.run_id, reason, status=status, forbidden=forbidden)
        if forbidden:
            self.result.forbidden += 1
        else:
            self.result.failed += 1
        self.result.failures.append((row.url, reason))
        self.log(f"✗ {row.url}: {reason}")

    async def _process(self, row: UrlRow) -> None:
        try:
            response = await self.fetcher.fetch(row.url, etag=row.etag, last_modified=row.last_modified)
        except FetchError as error:
            self._failed(row, error.reason, error.status, error.forbidden)
            return
        if response.not_modified:
            self.state.record(row, self.run_id, status=304, final_url=None, headers=response.headers)
            self.result.not_modified += 1
            return
        self.result.fetched += 1
        kind = _kind_of(response)
        if row.kind == "list":
            if kind != "html":
                self._failed(row, f"列表页不是网页（{response.content_type or kind}）", 200, False)
                return
            self._record(row, response, None, self._list_children(row, response))
        elif row.kind == "page" and kind == "html":
            document, children = self._page(row, response)
            self._record(row, response, document, children)
        elif kind == "html":
            self._failed(row, "附件地址返回的是网页，不是文件（文件可能已删除）", 200, False)
        else:
            self._record(row, response, self._file(row, response, kind), [])

    def _record(self, row: UrlRow, response: Response, document: NewDocument | None,
                children: list[tuple[Child, int]]) -> None:
        todo, doc_id = self.state.record(row, self.run_id, status=200, final_url=response.final_url,
                                         headers=response.headers, document=document, children=children)
        if doc_id is not None:
            self.result.documents += 1
            self.result.changed += row.fingerprint is not None
        for child in todo:
            self._push(child)

    def _list_children(self, row: UrlRow, response: Response) -> list[tuple[Child, int]]:
        text, _ = decode(response.body, response.charset)
        listing = parse_list(text, response.final_url)
        seed = self.seeds[row.site_id]
        children: list[tuple[Child, int]] = []
        for link in listing.reports:
            url = canonical(link.url)
            if not in_site(url, seed):
                continue
            year = report_year(link.title)
            if self.scope.years is not None and year not in self.scope.years:
                continue
            kind = "file" if attachment_type(url, link.title) else "page"
            children.append((Child(url, kind, link.title, link.date, "list" if link.date else None),
                             row.depth + 1))
        for page in listing.pages:
            url = canonical(page)
            if not in_site(url, seed):
                continue
            if url not in self.known_lists:
                count = self.list_pages.get(row.site_id, 0)
                if count >= self.scope.max_list_pages:
                    continue
                self.list_pages[row.site_id] = count + 1
                self.known_lists[url] = row.site_id
            children.append((Child(url, "list"), row.depth))  # pages of one list are one level
        return children

    def _page(self, row: UrlRow, response: Response) -> tuple[NewDocument, list[tuple[Child, int]]]:
        text, _ = decode(response.body, response.charset)
        info = analyse_page(text, response.final_url)
        if row.hint_date and row.hint_source == "list":
            info.dates.setdefault("list", row.hint_date)
        published, source = info.published
        title = row.anchor if is_report_title(row.anchor) else info.title
        seed = self.seeds[row.site_id]
        attachments = [a for a in info.attachments if in_site(a.url, seed)][: self.scope.max_attachments]
        wrapper = bool(attachments) and info.text_length < WRAPPER_TEXT
        document = NewDocument(
            kind="page", body=response.body, sha256=hashlib.sha256(response.body).hexdigest(),
            fingerprint=info.fingerprint, title=title, year=report_year(title), published=published,
            published_source=source, dates=info.dates, content_type=response.headers.get("content-type"),
            ingest="skip" if wrapper else "pending",
            ingest_note=f"网页只是附件的入口（正文 {info.text_length} 字，附件 {len(attachments)} 个）"
            if wrapper else None)
        children = [(Child(canonical(a.url), "file", a.anchor or title, published,
                           f"page-{source}" if source else None), row.depth + 1) for a in attachments]
        return document, children

    def _file(self, row: UrlRow, response: Response, kind: str) -> NewDocument:
        dates: dict[str, str] = {}
        if row.hint_date and row.hint_source:
            dates[row.hint_source] = row.hint_date
        own = url_date(row.url)
        if own:
            dates["url"] = own
        # the page that links a file states its date; else the file's URL; else the list's date
        source = next((s for s in dates if s.startswith("page-")), None) or (
            "url" if "url" in dates else "list" if "list" in dates else None)
        sha = hashlib.sha256(response.body).hexdigest()
        title = row.anchor or None
        return NewDocument(kind="file", body=response.body, sha256=sha, fingerprint=sha, title=title,
                           year=report_year(title), published=dates.get(source) if source else None,
                           published_source=source, dates=dates,
                           content_type=response.headers.get("content-type"), ingest="pending")


def _kind_of(response: Response) -> str:
    """What the body is, by its bytes first (servers mislabel), the Content-Type after."""
    try:
        kind = sniff(response.body)
    except Exception:  # sniffing must never fail a fetch
        kind = "text"
    if kind == "text" and response.content_type in ("text/html", "application/xhtml+xml"):
        return "html"
    return kind


def run(state: State, seeds: Iterable[tuple[str, str | None]], politeness: Politeness, scope: Scope,
        log: Callable[[str], None] | None = None) -> CollectResult:
    """Collect from the seeds (blocking)."""
    crawler = Crawler(state, politeness, scope, log)
    return asyncio.run(crawler.collect(list(seeds)))
