"""A local government website for the collector's tests and benchmark, served on 127.0.0.1.

:func:`build_site` writes the annual-report columns of four units of 淮安市 in four CMS styles,
with reports made by gongkai's own generator (:mod:`gongkai.synth`, :mod:`gongkai.render`):

* 洪泽区 — TRS/WCM: ``index.html`` + ``index_1.html`` written by ``createPageHTML(2, 0, "index",
  "html")``; report pages with ``<meta name="PubDate">``; a 2023 page that only links its PDF;
  a report page that answers 500 twice before it works.
* 盱眙县 — ``?page=2`` pagination with 下一页; page 2 is GBK while the server says UTF-8; report
  dates only in the URL (``/art/2022/3/20/``); a link through a 301; a DOCX behind
  ``download.jsp?id=7`` (the type only in the link text); a ZIP of a text report linked from the list;
  no report for 2021 (the missing-reports matrix must show it).
* 淮安市财政局 — Hanweb (大汉): the records inside ``<script type="text/xml">`` CDATA, GBK pages
  declared by ``<meta>``, 发布时间 printed on the page; a report under ``/private/`` that robots.txt
  forbids; a broken link (404).
* 金湖县 — the list page is slow the first time (a timeout, then a retry); a report page that always
  answers 500; a redirect loop; an attachment larger than the size cap; a PDF report.

:class:`SiteServer` serves it with real sockets (``ThreadingHTTPServer``), answers conditional GETs
with 304 (ETag, Last-Modified), and logs every request, so tests can count what was fetched.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import io
import random
import re
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from gongkai.render import render
from gongkai.report import Report
from gongkai.synth import random_report
from gongkai.synth import render as render_text

_MARKUP = re.compile(r'\s+data-path="[^"]*"|\s+s-(?:read|blank|missing|inferred)\b')
REPORT_TITLE = "{agency}{year}年政府信息公开工作年度报告"


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    fault: str | None = None  # flaky:N | slow:SECONDS | always500 | redirect:PATH | status:N
    validators: bool = True  # send ETag and Last-Modified
    modified: float = field(default_factory=lambda: 1_700_000_000.0)
    served: int = 0

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Expected:
    """A document the collector must store."""

    url: str  # path on the site
    unit: str
    kind: str  # page | file
    year: int
    published: str | None
    published_source: str | None
    ingest: str  # pending (a report to parse) | skip (a page that only links its attachment)


@dataclass
class Site:
    resources: dict[str, Resource] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)
    seeds: list[tuple[str, str]] = field(default_factory=list)  # (path, unit)
    forbidden: list[str] = field(default_factory=list)  # paths robots.txt forbids (never requested)
    failing: dict[str, str] = field(default_factory=dict)  # path → a word the failure reason contains
    missing: list[tuple[str, int]] = field(default_factory=list)  # (agency, year) never published
    late: dict[tuple[str, int], bool] = field(default_factory=dict)  # (agency, year) → late?

    def put(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
            **kwargs: object) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = Resource(data, content_type, **kwargs)  # type: ignore[arg-type]

    def replace(self, path: str, body: bytes) -> None:
        """Change a document on the site (a report corrected after publication)."""
        resource = self.resources[path]
        resource.body = body
        resource.modified += 86400 * 30


# ----------------------------------------------------------------------------------- the server
@dataclass
class Request:
    path: str
    status: int
    conditional: bool
    user_agent: str
    at: float


class SiteServer:
    """Serve a :class:`Site` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests this server answered at once
        self.abandoned = threading.local()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self, since: int = 0) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests[since:]]

    def _log(self, handler: BaseHTTPRequestHandler, status: int, conditional: bool) -> None:
        self.abandoned.request.status = status  # logged on arrival (handle), answered now

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
              headers: dict[str, str] | None = None) -> None:
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            handler.wfile.write(body)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        conditional = bool(handler.headers.get("If-None-Match") or handler.headers.get("If-Modified-Since"))
        request = Request(handler.path, 0, conditional, handler.headers.get("User-Agent", ""),
                          time.monotonic())
        self.abandoned.request = request
        with self.lock:
            self.requests.append(request)  # on arrival: a request counts even if never answered
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.abandoned.value = False
        try:
            self._handle(handler)
        finally:
            if not self.abandoned.value:
                with self.lock:
                    self.in_flight -= 1

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        resource = self.site.resources.get(handler.path)
        conditional = bool(handler.headers.get("If-None-Match") or handler.headers.get("If-Modified-Since"))
        if resource is None:
            self._log(handler, 404, conditional)
            self._send(handler, 404, "<html><body>页面不存在</body></html>".encode(),
                       {"Content-Type": "text/html; charset=utf-8"})
            return
        resource.served += 1
        fault = resource.fault or ""
        if fault.startswith("slow:") and resource.served == 1:
            # the client times out and retries while this thread still sleeps: this answer is
            # abandoned, so it does not count as a request in flight
            with self.lock:
                self.in_flight -= 1
            self.abandoned.value = True
            time.sleep(float(fault.split(":")[1]))
        flaky = fault.startswith("flaky:") and resource.served <= int(fault.split(":")[1])
        if flaky or fault == "always500":
            self._log(handler, 500, conditional)
            self._send(handler, 500, b"<html><body>Internal Server Error</body></html>",
                       {"Content-Type": "text/html"})
            return
        if fault.startswith("redirect:"):
            self._log(handler, 301, conditional)
            self._send(handler, 301, b"", {"Location": fault.split(":", 1)[1]})
            return
        headers = {"Content-Type": resource.content_type,
                   "Date": email.utils.formatdate(usegmt=True)}
        if resource.validators:
            headers["ETag"] = resource.etag
            headers["Last-Modified"] = email.utils.formatdate(resource.modified, usegmt=True)
            match = handler.headers.get("If-None-Match")
            since = handler.headers.get("If-Modified-Since")
            fresh = (match == resource.etag) if match else (
                since is not None
                and email.utils.parsedate_to_datetime(since).timestamp() >= resource.modified)
            if fresh:
                self._log(handler, 304, conditional)
                self._send(handler, 304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
                return
        self._log(handler, 200, conditional)
        self._send(handler, 200, resource.body, headers)


# ----------------------------------------------------------------------------------- documents
def report_html(agency: str, year: int, seed: int) -> str:
    """The body of a report page: the generator's report rendered as the official tables."""
    truth = random_report(random.Random(seed), edition="2021", agency=agency, year=year)
    html = _MARKUP.sub("", render(Report.from_dict(truth), "html").decode("utf-8"))
    return html[html.index("<body>") + 6: html.index("</body>")]


def report_docx(agency: str, year: int, seed: int) -> bytes:
    truth = random_report(random.Random(seed), edition="2021", agency=agency, year=year)
    return render(Report.from_dict(truth), "docx")


def report_text(agency: str, year: int, seed: int) -> str:
    rng = random.Random(seed)
    truth = random_report(rng, edition="2021", agency=agency, year=year)
    return render_text(truth, "tabs", rng)


def pdfs(docs: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """PDFs of DOCX reports by LibreOffice (one soffice call for all)."""
    from gongkai.synth.corpus import convert_to_pdf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in docs.items():
        path = folder / f"{name}.docx"
        path.write_bytes(data)
        paths.append(path)
    return {p.stem: p.read_bytes() for p in convert_to_pdf(paths, folder / "pdf")}


def page(title: str, body: str, *, charset: str = "utf-8", head: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
            f'<body><div class="nav">首页 &gt; 政府信息公开 &gt; 年度报告 <a href="http://www.gov.cn/">中国政府网</a>'
            f'</div>{body}<div class="foot">主办：淮安市人民政府办公室 <a href="/about.html">关于我们</a>'
            f'</div></body></html>')


# ----------------------------------------------------------------------------------- the site
def build_site(scratch: Path, *, with_pdf: bool = True) -> Site:
    """The four columns described in the module docstring."""
    site = Site()
    site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n\nUser-agent: badbot\nDisallow: /\n",
             "text/plain")
    pdf_sources = {"hz2023": report_docx("淮安市洪泽区人民政府", 2023, 2023_1),
                   "jh2022": report_docx("金湖县人民政府", 2022, 2022_4)}
    made = pdfs(pdf_sources, scratch) if with_pdf else {}
    _hongze(site, made)
    _xuyi(site)
    _finance(site)
    _jinhu(site, made)
    return site


def _hongze(site: Site, made: dict[str, bytes]) -> None:
    agency, unit = "淮安市洪泽区人民政府", "洪泽区人民政府"
    base = "/hz/col"
    items = []
    for year, stamp, seed in ((2023, "20240410", 2023_1), (2022, "20230315", 2022_1),
                              (2021, "20220320", 2021_1)):
        title = REPORT_TITLE.format(agency=agency, year=year)
        path = f"{base}/{stamp[:6]}/t{stamp}_{year}01.html"
        pubdate = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
        meta = f'<meta name="PubDate" content="{pubdate} 09:30">'
        if year == 2023 and "hz2023" in made:
            body = (f'<h1>{title}</h1><p>现将本单位年度报告全文公布如下，详见附件。</p>'
                    f'<p>附件：<a href="./P020240410_1.pdf">{title}.pdf</a></p>')
            site.put(path, page(title, body, head=meta))
            site.put(f"{base}/{stamp[:6]}/P020240410_1.pdf", made["hz2023"], "application/pdf")
            site.expected.append(Expected(path, unit, "page", year, pubdate, "meta", "skip"))
            site.expected.append(Expected(f"{base}/{stamp[:6]}/P020240410_1.pdf", unit, "file", year, pubdate,
                                          "page-meta", "pending"))
        else:
            fault = "flaky:2" if year == 2021 else None
            site.put(path, page(title, report_html(agency, year, seed), head=meta), fault=fault)
            site.expected.append(Expected(path, unit, "page", year, pubdate, "meta", "pending"))
        site.late[("320813", year)] = pubdate > f"{year + 1}-03-31"
        items.append((path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1], title, pubdate))
    news = [("./202402/t20240201_9.html", "洪泽区2024年度部门预算公开", "2024-02-01"),
            ("./202401/t20240105_8.html", "关于开展政务公开日活动的通知", "2024-01-05"),
            ("./202301/t20230110_7.html", "洪泽区2022年法治政府建设年度报告", "2023-01-10")]
    rows = [(f"./{p}", t, d) for p, t, d in items]
    pages = [rows[:2] + news[:1], rows[2:] + news[1:]]  # the 2021 report is on the second page
    for number, chunk in enumerate(pages):
        listing = "".join(f'<li><a href="{href}" target="_blank">{title}</a><span>{day}</span></li>'
                          for href, title, day in chunk)
        script = (f'<script>var countPage = 2;//共多少页\nvar currentPage = {number};\n'
                  'createPageHTML(countPage, currentPage, "index", "html");</script>')
        name = "index.html" if number == 0 else f"index_{number}.html"
        site.put(f"{base}/{name}", page("年度报告", f'<ul class="list">{listing}</ul>{script}'))
    site.seeds.append((f"{base}/index.html", unit))


