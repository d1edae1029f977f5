"""HTML reading: grids with spans expanded (also malformed ones), nested and layout tables,
every encoding a Chinese government page comes in, and quick refusals of garbage."""

from __future__ import annotations

import codecs
import random

import pytest

pytest.importorskip("lxml")

from gongkai.document import Document, Table
from gongkai.errors import ParseError
from gongkai.readers import read
from gongkai.readers.html import build_grid, decode_html, normalise, read_html


def page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def grid(table: Table) -> list[list[str]]:
    """Texts of a table, ``~`` where a merged cell covers the position."""
    return [["~" if c.merged else c.text for c in row.cells] for row in table.rows]


def paragraphs(document: Document) -> list[str]:
    return [row.cells[0].text for row in document.rows if row.table is None]


def check_locators(document: Document) -> None:
    """Every row's cells carry the row's running index; table cells know where they are."""
    for line, row in enumerate(document.rows, start=1):
        assert all(cell.line == line for cell in row.cells)
    for table in document.tables:
        assert table.exact
        widths = {len(row.cells) for row in table.rows}
        assert len(widths) == 1, "a grid has the same number of cells in every row"
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                assert (cell.table, cell.row, cell.column) == (table.index, r, c)


# ------------------------------------------------------------------------------- grids

def test_rowspan_and_colspan_are_expanded():
    html = page("""<table>
      <tr><td rowspan="3" colspan="2">（本列数据的勾稽关系为）</td><td colspan="3">申请人情况</td></tr>
      <tr><td rowspan="2">自然人</td><td colspan="2">法人或其他组织</td></tr>
      <tr><td>商业企业</td><td>科研机构</td></tr>
      <tr><td>一、</td><td>本年新收</td><td>1</td><td>&nbsp;</td><td> 3 </td></tr>
    </table>""")
    document = read_html(html, "t.html")
    assert len(document.tables) == 1
    assert grid(document.tables[0]) == [
        ["（本列数据的勾稽关系为）", "~", "申请人情况", "~", "~"],
        ["~", "~", "自然人", "法人或其他组织", "~"],
        ["~", "~", "~", "商业企业", "科研机构"],
        ["一、", "本年新收", "1", "", "3"],
    ]
    check_locators(document)


def test_cell_text_is_whitespace_normalised_and_nbsp_cells_are_blank():
    html = page("<table><tr><td>&nbsp;</td><td>\u3000\u3000</td><td>本年新<br>制作数量</td>"
                "<td><p>三、 本 年</p>\n<p>度</p></td><td>\u200b</td></tr></table>")
    cells = read_html(html, "t.html").tables[0].rows[0].cells
    assert [c.text for c in cells] == ["", "", "本年新 制作数量", "三、 本 年 度", ""]
    assert not any(c.merged for c in cells)


@pytest.mark.parametrize(("first_cell", "expected"), [
    ('<td colspan="abc">x</td>', [["x", "a"], ["y", "b"]]),       # junk → 1
    ('<td colspan="0">x</td>', [["x", "a"], ["y", "b"]]),         # zero → 1, as browsers do
    ('<td colspan="-3">x</td>', [["x", "a"], ["y", "b"]]),
    ('<td colspan="2px">x</td>', [["x", "~", "a"], ["y", "b", ""]]),  # leading digits count
    ('<td colspan="99999">x</td>', [["x", "~", "a"], ["y", "b", ""]]),  # empty columns dropped
    ('<td rowspan="0">x</td>', [["x", "a"], ["~", "y"]]),         # to the end of the table
    ('<td rowspan="1000000000">x</td>', [["x", "a"], ["~", "y"]]),  # clamped to the rows there are
    ('<td rowspan="two">x</td>', [["x", "a"], ["y", "b"]]),
], ids=["junk", "zero", "negative", "unit", "huge-colspan", "rowspan-zero", "huge-rowspan",
        "junk-rowspan"])
def test_malformed_spans_are_clamped(first_cell, expected):
    spans_down = "rowspan" in first_cell and "two" not in first_cell
    second_row = "<td>y</td>" if spans_down else "<td>y</td><td>b</td>"
    html = page(f"<table><tr>{first_cell}<td>a</td></tr><tr>{second_row}</tr></table>")
    document = read_html(html, "t.html")
    assert grid(document.tables[0]) == expected
    check_locators(document)


