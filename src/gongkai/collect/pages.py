"""What a page says about itself: is a link's title an annual report (of which year), when was the
page published (and where that was read), which attachments does it carry, what is its text.

Publication dates are read, never guessed, and each says where it came from:

* ``meta`` — a ``<meta>`` the CMS writes (``PubDate``, ``publishdate``, ``firstpublishedtime``,
  ``article:published_time``, ``dcterms.issued`` …);
* ``text`` — 发布日期／发布时间／公开日期 printed on the page;
* ``url`` — a dated URL path (``/art/2024/1/20/…``, ``/t20240120_…``, ``/202401/20/…``);
* ``list`` — the date the list page printed beside the link (passed in by the caller).

The first of these that the page has is its publication date; every one found is kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

from ..text import compact

ATTACHMENT_TYPES = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "zip", "rar", "ofd")
DATE_SOURCES = ("meta", "text", "url", "list")

_YEAR_DIGITS = "〇零○一二三四五六七八九"
_CN_DIGIT = {c: str(max(0, i - 2)) for i, c in enumerate(_YEAR_DIGITS)}  # 〇零○ → 0, 一 → 1 …
_CN_YEAR = re.compile(rf"[{_YEAR_DIGITS}]{{4}}(?=\s*年)")
# a list title cut short (…信息公开工作…) counts: CMSs truncate 年度报告 off long titles
_REPORT = re.compile(r"信息公开.{0,16}?(?:年度报告|年报|年度工作报告|工作报告)"
                     r"|信息公开(?:工作)?(?:年度)?(?:…+|\.{2,})$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DATE = r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_TEXT_DATE = re.compile(r"(?:发布日期|发布时间|公开日期|发表时间|发布于|信息时间|上传时间)"
                        r"\s*[:：]?\s*" + _DATE)
_BARE_DATE = re.compile(_DATE)
_URL_DATES = (
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb: /art/2024/1/20/art_…
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS: /202401/t20240120_123.html
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})/(\d{2})/"),  # /202401/20/ or /2024-01/20/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20240120/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),  # /2024/0120/
)
_META_NAMES = ("pubdate", "publishdate", "publish_date", "publishtime", "firstpublishedtime",
               "article:published_time", "dcterms.issued", "dc.date.issued", "dc.date", "releasedate")
_COUNTERS = re.compile(r"(?:浏览|访问|点击|阅读)(?:次数|量)?\s*[:：]?\s*\d+\s*次?|今天是[^\n]{0,30}")
_PDF_VIEWER = ("file", "url", "src", "path", "filepath", "fileurl")


def normalise_title(text: str | None) -> str:
    """A title (or link text) without white space, for matching: gongkai.text.compact."""
    return compact(text or "")


def is_report_title(title: str | None) -> bool:
    """A title of a government information-disclosure annual report (信息公开…年度报告 / 年报),
    a truncated list title (…工作年度…) included."""
    text = normalise_title(title)
    return bool(text) and _REPORT.search(text) is not None


def report_year(title: str | None) -> int | None:
    """The year a report title names (2023年, 二〇二三年, or a bare 2023)."""
    text = normalise_title(title)
    cn = _CN_YEAR.search(text)
    if cn:
        text = text.replace(cn.group(0), "".join(_CN_DIGIT[c] for c in cn.group(0)))
    match = _YEAR.search(text) or _ANY_YEAR.search(text)
    return int(match.group(1)) if match else None


def _valid(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def date_in(text: str | None) -> str | None:
    """The first valid calendar date written in ``text`` (2024-01-20, 2024年1月20日, 2024/1/20)."""
    for match in _BARE_DATE.finditer(text or ""):
        found = _valid(*match.groups())
        if found:
            return found
    return None


def url_date(url: str) -> str | None:
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            found = _valid(*match.groups())
            if found:
                return found
    return None


def attachment_type(url: str, *texts: str | None) -> str | None:
    """The file type of a link to an attachment (by its path, or the file name in its text,
    title or ``download`` attribute), or None."""
    path = unquote(urlsplit(url).path).lower()
    for ext in ATTACHMENT_TYPES:
        if path.endswith("." + ext):
            return ext
    for text in texts:
        name = (text or "").strip().lower()
        for ext in ATTACHMENT_TYPES:
            if name.endswith("." + ext):
                return ext
    return None


def parse_html(text: str, url: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree with absolute links (``<base href>`` honoured), or None."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(huge_tree=False))
    except (etree.ParserError, ValueError):
        return None
    try:
        tree.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    except ValueError:
        return None
    return tree


def visible_text(tree: lxml.html.HtmlElement) -> str:
    body = tree.find("body")
    root = body if body is not None else tree
    parts: list[str] = []
    for node in root.iter():
        if node.tag in ("script", "style", "noscript") or not isinstance(node.tag, str):
            continue
        if node.text and node.getparent() is not None:
            parts.append(node.text)
        if node.tail:
            parts.append(node.tail)
    if root.text:
        parts.insert(0, root.text)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def fingerprint(text: str) -> str:
    """The identity of a page's content: its visible text without whitespace, view counters and
    today's date, so that a page re-rendered with a new counter is not a new version."""
    return hashlib.sha256(re.sub(r"\s+", "", _COUNTERS.sub("", text)).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Attachment:
    url: str
    anchor: str
    type: str


@dataclass(slots=True)
class PageInfo:
    title: str | None
    dates: dict[str, str] = field(default_factory=dict)  # source → YYYY-MM-DD
    attachments: list[Attachment] = field(default_factory=list)
    text_length: int = 0
    fingerprint: str = ""

    @property
    def published(self) -> tuple[str | None, str | None]:
        """(date, source) by precedence meta > text > url > list; (None, None) when none."""
        for source in DATE_SOURCES:
            if source in self.dates:
                return self.dates[source], source
        return None, None


def _meta_date(tree: lxml.html.HtmlElement) -> str | None:
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key in _META_NAMES:
            found = date_in(meta.get("content"))
            if found:
                return found
    return None


def _title(tree: lxml.html.HtmlElement) -> str | None:
    candidates: list[str] = []
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        if key in ("articletitle", "og:title", "title") and meta.get("content"):
            candidates.append(meta.get("content", ""))
    for tag in ("h1", "h2", "title"):
        for node in tree.iter(tag):
            candidates.append(node.text_content())
    cleaned = [normalise_title(c) for c in candidates if normalise_title(c)]
    for title in cleaned:
        if is_report_title(title):
            return title
    return cleaned[0] if cleaned else None


def attachment_links(tree: lxml.html.HtmlElement) -> list[Attachment]:
    """Links to files: ``<a>`` by path or file name, ``<iframe>``/``<embed>``/``<object>`` of a
    PDF, and PDF viewers (``viewer.html?file=/x.pdf``)."""
    found: dict[str, Attachment] = {}

    def add(url: str | None, anchor: str, *texts: str | None) -> None:
        if not url or url.startswith(("javascript:", "mailto:")):
            return
        url = url.split("#", 1)[0]
        kind = attachment_type(url, anchor, *texts)
        if kind is None:
            query = parse_qs(urlsplit(url).query)
            for key in _PDF_VIEWER:
                for value in query.get(key, []):
                    inner = urljoin(url, value)
                    if attachment_type(inner):
                        add(inner, anchor)
                        return
            return
        if url not in found:
            found[url] = Attachment(url, normalise_title(anchor), kind)

    for node in tree.iter("a"):
        add(node.get("href"), node.text_content(), node.get("title"), node.get("download"))
    for tag, attribute in (("iframe", "src"), ("embed", "src"), ("object", "data")):
        for node in tree.iter(tag):
            add(node.get(attribute), "")
    return list(found.values())


def analyse_page(text: str, url: str) -> PageInfo:
    """A report page: title, dates by source, attachments, text length and fingerprint."""
    tree = parse_html(text, url)
    if tree is None:
        return PageInfo(None, fingerprint=fingerprint(text))
    info = PageInfo(_title(tree))
    meta = _meta_date(tree)
    if meta:
        info.dates["meta"] = meta
    shown = visible_text(tree)
    match = next((m for m in _TEXT_DATE.finditer(shown) if _valid(*m.groups())), None)
    if match:
        info.dates["text"] = _valid(*match.groups())  # type: ignore[assignment]
    in_url = url_date(url)
    if in_url:
        info.dates["url"] = in_url
    info.attachments = attachment_links(tree)
    info.text_length = len(re.sub(r"\s+", "", shown))
    info.fingerprint = fingerprint(shown)
    return info
