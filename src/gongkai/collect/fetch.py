"""A polite HTTP client: robots.txt, per-host pacing and concurrency, retries with backoff,
conditional GETs, size caps, redirect limits, and page decoding (GBK/GB18030 included).

Politeness is per host (``netloc``): at most ``per_host`` requests at once, and request starts
spaced by ``1 / rate`` seconds or the host's robots.txt ``Crawl-delay``, whichever is longer. A
global ``concurrency`` bounds the sockets open across hosts. Every redirect hop is a request of its
own: it waits for its host's turn and is checked against that host's robots.txt.

robots.txt follows RFC 9309: a 4xx answer means no rules (allow all); a 5xx answer or no answer
means "disallow all" for that host in this run, so a struggling server is not crawled.

Failure reasons are in Chinese (what the clerk reads), with the technical detail after them.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ..errors import GongkaiError
from ..readers.html import decode_html

USER_AGENT = "gongkai-collect/0.1 (+https://github.com/gongkai; government report collector)"
ROBOTS_TOKEN = "gongkai"  # the product token robots.txt groups are matched against
REDIRECTS = {301, 302, 303, 307, 308}
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 120.0  # seconds: a longer Retry-After ends the URL for this run


@dataclass(slots=True)
class Politeness:
    """How hard the collector may press: the defaults are one request per second per host."""

    rate: float = 1.0  # request starts per second per host
    per_host: int = 1  # requests at once per host
    concurrency: int = 32  # requests at once in all
    timeout: float = 30.0  # seconds to connect, and between two received chunks
    max_seconds: float = 300.0  # seconds for one whole response
    max_bytes: int = 100 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3  # more attempts after the first, on 5xx, 429 and network errors
    backoff: float = 2.0  # seconds before the first retry; doubled each time, plus jitter
    user_agent: str = USER_AGENT
    proxy: str | None = None

    def interval(self, crawl_delay: float | None) -> float:
        return max(1.0 / self.rate if self.rate > 0 else 0.0, crawl_delay or 0.0)


class FetchError(GongkaiError):
    """A URL could not be fetched; ``reason`` says why (Chinese, with the detail)."""

    def __init__(self, reason: str, *, status: int | None = None, retryable: bool = False,
                 forbidden: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable
        self.forbidden = forbidden
        self.retry_after = retry_after


@dataclass(slots=True)
class Response:
    url: str  # as requested
    final_url: str  # after redirects
    status: int  # 200, or 304 (not modified)
    headers: dict[str, str]
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'") or None
        return None


def decode(body: bytes, charset: str | None = None) -> tuple[str, str]:
    """The text of a page and the encoding used. The HTTP charset is trusted when the bytes fit
    it; otherwise (a server that says UTF-8 of a GBK page, or says nothing) the page's own
    declaration and detection decide (:func:`gongkai.readers.html.decode_html`)."""
    if charset and not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        label = charset.strip().lower()
        label = "gb18030" if label in ("gb2312", "gbk", "x-gbk", "cp936", "gb18030") else label
        if label != "utf-8" and not body.isascii():
            try:  # a page moved to UTF-8 keeps its old server charset more often than not
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return body.decode(label), label
        except (UnicodeDecodeError, LookupError):
            pass
    text, encoding, _warning = decode_html(body)
    return text, encoding


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


# ----------------------------------------------------------------------------------- per host
class HostGate:
    """A host's turn: ``per_host`` requests at once, starts spaced by ``interval`` seconds."""

    def __init__(self, per_host: int, interval: float) -> None:
        self.semaphore = asyncio.Semaphore(max(per_host, 1))
        self.interval = interval
        self.next_start = 0.0

    async def __aenter__(self) -> HostGate:
        await self.semaphore.acquire()
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.semaphore.release()