def test_short_rows_are_padded_and_overlaps_do_not_crash():
    html = page("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr>"
                "<tr><td rowspan=2>e</td><td colspan=3>f</td></tr><tr><td colspan=2>g</td></tr></table>")
    document = read_html(html, "t.html")
    rows = grid(document.tables[0])
    assert rows[0][:3] == ["a", "b", "c"] and rows[1][0] == "d" and rows[1][1:3] == ["", ""]
    assert rows[2][0] == "e" and rows[3][0] == "~" and rows[3][1] == "g"
    check_locators(document)


def test_build_grid_drops_columns_no_cell_starts_in():
    from gongkai.readers.html import Span

    cells = build_grid([Span(0, 0, 1, 500, "cap"), Span(1, 0, 1, 2, "a"), Span(1, 2, 1, 499, "b"),
                        Span(2, 0, 1, 1, "c")], 3, first_line=7, name="t")
    assert [[c.text for c in row] for row in cells] == [["cap", ""], ["a", "b"], ["c", ""]]
    assert [[c.merged for c in row] for row in cells] == [[False, True], [False, False],
                                                          [False, False]]
    assert cells[1][1].line == 8


# ------------------------------------------------------------------------------- nesting, chrome

def test_nested_table_is_its_own_table_and_not_repeated_in_the_outer_cell():
    html = page("""<table><tr><td>外</td><td>前<table><tr><td>内1</td><td>内2</td></tr></table>后</td></tr>
                   <tr><td>x</td><td>y</td></tr></table><p>尾</p>""")
    document = read_html(html, "t.html")
    assert [grid(t) for t in document.tables] == [[["外", "前 后"], ["x", "y"]], [["内1", "内2"]]]
    assert "内1" not in " ".join(document.lines[:2])
    assert paragraphs(document) == ["尾"]
    check_locators(document)


def test_layout_table_wrapping_the_report_is_read_as_paragraphs_and_tables():
    prose = "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，" * 10
    html = page(f"""<table width="1000"><tr><td>网站首页</td><td>政务公开</td></tr>
        <tr><td colspan="2"><h1>某镇2023年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>{prose}</p>
        <p>二、主动公开政府信息情况</p>
        <table><tr><td colspan="2">第二十条第（一）项</td></tr><tr><td>规章</td><td>0</td></tr></table>
        <p>三、收到和处理政府信息公开申请情况</p></td></tr></table>""")
    document = read_html(html, "t.html")
    assert paragraphs(document)[:4] == ["网站首页", "政务公开", "某镇2023年政府信息公开工作年度报告",
                                        "一、总体情况"]
    assert len(document.tables) == 1
    assert grid(document.tables[0]) == [["第二十条第（一）项", "~"], ["规章", "0"]]
    # reading order: the table sits between the headings of sections 二 and 三
    lines = document.lines
    assert lines.index("二、主动公开政府信息情况") < document.tables[0].rows[0].line - 1
    assert lines.index("三、收到和处理政府信息公开申请情况") == len(lines) - 1
    check_locators(document)


def test_chrome_is_kept_scripts_styles_nav_and_hidden_text_dropped():
    html = page("""<nav>首页 | 机构概况</nav><div class="crumb">当前位置：首页 &gt; 政务公开</div>
        <script>document.write("脚本")</script><style>.x{color:red}</style><noscript>请启用</noscript>
        <div style="display: none">隐藏</div><!-- 注释 -->
        <p>发布日期：2024-01-19<br/>来源：本网</p><pre>第一行
第二行</pre><div>备案编号：粤ICP备05079694号</div>""",
                head='<meta charset="utf-8"><title>某镇2023年度报告_某镇人民政府</title>')
    document = read_html(html, "t.html")
    assert paragraphs(document) == ["某镇2023年度报告_某镇人民政府", "当前位置：首页 > 政务公开",
                                    "发布日期：2024-01-19", "来源：本网", "第一行", "第二行",
                                    "备案编号：粤ICP备05079694号"]
    check_locators(document)


def test_caption_thead_tbody_tfoot():
    html = page("<table><caption>表一</caption><thead><tr><th>a</th><th>b</th></tr></thead>"
                "<tbody><tr><td>1</td><td>2</td></tr></tbody><tfoot><tr><td colspan=2>注</td></tr></tfoot>"
                "</table>")
    document = read_html(html, "t.html")
    assert paragraphs(document) == ["表一"]
    assert grid(document.tables[0]) == [["a", "b"], ["1", "2"], ["注", "~"]]


