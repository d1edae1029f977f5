"""A column's list pages: the report links on them, and the other pages of the list.

Pagination as real CMSs write it:

* TRS/WCM: ``index.html``, ``index_1.html`` … written by ``createPageHTML(count, current,
  "index", "html")`` in a script (arguments may be variables: ``var countPage = 7``), and the
  newer ``createPageHTML('pageDiv', 7, 1, 'index', 'html', 140)``;
* query pages: ``?page=2``, ``?pageNum=2``, ``?pageNo=2``, ``?p=2`` …;
* 下一页／尾页／page-number links to sibling files (``list_2.html``, ``index_3.shtml``);
* Hanweb (大汉) columns that hold their records as HTML inside ``<script type="text/xml">``
  (``<datastore><record><![CDATA[<li><a …>]]>``): the links are read from there too.

Only pages of the same column are list pages: same host, same directory as the page that links
them, a page-like name or query. Report links are recognised by their title
(:func:`gongkai.collect.pages.is_report_title`), the ``title`` attribute preferred over a
truncated text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.html

from .pages import attachment_type, date_in, is_report_title, normalise_title, parse_html

PAGE_PARAMS = ("page", "pagenum", "pageno", "pageindex", "p", "pn", "curpage", "currentpage", "pagesize_page",
               "page_no", "pageid", "start")
_NEXT_TEXTS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "上一页", "上页", "首页", "第一页",
               ">", ">>", "»", "›",
               "next", "last"}
_PAGE_FILE = re.compile(r"^(?:index|list|default|more|page|col)?[_-]?\d*\.(?:s?html?|jsp|php|aspx?)$", re.I)
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_VAR = re.compile(r"(?:var|let|const)\s+(\w+)\s*=\s*(\d+)")
_ARG = re.compile(r"""\s*(?:(\d+)|["']([^"']*)["']|(\w+))\s*""")
_SCRIPT_LINK = re.compile(r"<a\s", re.I)


@dataclass(slots=True)
class Link:
    url: str
    title: str
    date: str | None  # the date printed beside the link, if any


@dataclass(slots=True)
class ListPage:
    reports: list[Link]  # report pages and report files
    pages: list[str]  # other pages of the same list


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _same_column(url: str, base: str) -> bool:
    """A page of the same list: same host and directory, with a page-like name or query."""
    a, b = urlsplit(url), urlsplit(base)
    if a.netloc.lower() != b.netloc.lower() or a.scheme not in ("http", "https"):
        return False
    dir_a, _, name_a = a.path.rpartition("/")
    dir_b, _, _ = b.path.rpartition("/")
    if dir_a != dir_b:
        return False
    if a.query and any(k.lower() in PAGE_PARAMS for k, _ in parse_qsl(a.query, keep_blank_values=True)):
        return True
    return name_a == "" or _PAGE_FILE.match(name_a) is not None


def _script_anchors(tree: lxml.html.HtmlElement, base: str) -> list[lxml.html.HtmlElement]:
    """Anchors written inside scripts (Hanweb's XML datastore, document.write of list items)."""
    anchors: list[lxml.html.HtmlElement] = []
    for script in tree.iter("script"):
        body = script.text or ""
        if not _SCRIPT_LINK.search(body):
            continue
        body = body.replace("<![CDATA[", "").replace("]]>", "")
        fragment = parse_html(f"<html><body>{body}</body></html>", base)
        if fragment is not None:
            anchors.extend(fragment.iter("a"))
    return anchors


def _resolve(token: re.Match[str], variables: dict[str, int]) -> int | str | None:
    number, string, name = token.groups()
    if number is not None:
        return int(number)
    if string is not None:
        return string
    if name is not None and name in variables:
        return variables[name]
    return None


def js_pages(tree: lxml.html.HtmlElement, base: str) -> list[str]:
    """The pages ``createPageHTML(…)`` would write links to: ``index.html`` … ``index_{n-1}.html``
    beside the current page."""
    scripts = "\n".join(s.text or "" for s in tree.iter("script"))
    variables = {name: int(value) for name, value in _VAR.findall(scripts)}
    pages: list[str] = []
    for call in _CREATE_PAGE.finditer(scripts):
        args = [_resolve(m, variables) for m in _ARG.finditer(call.group(1)) if m.group(0).strip()]
        numbers = [a for a in args if isinstance(a, int)]
        strings = [a for a in args if isinstance(a, str)]
        if not numbers:
            continue
        count = numbers[0]
        prefix, ext = (strings[-2], strings[-1]) if len(strings) >= 2 else ("index", "html")
        for page in range(min(count, 10_000)):
            name = f"{prefix}.{ext}" if page == 0 else f"{prefix}_{page}.{ext}"
            pages.append(urljoin(base, name))
    return pages


def _beside(anchor: lxml.html.HtmlElement) -> str | None:
    """The date printed next to a link: in its list item (li, tr, dd, p, div) but not in its text."""
    own = anchor.text_content()
    node = anchor.getparent()
    for _ in range(2):
        if node is None:
            return None
        if sum(1 for _ in node.iter("a")) > 1 and node is not anchor.getparent():
            return None  # a container of many links: its dates are not this link's
        found = date_in(node.text_content().replace(own, " "))
        if found:
            return found
        node = node.getparent()
    return None


def parse_list(text: str, url: str) -> ListPage:
    """The report links and the other pages of a list page."""
    tree = parse_html(text, url)
    if tree is None:
        return ListPage([], [])
    reports: dict[str, Link] = {}
    pages: dict[str, None] = {}
    for anchor in [*tree.iter("a"), *_script_anchors(tree, url)]:
        href = anchor.get("href")
        if not href or href.startswith(("javascript:", "mailto:", "tel:")):
            continue
        target = _strip_fragment(urljoin(url, href))
        if urlsplit(target).scheme not in ("http", "https"):
            continue
        text = normalise_title(anchor.text_content())
        title_attr = normalise_title(anchor.get("title"))
        title = title_attr if is_report_title(title_attr) or len(title_attr) > len(text) else text
        if is_report_title(title) or (is_report_title(text) and not title):
            if target not in reports:
                reports[target] = Link(target, title if is_report_title(title) else text, _beside(anchor))
            continue
        if attachment_type(target):
            continue
        if target != _strip_fragment(url) and _same_column(target, url) and (
                text.lower() in _NEXT_TEXTS or text.isdigit() or anchor.get("rel") == "next"
                or urlsplit(target).query != urlsplit(url).query or _is_page_file(target)):
            pages[target] = None
    for page in js_pages(tree, url):
        if page != _strip_fragment(url) and _same_column(page, url):
            pages[page] = None
    return ListPage(list(reports.values()), list(pages))


def _is_page_file(url: str) -> bool:
    name = urlsplit(url).path.rpartition("/")[2]
    return bool(re.search(r"[_-]\d+\.\w+$", name))


def canonical(url: str) -> str:
    """A URL without its fragment, with a lower-case scheme and host and a path ('/' at least)."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