@dataclass(slots=True)
class Robots:
    status: int  # HTTP status of robots.txt; 0: unreachable
    body: str | None
    parser: RobotFileParser | None = None

    def __post_init__(self) -> None:
        parser = RobotFileParser()
        if self.status == 0 or self.status >= 500:
            parser.disallow_all = True  # type: ignore[attr-defined]  # set in its __init__; typeshed omits it
        elif self.status >= 400 or self.body is None:
            parser.allow_all = True  # type: ignore[attr-defined]  # set in its __init__; typeshed omits it
        parser.parse((self.body or "").splitlines())
        self.parser = parser

    def allows(self, url: str) -> bool:
        assert self.parser is not None
        return self.parser.can_fetch(ROBOTS_TOKEN, url)

    @property
    def crawl_delay(self) -> float | None:
        assert self.parser is not None
        delay = self.parser.crawl_delay(ROBOTS_TOKEN)
        return float(delay) if delay is not None else None

    @property
    def why_forbidden(self) -> str:
        if self.status == 0 or self.status >= 500:
            return (f"robots.txt 无法读取（{'无应答' if self.status == 0 else f'HTTP {self.status}'}），"
                    "按 RFC 9309 本次不抓取该网站")
        return "robots.txt 禁止抓取该地址"


RobotsLoad = Callable[[str], Awaitable[tuple[int, str | None] | None]]
RobotsSave = Callable[[str, int, str | None], Awaitable[None]]