def _xuyi(site: Site) -> None:
    agency, unit = "盱眙县人民政府", "盱眙县人民政府"
    # 2022: reached through a 301; its page only links a DOCX behind download.jsp
    title22 = REPORT_TITLE.format(agency=agency, year=2022)
    final = "/xy/art/2023/3/20/art_55_2022.html"
    site.put("/xy/go?id=2022", b"", fault=f"redirect:{final}")
    site.put(final, page(title22, f'<h1>{title22}</h1><p>详见附件：</p><p><a href="/xy/download.jsp?id=7">'
                                  f'{title22}.docx</a></p>'))
    site.put("/xy/download.jsp?id=7", report_docx(agency, 2022, 2022_2),
             "application/octet-stream", validators=False)
    site.expected.append(Expected("/xy/go?id=2022", unit, "page", 2022, "2023-03-20", "url", "skip"))
    site.expected.append(Expected("/xy/download.jsp?id=7", unit, "file", 2022, "2023-03-20", "page-url",
                                  "pending"))
    # 2023: a ZIP of a text report straight from the list (dated only by the list)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2023年报.txt", report_text(agency, 2023, 2023_2))
    site.put("/xy/files/2023nb.zip", buffer.getvalue(), "application/zip")
    site.expected.append(Expected("/xy/files/2023nb.zip", unit, "file", 2023, "2024-03-28", "list",
                                  "pending"))
    # 2020: an HTML report page on list page 2 (GBK, while the server says UTF-8)
    title20 = REPORT_TITLE.format(agency=agency, year=2020)
    path20 = "/xy/art/2021/3/30/art_55_2020.html"
    site.put(path20, page(title20, report_html(agency, 2020, 2020_2)))
    site.expected.append(Expected(path20, unit, "page", 2020, "2021-03-30", "url", "pending"))
    site.missing.append(("320830", 2021))
    site.late[("320830", 2022)] = False
    site.late[("320830", 2023)] = False
    site.late[("320830", 2020)] = False
    first = (f'<ul><li><a href="/xy/go?id=2022">{title22}</a> 2023-03-20</li>'
             f'<li><a href="/xy/files/2023nb.zip" title="{REPORT_TITLE.format(agency=agency, year=2023)}">'
             f'盱眙县2023年政府信息公开工作年度报告（压缩包）</a> 2024-03-28</li>'
             '<li><a href="/xy/art/2024/1/2/art_55_1.html">盱眙县2023年度政府集中采购目录</a>'
             ' 2024-01-02</li></ul>'
             f'<div class="pages"><a href="?page=2">下一页</a></div>')
    second = (f'<ul><li><a href="{path20}">{title20}</a> 2021-03-30</li></ul>'
              f'<div class="pages"><a href="?page=1">上一页</a></div>')
    site.put("/xy/list", page("年报", first))
    site.put("/xy/list?page=1", page("年报", first))
    site.put("/xy/list?page=2", page("年报", second, charset="gbk").encode("gbk"), "text/html; charset=utf-8")
    site.seeds.append(("/xy/list", unit))


