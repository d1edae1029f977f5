"""The collector's parts without a server: titles, dates, list pagination, attachments, decoding,
the sites file, and the migration against the schema module."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("httpx")
pytest.importorskip("sqlalchemy")

from gongkai.collect.commands import SitesError, read_sites
from gongkai.collect.crawl import in_site
from gongkai.collect.fetch import Robots, decode
from gongkai.collect.listing import canonical, parse_list
from gongkai.collect.pages import analyse_page, attachment_type, is_report_title, report_year, url_date


@pytest.mark.parametrize(("title", "report", "year"), [
    ("淮安市财政局2023年政府信息公开工作年度报告", True, 2023),
    ("洪泽区人民政府2022年度政府信息公开工作年度报告", True, 2022),
    ("二〇二一年政府信息公开年报", True, 2021),
    ("淮安市财政局2022年政府信息公开工作...", True, 2022),
    ("政府信息公开工作年度报告（2020）", True, 2020),
    ("洪泽区2022年法治政府建设年度报告", False, 2022),
    ("2024年度部门预算公开", False, 2024),
    ("关于开展政务公开日活动的通知", False, None),
])
def test_report_titles(title: str, report: bool, year: int | None) -> None:
    assert is_report_title(title) is report
    assert report_year(title) == year


@pytest.mark.parametrize(("url", "day"), [
    ("http://x.gov.cn/art/2024/1/20/art_12_34.html", "2024-01-20"),
    ("http://x.gov.cn/col/202401/t20240120_123.html", "2024-01-20"),
    ("http://x.gov.cn/content/2024-03/29/c_1.html", "2024-03-29"),
    ("http://x.gov.cn/20240229/a.html", "2024-02-29"),
    ("http://x.gov.cn/20230229/a.html", None),  # no such day: never a guess
    ("http://x.gov.cn/xxgk/index.html", None),
])
def test_url_dates(url: str, day: str | None) -> None:
    assert url_date(url) == day


def test_page_dates_by_precedence() -> None:
    html = ('<html><head><meta name="PubDate" content="2024-03-15 09:30"><title>t</title></head><body>'
            '<p>发布时间：2024年03月16日</p><a href="/f/a.pdf">报告全文</a>'
            '<a href="/down.jsp?id=3">附件.docx</a>'
            '<iframe src="/pdfjs/web/viewer.html?file=/f/b.pdf"></iframe>'
            '</body></html>')
    info = analyse_page(html, "http://x.gov.cn/art/2024/3/14/art_1.html")
    assert info.dates == {"meta": "2024-03-15", "text": "2024-03-16", "url": "2024-03-14"}
    assert info.published == ("2024-03-15", "meta")
    assert [(a.url, a.type) for a in info.attachments] == [
        ("http://x.gov.cn/f/a.pdf", "pdf"), ("http://x.gov.cn/down.jsp?id=3", "docx"),
        ("http://x.gov.cn/f/b.pdf", "pdf")]
    undated = analyse_page("<html><body>无日期</body></html>", "http://x.gov.cn/a.html")
    assert undated.published == (None, None)


def test_counters_do_not_make_versions() -> None:
    one = analyse_page("<html><body><p>报告正文</p><span>浏览次数：12</span></body></html>", "http://x/a")
    two = analyse_page("<html><body><p>报告正文</p><span>浏览次数：13</span></body></html>", "http://x/a")
    three = analyse_page("<html><body><p>报告正文改</p><span>浏览次数：13</span></body></html>", "http://x/a")
    assert one.fingerprint == two.fingerprint != three.fingerprint


def test_attachment_types() -> None:
    assert attachment_type("http://x/a/B.PDF") == "pdf"
    assert attachment_type("http://x/download?id=1", "年报.wps") == "wps"
    assert attachment_type("http://x/a.html", "说明") is None


@pytest.mark.parametrize("script", [
    'createPageHTML(3, 0, "index", "html");',
    "var countPage = 3;\nvar currentPage = 0;\ncreatePageHTML(countPage, currentPage, 'index', 'html');",
    "createPageHTML('page_div', 3, 1, 'index', 'html', 60);",
])
def test_trs_js_pagination(script: str) -> None:
    listing = parse_list(f"<html><body><ul></ul><script>{script}</script></body></html>",
                         "http://x.gov.cn/col/nb/index.html")
    assert sorted(listing.pages) == ["http://x.gov.cn/col/nb/index_1.html",
                                     "http://x.gov.cn/col/nb/index_2.html"]


def test_list_links_and_pages() -> None:
    html = ('<html><body><ul>'
            '<li><a href="./202403/t20240315_1.html" title="某县2023年政府信息公开工作年度报告">'
            '某县2023年政府信息公开...'
            '</a><span>2024-03-15</span></li>'
            '<li><a href="./202403/t20240301_2.html">某县2024年部门预算</a><span>2024-03-01</span></li>'
            '<li><a href="/files/2022nb.pdf">某县2022年政府信息公开年报</a></li></ul>'
            '<a href="?page=2">下一页</a> <a href="list?page=9">尾页</a>'
            '<a href="/other/index_2.html">别的栏目</a>'
            '<a href="http://www.gov.cn/">中国政府网</a>'
            '<script type="text/xml"><datastore><recordset><record><![CDATA['
            '<li><a href="/art/2021/3/1/art_1_2.html">'
            '某县2020年政府信息公开工作年度报告</a></li>]]></record></recordset></datastore></script>'
            '</body></html>')
    listing = parse_list(html, "http://x.gov.cn/col/list")
    reports = {link.url: (link.title, link.date) for link in listing.reports}
    assert reports == {
        "http://x.gov.cn/col/202403/t20240315_1.html": ("某县2023年政府信息公开工作年度报告", "2024-03-15"),
        "http://x.gov.cn/files/2022nb.pdf": ("某县2022年政府信息公开年报", None),
        "http://x.gov.cn/art/2021/3/1/art_1_2.html": ("某县2020年政府信息公开工作年度报告", None),
    }
    assert sorted(listing.pages) == ["http://x.gov.cn/col/list?page=2", "http://x.gov.cn/col/list?page=9"]


def test_site_scope() -> None:
    seed = "http://www.huaian.gov.cn/col/nb/index.html"
    assert in_site("http://file.huaian.gov.cn/a.pdf", seed)
    assert in_site("https://www.huaian.gov.cn/b.html", seed)
    assert not in_site("http://www.gov.cn/", seed)
    assert not in_site("http://huaian.gov.cn.evil.com/", seed)
    assert canonical("HTTP://X.GOV.CN#top") == "http://x.gov.cn/"


def test_decoding_wrong_and_missing_charsets() -> None:
    text = "淮安市人民政府2023年政府信息公开工作年度报告"
    gbk = f'<html><head><meta charset="gb2312"></head><body>{text}</body></html>'.encode("gb18030")
    assert text in decode(gbk, "utf-8")[0]  # the server says UTF-8 of a GBK page
    assert text in decode(gbk, None)[0]
    assert text in decode(f"<html><body>{text}</body></html>".encode(), "gbk")[0]  # says GBK of UTF-8


def test_robots_rules() -> None:
    robots = Robots(200, "User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n")
    assert robots.allows("http://x/a.html") and not robots.allows("http://x/private/a.html")
    assert robots.crawl_delay == 5.0
    assert Robots(404, None).allows("http://x/private/a.html")  # no robots.txt: no rules
    assert not Robots(503, None).allows("http://x/a.html")  # RFC 9309: unreachable means disallow all
    assert not Robots(0, None).allows("http://x/a.html")


def test_sites_file(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("单位,网址\n# 注释\n洪泽区人民政府,http://a.gov.cn/nb/\n金湖县人民政府,https://b.gov.cn/x\n",
                    "utf-8-sig")
    assert read_sites(path) == [("http://a.gov.cn/nb/", "洪泽区人民政府"),
                                ("https://b.gov.cn/x", "金湖县人民政府")]
    path.write_bytes("盱眙县,http://c.gov.cn/\n".encode("gb18030"))  # no header, GBK
    assert read_sites(path) == [("http://c.gov.cn/", "盱眙县")]
    path.write_text("unit,url\n洪泽区,ftp://a\n", "utf-8")
    with pytest.raises(SitesError, match="第 2 行"):
        read_sites(path)


def test_migration_matches_schema(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from gongkai.collect.schema import METADATA
    from gongkai.store import open_store

    with open_store(tmp_path / "x.db") as store:
        inspector = inspect(store.engine)
        for name, table in METADATA.tables.items():
            assert {c["name"] for c in inspector.get_columns(name)} == set(table.columns.keys()), name
            assert {i.name for i in table.indexes} <= {i["name"] for i in inspector.get_indexes(name)}, name