# ----------------------------------------------------------------------------------- the client
class Fetcher:
    """One collection's HTTP side. ``robots_load``/``robots_save`` keep robots.txt in the state,
    so a resumed run does not fetch it again. ``requests`` counts requests sent."""

    def __init__(self, politeness: Politeness, robots_load: RobotsLoad, robots_save: RobotsSave) -> None:
        self.politeness = politeness
        self.client = httpx.AsyncClient(
            headers={"User-Agent": politeness.user_agent, "Accept-Language": "zh-CN,zh;q=0.9",
                     "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(politeness.timeout), follow_redirects=False, trust_env=False,
            proxy=politeness.proxy, limits=httpx.Limits(max_connections=politeness.concurrency,
                                                        max_keepalive_connections=politeness.concurrency))
        self.sockets = asyncio.Semaphore(politeness.concurrency)
        self.gates: dict[str, HostGate] = {}
        self.robots: dict[str, Robots] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}
        self.robots_load = robots_load
        self.robots_save = robots_save
        self.requests = 0
        self.bytes = 0

    async def close(self) -> None:
        await self.client.aclose()

    def gate(self, host: str) -> HostGate:
        if host not in self.gates:
            self.gates[host] = HostGate(self.politeness.per_host, self.politeness.interval(None))
        return self.gates[host]

    async def robots_for(self, url: str) -> Robots:
        """The host's robots.txt: from memory, from the state (fetched earlier in this run), or
        fetched now (one at a time per host)."""
        parts = urlsplit(url)
        host = parts.netloc.lower()
        if host in self.robots:
            return self.robots[host]
        lock = self.robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host in self.robots:
                return self.robots[host]
            stored = await self.robots_load(host)
            if stored is None:
                status, body = await self._fetch_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
                await self.robots_save(host, status, body)
            else:
                status, body = stored
            robots = Robots(status, body)
            self.robots[host] = robots
            self.gate(host).interval = self.politeness.interval(robots.crawl_delay)
        return robots

    async def _fetch_robots(self, url: str) -> tuple[int, str | None]:
        for attempt in range(2):  # one retry: a server's hiccup should not shut its whole site out
            try:
                response = await self._get(url, None, None, robots_check=False)
            except FetchError as error:
                if error.status is not None and 400 <= error.status < 500 and error.status not in RETRYABLE:
                    return error.status, None
                if attempt == 0 and error.retryable:
                    await asyncio.sleep(error.retry_after or self.politeness.backoff)
                    continue
                return (error.status or 0), None
            text, _ = decode(response.body[:512 * 1024], response.charset)
            return 200, text
        return 0, None  # pragma: no cover - the loop returns

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET a URL politely, retrying 5xx, 429 and network errors with backoff; a 304 comes back
        as such (``not_modified``). Raises :class:`FetchError` with the reason."""
        attempt = 0
        while True:
            try:
                return await self._get(url, etag, last_modified)
            except FetchError as error:
                if not error.retryable or attempt >= self.politeness.retries:
                    if error.retryable and attempt:
                        error.reason += f"（已重试 {attempt} 次）"
                    raise
                if error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER:
                    error.reason += f"（服务器要求 {error.retry_after:.0f} 秒后再试，超过上限）"
                    raise
                delay = error.retry_after if error.retry_after is not None else (
                    self.politeness.backoff * 2 ** attempt * (1 + random.random()))
                attempt += 1
                await asyncio.sleep(delay)

    async def _get(self, url: str, etag: str | None, last_modified: str | None, *,
                   robots_check: bool = True) -> Response:
        redirects: list[str] = []
        current = url
        while True:
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                raise FetchError(f"不支持的地址：{current}")
            if robots_check:
                robots = await self.robots_for(current)
                if not robots.allows(current):
                    raise FetchError(robots.why_forbidden + (f"：{current}" if redirects else ""),
                                     forbidden=True)
            # the validators were stored from the final answer: every hop carries them (a redirect
            # itself ignores them, and its target is where they belong)
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            status, response_headers, body = await self._request(current, headers)
            if status in REDIRECTS:
                location = response_headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} 重定向缺少 Location", status=status)
                redirects.append(current)
                if len(redirects) > self.politeness.max_redirects:
                    raise FetchError(f"重定向超过 {self.politeness.max_redirects} 次（可能是循环）："
                                     f"{' → '.join([*redirects, urljoin(current, location)][:8])}",
                                     status=status)
                current = urljoin(current, location)
                if current in redirects:
                    raise FetchError(f"重定向循环：{' → '.join([*redirects, current])}", status=status)
                continue
            if status == 304 and (etag or last_modified):
                return Response(url, current, 304, response_headers, b"", redirects)
            if status == 200:
                return Response(url, current, 200, response_headers, body, redirects)
            retry_after = _retry_after(response_headers.get("retry-after"))
            raise FetchError(f"HTTP {status}{_STATUS_ZH.get(status, '')}", status=status,
                             retryable=status in RETRYABLE, retry_after=retry_after)

    async def _request(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        cap = self.politeness.max_bytes
        async with self.gate(host_of(url)), self.sockets:
            self.requests += 1
            try:
                async with asyncio.timeout(self.politeness.max_seconds):
                    async with self.client.stream("GET", url, headers=headers) as response:
                        response_headers = {k.lower(): v for k, v in response.headers.items()}
                        if response.status_code != 200:
                            return response.status_code, response_headers, b""
                        declared = response_headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > cap:
                            raise FetchError(f"文件 {int(declared) / 2**20:.1f} MiB，超过大小上限 "
                                             f"{cap / 2**20:.0f} MiB（--max-mb）", status=200)
                        chunks: list[bytes] = []
                        size = 0
                        async for chunk in response.aiter_bytes():
                            size += len(chunk)
                            if size > cap:
                                raise FetchError(f"文件超过大小上限 {cap / 2**20:.0f} MiB（--max-mb），"
                                                 "已停止下载", status=200)
                            chunks.append(chunk)
                        self.bytes += size
                        return 200, response_headers, b"".join(chunks)
            except TimeoutError:
                raise FetchError(f"下载超过 {self.politeness.max_seconds:.0f} 秒未完成",
                                 retryable=True) from None
            except httpx.TimeoutException as error:
                raise FetchError(f"超时（{type(error).__name__}）", retryable=True) from None
            except httpx.ConnectError as error:
                raise FetchError(f"连接失败：{error}", retryable=True) from None
            except httpx.InvalidURL as error:
                raise FetchError(f"地址无效：{error}") from None
            except (httpx.TransportError, httpx.DecodingError) as error:
                raise FetchError(f"传输中断：{type(error).__name__}: {error}", retryable=True) from None


_STATUS_ZH = {400: " 请求无效", 401: " 需要登录", 403: " 禁止访问", 404: " 页面不存在", 410: " 页面已删除",
              429: " 请求过于频繁", 500: " 服务器内部错误", 502: " 网关错误", 503: " 服务暂不可用",
              504: " 网关超时"}


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None