def _finance(site: Site) -> None:
    agency, unit = "淮安市财政局", "淮安市财政局"
    records = []
    for year, day, seed in ((2023, "2024-01-25", 2023_3), (2022, "2023-02-10", 2022_3),
                            (2021, "2022-01-20", 2021_3)):
        title = REPORT_TITLE.format(agency=agency, year=year)
        y, m, d = (int(x) for x in day.split("-"))
        path = f"/art/{y}/{m}/{d}/art_3001_{year}.html"
        body = (f'<div class="info">发布时间：{y}年{m:02d}月{d:02d}日 10:20 来源：市财政局 '
                f'浏览次数：{seed % 97}</div>'
                + report_html(agency, year, seed))
        site.put(path, page(title, body, charset="gb2312").encode("gb18030"), "text/html")
        site.expected.append(Expected(path, unit, "page", year, day, "text", "pending"))
        site.late[("320800/财政局", year)] = day > f"{year + 1}-01-31"
        records.append(f'<record><![CDATA[<li><a href="{path}" title="{title}">{title[:16]}...</a>'
                       f'<span>{day}</span></li>]]></record>')
    title20 = REPORT_TITLE.format(agency=agency, year=2020)
    site.put("/private/art_3001_2020.html", page(title20, report_html(agency, 2020, 2020_3)))
    site.forbidden.append("/private/art_3001_2020.html")
    records.append(f'<record><![CDATA[<li><a href="/private/art_3001_2020.html">{title20}</a></li>]]>'
                   '</record>')
    title19 = REPORT_TITLE.format(agency=agency, year=2019)
    records.append(f'<record><![CDATA[<li><a href="/art/2020/1/15/art_3001_2019.html">{title19}</a></li>]]>'
                   "</record>")
    site.failing["/art/2020/1/15/art_3001_2019.html"] = "404"
    datastore = ('<script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>'
                 + "".join(records) + "</recordset></datastore></script>")
    site.put("/col/col3001/index.html", page("政府信息公开年报", f'<div id="3001">{datastore}</div>',
                                             charset="gb2312").encode("gb18030"), "text/html")
    site.seeds.append(("/col/col3001/index.html", unit))