# ------------------------------------------------------------------------------- encodings

GBK_ONLY = "堃喆镕"  # in GBK but not in GB2312: what pages that declare gb2312 really contain


@pytest.mark.parametrize("head", [
    '<meta charset="gb2312">',
    '<meta http-equiv="Content-Type" content="text/html; charset=GB2312">',
    '<meta http-equiv="content-type" content="text/html;charset=gbk" />',
    "",  # undeclared: detected
], ids=["meta-charset", "http-equiv", "http-equiv-gbk", "undeclared"])
def test_gbk_pages(head):
    text = (f"<html><head>{head}</head><body><p>{GBK_ONLY}镇人民政府</p>"
            "<table><tr><td>规章</td></tr></table></body></html>")
    document = read_html(text.encode("gbk"), "gbk.html")
    assert document.encoding == "gb18030"
    assert paragraphs(document) == [f"{GBK_ONLY}镇人民政府"]
    assert document.tables[0].rows[0].cells[0].text == "规章"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "gb18030"])
def test_bom_and_other_encodings(encoding):
    text = "<html><head><meta charset='utf-8'></head><body><p>政府信息公开</p></body></html>"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    if encoding == "gb18030":  # declared wrongly: detected, with a warning
        document = read_html(data, "x.html")
        assert document.warnings and "detected" in document.warnings[0]
    else:
        document = read_html(data, "x.html")
    assert paragraphs(document) == ["政府信息公开"]


def test_a_meta_charset_cannot_re_decode_the_page():
    # declared gb2312 but actually UTF-8: decoded as UTF-8, not garbled by the declaration
    data = '<html><head><meta charset="gb2312"></head><body><p>总体情况</p></body></html>'.encode()
    document = read_html(data, "x.html")
    assert paragraphs(document) == ["总体情况"]
    assert decode_html(b'<?xml version="1.0" encoding="GBK"?><p>' + "表".encode("gbk"))[1] == "gb18030"


def test_dispatch_by_content():
    document = read(page("<p>一、总体情况</p>"), name="report.pdf")
    assert document.media_type == "text/html" and paragraphs(document) == ["一、总体情况"]


# ------------------------------------------------------------------------------- refusals

def _random_bytes(n: int) -> bytes:
    return random.Random(7).randbytes(n)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"  \n ", "empty"),
    (b"%PDF-1.7\n%...", "PDF"),
    (b"PK\x03\x04" + bytes(100), "zip"),
    (_random_bytes(20000), "binary"),
    (b"<html>\x00\x01\x02\x03" * 500, "binary"),
    (b"<html><body></body></html>", "no text"),
], ids=["empty", "blank", "pdf", "zip", "random", "nul", "no-text"])
def test_garbage_is_refused(data, reason):
    with pytest.raises(ParseError) as error:
        read_html(data, "bad.html")
    assert str(error.value).startswith("bad.html: ") and reason in error.value.reason


@pytest.mark.parametrize("tag", ["div", "table", "span", "b"])
def test_100k_nested_tags_fail_fast(tag):
    data = page(f"<{tag}>x" * 100_000 + f"</{tag}>" * 100_000)  # how fast: bench/limits.py
    with pytest.raises(ParseError, match="nested too deeply"):
        read_html(data, "deep.html")


def test_100k_unclosed_cells_are_flat_and_quick():
    # the parser closes each <td> at the next one: no depth, just many short paragraphs
    document = read_html(page("<td>x" * 100_000 + "</td>" * 100_000), "flat.html")
    assert len(document.rows) == 100_000  # how quickly: bench/limits.py


def test_giant_tables_are_refused_quickly():
    rows = "<tr><td colspan=1000>x</td><td>y</td></tr>" * 3000
    with pytest.raises(ParseError, match="too large"):  # how quickly: bench/limits.py
        read_html(page(f"<table>{rows}</table>"), "big.html")


def test_moderately_deep_pages_still_read():
    document = read_html(page("<div>" * 200 + "<p>深</p>" + "</div>" * 200), "ok.html")
    assert paragraphs(document) == ["深"]


def test_normalise():
    assert normalise(" a\u3000\xa0b\n\tc\u200b ") == "a b c"