def _jinhu(site: Site, made: dict[str, bytes]) -> None:
    agency, unit = "金湖县人民政府", "金湖县人民政府"
    rows = []
    title23 = REPORT_TITLE.format(agency=agency, year=2023)
    path23 = "/jh/content/2024-03/29/c_2023.html"
    site.put(path23, page(title23, '<p class="date">发布日期：2024-03-29</p>'
                          + report_html(agency, 2023, 2023_4)))
    site.expected.append(Expected(path23, unit, "page", 2023, "2024-03-29", "text", "pending"))
    site.late[("320831", 2023)] = False
    rows.append((path23, title23))
    if "jh2022" in made:
        title22 = REPORT_TITLE.format(agency=agency, year=2022)
        path22 = "/jh/content/2023-03/01/c_2022.html"
        body = (f'<p>发布日期：2023-03-01</p><p>全文见附件：<a href="/jh/files/jh2022.pdf">{title22}</a>'
                f'（PDF）</p><p>另附：<a href="/jh/files/big.pdf">高清扫描版.pdf</a></p>')
        site.put(path22, page(title22, body))
        site.put("/jh/files/jh2022.pdf", made["jh2022"], "application/pdf")
        site.put("/jh/files/big.pdf", b"%PDF-1.4\n" + random.Random(5).randbytes(1_600_000),
                 "application/pdf")
        site.failing["/jh/files/big.pdf"] = "大小上限"
        site.expected.append(Expected(path22, unit, "page", 2022, "2023-03-01", "text", "skip"))
        site.expected.append(Expected("/jh/files/jh2022.pdf", unit, "file", 2022, "2023-03-01", "page-text",
                                      "pending"))
        site.late[("320831", 2022)] = False
        rows.append((path22, title22))
    title21 = REPORT_TITLE.format(agency=agency, year=2021)
    site.put("/jh/content/2022-03/15/c_2021.html", b"", fault="always500")
    site.failing["/jh/content/2022-03/15/c_2021.html"] = "500"
    rows.append(("/jh/content/2022-03/15/c_2021.html", title21))
    site.put("/jh/loop1", b"", fault="redirect:/jh/loop2")
    site.put("/jh/loop2", b"", fault="redirect:/jh/loop1")
    site.failing["/jh/loop1"] = "重定向"
    rows.append(("/jh/loop1", REPORT_TITLE.format(agency=agency, year=2020)))
    listing = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in rows)
    site.put("/jh/nb/", page("年报", f"<ul>{listing}</ul>"), fault="slow:2.5")
    site.seeds.append(("/jh/nb/", unit))
