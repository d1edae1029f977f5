"""The PDF reader (text layer): the three real WPS reports against their hand-read truth, PDFs
made here with known geometry, PDFs made by LibreOffice, and bad input."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from conftest import require_tool
from corpus import OFFICIAL_2021_DOCX, REAL
from gongkai.document import Document, Row, Table
from gongkai.errors import ParseError
from gongkai.readers.ocr import available as ocr_available
from gongkai.readers.pdf import OCR_NEEDED, read_pdf
from pdf_fixtures import Page, build_pdf

REPORTS = ["huaian-city-2024", "hongze-2023", "hongze-2024"]
HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]
# Table-3 row key -> what its label cells contain (substring after normalising, or a pattern).
T3_LABELS: dict[str, str | re.Pattern[str]] = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "granted": "予以公开",
    "partly_granted": "部分公开",
    "denied_state_secret": "属于国家秘密",
    "denied_prohibited_by_law": "其他法律行政",  # hongze misprints it '其他法律行政止公开'
    "denied_security_stability": "三安全一稳定",
    "denied_third_party": "保护第三方",
    "denied_internal_affairs": "内部事务",
    "denied_process_info": "过程性信息",
    "denied_enforcement_file": "行政执法案卷",
    "denied_inquiry": "行政查询",
    "unable_not_held": "不掌握",
    "unable_needs_creation": "另行制作",
    "unable_unclear": "仍不明确",
    "unprocessed_complaint": "信访举报",
    "unprocessed_repeated": "重复申请",
    "unprocessed_publication": "公开出版物",
    "unprocessed_excessive": "大量反复",
    "unprocessed_confirmation": "重新出具",
    "other_no_correction": "逾期不补正",
    "other_unpaid_fee": "收费通知",
    "other_other": re.compile(r"3[.、]其他$"),
    "other": re.compile(r"\(六\)其他处理$"),  # the 2019-style single row
    "total": "(七)总计",
    "carried_forward": "结转下年度",
}
T2_LABELS = {
    "rules": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "punishment": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
}


def norm(text: str) -> str:
    """NFKC without whitespace: how labels are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def real(name: str) -> Document:
    path = REAL / f"{name}.pdf"
    if not path.exists():
        pytest.skip(f"{path} not available")
    return read_pdf(path.read_bytes(), path.name)


def truth(name: str) -> dict:
    return json.loads((REAL / f"{name}.truth.json").read_text(encoding="utf-8"))


def paragraphs(doc: Document) -> list[str]:
    return [row.cells[0].text for row in doc.rows if row.table is None]


def tables_with(doc: Document, text: str) -> list[Table]:
    return [t for t in doc.tables if t.exact and any(text in norm(c.text) for r in t.rows for c in r.cells)]


def row_values(tables: list[Table], label: str | re.Pattern[str], n_values: int) -> list[str]:
    """The value cells of the one row, in an exact grid, whose label cells (all but the last
    ``n_values``, merged positions skipped) carry ``label``."""
    found: list[Row] = []
    for table in tables:
        for row in table.rows:
            head = norm("".join(c.text for c in row.cells[: len(row.cells) - n_values] if not c.merged))
            if label.search(head) if isinstance(label, re.Pattern) else label in head:
                found.append(row)
    assert len(found) == 1, f"{label!r}: {len(found)} rows match"
    values = found[0].cells[-n_values:]
    assert not any(c.merged for c in values), f"{label!r}: a value position is covered by a merged cell"
    return [c.text.strip() for c in values]


def as_text(value: float | int) -> str:
    return str(value)


# --------------------------------------------------------------------------------------------
# The real reports


@pytest.mark.parametrize("name", REPORTS)
def test_real_table3_every_cell_in_its_labelled_row(name: str) -> None:
    doc = real(name)
    tables = tables_with(doc, "申请人情况")
    assert tables, "table 3 not found"
    checked = 0
    for key, values in truth(name)["applications"].items():
        if all(v is None for v in values):
            continue  # rows the report does not print
        got = row_values(tables, T3_LABELS[key], 7)
        assert got == [as_text(v) for v in values], key
        checked += 1
    assert checked >= 23


@pytest.mark.parametrize("name", REPORTS)
def test_real_table4_data_row(name: str) -> None:
    doc = real(name)
    [table] = tables_with(doc, "行政复议")
    data = table.rows[-1].cells
    rl = truth(name)["review_litigation"]
    expected = rl["review"] + rl["litigation_direct"] + rl["litigation_after_review"]
    assert len(data) == 15
    assert not any(c.merged for c in data)
    assert [c.text for c in data] == [as_text(v) for v in expected]


@pytest.mark.parametrize("name", REPORTS)
def test_real_table2_values_after_row_label(name: str) -> None:
    doc = real(name)
    tables = tables_with(doc, "信息内容")
    assert tables
    for key, cells in truth(name)["active_disclosure"].items():
        label = T2_LABELS[key]
        found = [
            row
            for t in tables
            for row in t.rows
            if not row.cells[0].merged and norm(row.cells[0].text) == label
        ]
        assert len(found) == 1, key
        values = [c.text for c in found[0].cells[1:] if not c.merged]
        assert [float(v) for v in values] == [float(v) for v in cells.values()], key
        assert values == [as_text(v) for v in cells.values()], key


@pytest.mark.parametrize("name", REPORTS)
def test_real_title_and_headings_are_paragraphs_in_order(name: str) -> None:
    doc = real(name)
    paras = paragraphs(doc)
    info = truth(name)
    assert paras[0] == info["agency"]
    assert norm(paras[1]) == f"{info['year']}年政府信息公开工作年度报告"
    positions = [paras.index(h) for h in HEADINGS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", REPORTS)
def test_real_tables_sit_under_their_section(name: str) -> None:
    doc = real(name)
    order: list[str] = []
    for row in doc.rows:
        text = row.cells[0].text
        if row.table is None and text in HEADINGS:
            order.append(text[0])
        elif row.table is not None and order and order[-1] != f"T{row.table}":
            order.append(f"T{row.table}")
    sections = "".join(o if len(o) == 1 else "|" for o in order)
    assert re.fullmatch(r"一二\|+三\|四\|五六", sections), order


def test_real_title_as_printed() -> None:
    assert paragraphs(real("hongze-2024"))[:2] == ["淮安市洪泽区人民政府", "2024 年政府信息公开工作年度报告"]


def test_real_narrative_sentence_across_lines() -> None:
    # Printed over two lines (…受理政府 / 信息公开申请 17 件…): one paragraph holds it.
    assert any("受理政府信息公开申请 17 件" in p for p in paragraphs(real("hongze-2024")))


@pytest.mark.parametrize("name", REPORTS)
def test_real_no_page_numbers_and_no_scattered_labels(name: str) -> None:
    doc = real(name)
    for row in doc.rows:
        for cell in row.cells:
            assert not re.search(r"-\s*\d+\s*-", cell.text), cell.text
    for text in paragraphs(doc):
        # pieces of the vertical label 三、本年度办理结果 must stay in its cell
        assert norm(text) not in norm("三、本年度办理结果"), text
    assert norm("三、本年度办理结果") in [
        norm(c.text) for t in tables_with(doc, "申请人情况") for r in t.rows for c in r.cells
    ]


@pytest.mark.parametrize("name", REPORTS)
def test_real_table3_is_one_grid_across_the_page_break(name: str) -> None:
    doc = real(name)
    [table] = tables_with(doc, "申请人情况")
    assert {len(row.cells) for row in table.rows} == {10}
    pages = {c.page for row in table.rows for c in row.cells}
    assert len(pages) == 2
    labels = [norm("".join(c.text for c in row.cells[:3])) for row in table.rows]
    assert labels[3].startswith("一、本年新收") and labels[-1].startswith("四、结转下年度")
    # the group label cut by the page break is one merged cell
    assert sum("(四)无法提供" in label for label in labels) == 1


@pytest.mark.parametrize("name", REPORTS)
def test_real_cells_carry_page_and_bbox(name: str) -> None:
    doc = real(name)
    lines = [row.line for row in doc.rows]
    assert lines == list(range(1, len(lines) + 1))
    for table in doc.tables:
        assert table.exact and table.page is not None
        widths = {len(row.cells) for row in table.rows}
        assert len(widths) == 1, "grid rows must have the same number of cells"
        for row in table.rows:
            for cell in row.cells:
                assert cell.page is not None and cell.bbox is not None
                x0, top, x1, bottom = cell.bbox
                assert 0 <= x0 < x1 <= 595.5 and 0 <= top < bottom <= 842.5
                if cell.merged:
                    assert cell.text == ""
    for row in doc.rows:
        if row.table is None:
            assert row.cells[0].page is not None


# --------------------------------------------------------------------------------------------
# Made-up PDFs with known geometry


def grid(doc: Document, index: int = 0) -> list[list[str]]:
    return [["~" if c.merged else c.text for c in row.cells] for row in doc.tables[index].rows]


def test_merged_cells_expand_to_full_grid() -> None:
    page = Page().table(
        72,
        100,
        [120, 80, 80, 80],
        [20, 20, 20, 20, 20],
        {
            (0, 0): "第二十条第（一）项",
            (1, 0): "信息内容",
            (1, 1): "本年制发件数",
            (1, 2): "本年废止件数",
            (1, 3): "现行有效件数",
            (2, 0): "规章",
            (2, 1): "1",
            (2, 2): "0",
            (2, 3): "11",
            (3, 0): "行政许可",
            (3, 1): "447228",
            (4, 1): "8",
            (4, 2): "26",
            (4, 3): "66",
        },
        merges=((0, 0, 1, 4), (3, 1, 4, 4), (3, 0, 5, 1)),
    )
    doc = read_pdf(build_pdf([page]), "t.pdf")
    assert doc.media_type == "application/pdf" and doc.pages == 1 and doc.name == "t.pdf"
    assert grid(doc) == [
        ["第二十条第（一）项", "~", "~", "~"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政许可", "447228", "~", "~"],
        ["~", "8", "26", "66"],
    ]
    table = doc.tables[0]
    assert table.exact and table.page == 1
    origin = table.rows[3].cells[1]
    assert origin.bbox == pytest.approx((192, 160, 432, 180), abs=0.6)
    covered = table.rows[3].cells[2]
    assert covered.merged and covered.bbox == pytest.approx((272, 160, 352, 180), abs=0.6)
    assert (origin.table, origin.row, origin.column, origin.page) == (0, 3, 1, 1)


def test_thin_filled_rectangles_are_rulings() -> None:
    page = Page().table(
        72,
        100,
        [100, 60],
        [20, 20],
        {(0, 0): "行政处罚", (0, 1): "2776", (1, 0): "行政强制", (1, 1): "84"},
        thin_rects=True,
    )
    assert grid(read_pdf(build_pdf([page]), "t.pdf")) == [["行政处罚", "2776"], ["行政强制", "84"]]


def test_white_backgrounds_are_not_tables() -> None:
    # WPS paints a white rectangle behind every line of body text.
    page = Page()
    for k in range(4):
        page.fill_rect(72, 100 + 28 * k, 520, 128 + 28 * k, gray=1.0)
        page.text(72, 106 + 28 * k, "本报告由区人民政府办公室编制，统计期限自一月一日起至十二月止。", 14)
    doc = read_pdf(build_pdf([page]), "t.pdf")
    assert doc.tables == []
    assert len(paragraphs(doc)) >= 1


def test_multiline_cells_join_cjk_without_space_and_ascii_with_space() -> None:
    page = Page().table(
        72,
        100,
        [260, 100],
        [40, 40],
        {
            (0, 0): ["（本列数据的勾稽关系为：第一项加第二项之和，等", "于第三项加第四项之和）"],
            (0, 1): ["Annual", "Report 2024"],
            (1, 0): ["1.申请人无正当理由逾期不补", "正、行政机关不再处理"],
            (1, 1): ["3985", "758"],
        },
    )
    assert grid(read_pdf(build_pdf([page]), "t.pdf")) == [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "Annual Report 2024"],
        ["1.申请人无正当理由逾期不补正、行政机关不再处理", "3985758"],
    ]


def test_rotated_and_stacked_labels_stay_in_their_cell() -> None:
    label = "三、本年度办理结果"
    texts: dict[tuple[int, int], str | list[str]] = {}
    for r in range(6):
        texts[(r, 1)] = f"（{'一二三四五六'[r]}）项目"
        texts[(r, 2)] = str(r)
    page = Page().table(
        72, 100, [30, 150, 60], [22] * 6, texts, merges=((0, 0, 6, 1),), rotated={(0, 0): label}
    )
    stacked = Page().table(
        72, 100, [30, 150, 60], [22] * 6, {**texts, (0, 0): list(label)}, merges=((0, 0, 6, 1),), size=10
    )
    for built in (page, stacked):
        doc = read_pdf(build_pdf([built]), "t.pdf")
        rows = grid(doc)
        assert rows[0] == [label, "（一）项目", "0"]
        assert [r[0] for r in rows[1:]] == ["~"] * 5
        assert [r[2] for r in rows] == ["0", "1", "2", "3", "4", "5"]
        assert paragraphs(doc) == []


def test_rotated_page_reads_upright() -> None:
    def page(rotate: int) -> Page:
        p = Page(width=842, height=595, rotate=rotate)
        p.text(300, 60, "表格标题", 16)
        p.table(
            72,
            100,
            [200, 80, 80],
            [20, 20],
            {
                (0, 0): "一、本年新收政府信息公开申请数量",
                (0, 1): "95",
                (0, 2): "0",
                (1, 0): "四、结转下年度继续办理",
                (1, 1): "3",
                (1, 2): "1",
            },
        )
        return p

    upright = read_pdf(build_pdf([page(0)]), "t.pdf")
    for rotate in (90, 270):
        doc = read_pdf(build_pdf([page(rotate)]), "t.pdf")
        assert grid(doc) == grid(upright)
        assert paragraphs(doc) == paragraphs(upright) == ["表格标题"]
        bbox = doc.tables[0].rows[0].cells[0].bbox
        assert bbox is not None and bbox == pytest.approx(upright.tables[0].rows[0].cells[0].bbox, abs=0.6)


def test_paragraphs_headings_and_page_furniture() -> None:
    body = "本行政机关认真贯彻落实政府信息公开条例，持续推进政务公开工作，" * 3
    pages = []
    for number in (1, 2, 3):
        p = Page()
        p.text(200, 30, "某某区人民政府办公室", 10)  # running header
        p.text(280, 800, f"- {number} -", 10)
        if number == 1:
            p.text(230, 80, "某某区人民政府", 20)
            p.text(150, 110, "2024 年政府信息公开工作年度报告", 20)
            p.text(118, 160, "一、总体情况", 14)
            top = p.paragraph(190, body)
            top = p.paragraph(top, "第二段。")
            # a paragraph running on to the next page: its last line here is full
            p.paragraph(top, "本段跨页" + "甲" * 54)
        elif number == 2:
            p.text(90, 80, "乙" * 30, 14)  # continues page 1's last paragraph
            p.text(90, 105.2, "结束。", 14)
            p.text(118, 160, "二、主动公开政府信息情况", 14)
            p.text(500, 780, "第 2 页", 10)
        else:
            p.text(118, 160, "六、其他需要报告的事项", 14)
            p.text(118, 190, "无。", 14)
        pages.append(p)
    doc = read_pdf(build_pdf(pages), "t.pdf")
    assert paragraphs(doc) == [
        "某某区人民政府",
        "2024 年政府信息公开工作年度报告",
        "一、总体情况",
        body,
        "第二段。",
        "本段跨页" + "甲" * 54 + "乙" * 30 + "结束。",
        "二、主动公开政府信息情况",
        "六、其他需要报告的事项",
        "无。",
    ]
    assert [row.cells[0].page for row in doc.rows] == [1, 1, 1, 1, 1, 1, 2, 3, 3]
    assert [row.line for row in doc.rows] == list(range(1, 10))


def test_indent_made_of_ideographic_spaces_starts_a_paragraph() -> None:
    page = Page()
    page.text(90, 100, "　　" + "甲" * 28, 14)
    page.text(90, 125.2, "乙" * 10, 14)
    page.text(90, 150.4, "　　" + "丙" * 28, 14)
    page.text(90, 175.6, "丁" * 30, 14)
    assert paragraphs(read_pdf(build_pdf([page]), "t.pdf")) == ["甲" * 28 + "乙" * 10, "丙" * 28 + "丁" * 30]


def _split_table_pages(*, columns_match: bool = True, repeat_header: bool = False) -> list[Page]:
    """Table 3 cut by a page break inside group （四）, WPS style (no border at the break)."""
    header = {(0, 0): "项目", (0, 1): "细项", (0, 2): "自然人", (0, 3): "总计"}
    one = Page()
    one.text(118, 500, "三、收到和处理政府信息公开申请情况", 14)
    one.table(
        72,
        560,
        [80, 190, 60, 60],
        [20, 20, 20, 34, 20],
        {
            **header,
            (1, 0): "（三）不予公开",
            (1, 1): "1.属于国家秘密",
            (1, 2): "0",
            (1, 3): "0",
            (2, 1): "2.其他法律行政法规禁止公开",
            (2, 2): "1",
            (2, 3): "1",
            # a row cut in two by the page break: the label's first line is full (it wraps)
            (3, 0): "（四）无",
            (3, 1): ["1.本机关不掌握相关政", "府信息需要另行制作的申请"],
            (4, 1): "（二）部分公开（区分处理的，只计这一情",
        },
        merges=((1, 0, 3, 1), (3, 0, 5, 1)),
        bottom_border=False,
    )
    one.text(280, 800, "- 3 -", 10)
    two = Page()
    widths = [80, 190, 60, 60] if columns_match else [100, 170, 60, 60]
    texts: dict[tuple[int, int], str | list[str]] = {
        (0, 0): "法提供",
        (0, 1): "形，不计其他情形）",
        (0, 2): "9",
        (0, 3): "9",
        (1, 1): "3.补正后申请内容仍不明确",
        (1, 2): "0",
        (1, 3): "0",
        (2, 0): "（五）不予处理",
        (2, 1): "1.信访举报投诉类申请",
        (2, 2): "2",
        (2, 3): "2",
    }
    rows = [20, 20, 20]
    merges: tuple[tuple[int, int, int, int], ...] = ((0, 0, 2, 1),)
    if repeat_header:
        texts = {(r + 1, c): v for (r, c), v in texts.items()} | header
        rows = [20, *rows]
        merges = ((1, 0, 3, 1),)
    two.table(72, 72, widths, rows, texts, merges=merges, top_border=False)
    two.text(118, 300, "四、政府信息公开行政复议、行政诉讼情况", 14)
    return [one, two]


def test_table_continued_on_next_page_is_joined_by_rows() -> None:
    doc = read_pdf(build_pdf(_split_table_pages()), "t.pdf")
    assert len(doc.tables) == 1
    assert grid(doc) == [
        ["项目", "细项", "自然人", "总计"],
        ["（三）不予公开", "1.属于国家秘密", "0", "0"],
        ["~", "2.其他法律行政法规禁止公开", "1", "1"],
        # the group label cut by the break is one cell again
        ["（四）无法提供", "1.本机关不掌握相关政府信息需要另行制作的申请", "", ""],
        # the row cut by the break is one row: no phantom row, values under their columns
        ["~", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "9", "9"],
        ["~", "3.补正后申请内容仍不明确", "0", "0"],
        ["（五）不予处理", "1.信访举报投诉类申请", "2", "2"],
    ]
    pages = [row.cells[1].page for row in doc.tables[0].rows]
    assert pages == [1, 1, 1, 1, 1, 2, 2]
    assert paragraphs(doc) == ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]


def test_repeated_header_row_on_continuation_is_dropped() -> None:
    doc = read_pdf(build_pdf(_split_table_pages(repeat_header=True)), "t.pdf")
    rows = grid(doc)
    assert len(doc.tables) == 1
    assert [r[0] for r in rows].count("项目") == 1
    assert rows[4] == ["~", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "9", "9"]


def test_continuation_with_other_columns_stays_separate_and_unshifted() -> None:
    doc = read_pdf(build_pdf(_split_table_pages(columns_match=False)), "t.pdf")
    assert len(doc.tables) == 2
    assert grid(doc, 1) == [
        ["法提供", "形，不计其他情形）", "9", "9"],
        ["~", "3.补正后申请内容仍不明确", "0", "0"],
        ["（五）不予处理", "1.信访举报投诉类申请", "2", "2"],
    ]
    assert doc.tables[1].page == 2


def test_table_without_bottom_border_keeps_its_last_row() -> None:
    page = Page().table(
        72,
        700,
        [150, 60],
        [20, 20],
        {(0, 0): "规章", (0, 1): "1", (1, 0): "行政规范性文件", (1, 1): "8"},
        bottom_border=False,
    )
    doc = read_pdf(build_pdf([page]), "t.pdf")
    assert grid(doc) == [["规章", "1"], ["行政规范性文件", "8"]]
    assert paragraphs(doc) == []


# --------------------------------------------------------------------------------------------
# Scanned pages and bad input


def test_all_pages_scanned_goes_to_ocr() -> None:
    # a scan is handed to OCR (tests/test_ocr.py reads real ones); these synthetic pages hold no
    # text at all, so OCR — or, without the [ocr] extra, the missing extra — says so by name
    with pytest.raises(ParseError) as info:
        read_pdf(build_pdf([Page().scanned(), Page().scanned()]), "scan.pdf")
    assert info.value.name == "scan.pdf"
    assert info.value.reason in ("OCR found no text on any page", OCR_NEEDED) or "gongkai[ocr]" in (
        info.value.reason)


def test_mixed_document_reads_text_pages_and_warns() -> None:
    # the "scanned" pages are a grey ramp with no text: OCR (when installed) finds none on them
    one = Page().text(90, 100, "第一页的文字。", 14)
    three = Page().text(90, 100, "第三页的文字。", 14)
    doc = read_pdf(build_pdf([one, Page().scanned(), three, Page().scanned()]), "mixed.pdf")
    assert paragraphs(doc) == ["第一页的文字。", "第三页的文字。"]
    assert [row.cells[0].page for row in doc.rows] == [1, 3]
    assert doc.warnings[0].startswith("pages 2, 4 have no text layer (scanned)")
    if ocr_available():
        assert "read by OCR" in doc.warnings[0] and doc.warnings[1] == "OCR found no text on page(s) 2, 4"
    else:
        assert "were not read" in doc.warnings[0] and "gongkai[ocr]" in doc.warnings[0]


def test_scan_with_a_text_page_number_is_still_a_scan() -> None:
    scan = Page().scanned().text(280, 800, "- 2 -", 10)
    text = Page().text(90, 100, "正文第一页。", 14)
    doc = read_pdf(build_pdf([text, scan]), "mixed.pdf")
    assert paragraphs(doc) == ["正文第一页。"]
    assert doc.warnings[0].startswith("page 2 has no text layer")
    with pytest.raises(ParseError, match="OCR"):
        read_pdf(build_pdf([scan, scan]), "scan.pdf")


def test_page_full_of_drawing_is_bounded() -> None:
    page = Page().text(90, 100, "附图", 14)
    for k in range(25_000):  # hatching: far more paths than any table
        x = 50 + (k % 500)
        page.line(x, 200 + k // 500, x + 0.8, 200 + k // 500)
    doc = read_pdf(build_pdf([page]), "map.pdf")  # how quickly: bench/limits.py
    assert paragraphs(doc) == ["附图"]
    assert any("tables not searched" in w for w in doc.warnings)


def test_blank_pdf_is_an_error() -> None:
    with pytest.raises(ParseError, match="no text"):
        read_pdf(build_pdf([Page()]), "blank.pdf")


def test_encrypted_pdf() -> None:
    data = build_pdf([Page().text(90, 100, "机密", 14)], encrypted=True)
    with pytest.raises(ParseError, match="password"):
        read_pdf(data, "locked.pdf")


def test_truncated_pdf() -> None:
    data = build_pdf([Page().text(90, 100, "正文", 14)] * 3)
    with pytest.raises(ParseError, match="truncated"):
        read_pdf(data[: len(data) // 2], "cut.pdf")
    path = REAL / "hongze-2024.pdf"
    if path.exists():
        whole = path.read_bytes()
        with pytest.raises(ParseError, match="truncated"):
            read_pdf(whole[: len(whole) * 2 // 3], "cut.pdf")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world" * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10,
        b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    ],
)
def test_garbage_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        read_pdf(data, "junk.pdf")
    assert str(info.value).startswith("junk.pdf: ")


def test_damaged_tail_never_escapes_as_another_exception() -> None:
    path = REAL / "huaian-city-2024.pdf"
    data = path.read_bytes() if path.exists() else build_pdf([Page().text(90, 100, "正文", 14)] * 3)
    for cut in (0.3, 0.6, 0.9):
        damaged = data[: int(len(data) * cut)] + b"\n%%EOF\n"
        with contextlib.suppress(ParseError):
            read_pdf(damaged, "damaged.pdf")


def test_huge_file_refused_quickly() -> None:
    data = bytes(200 * 1024 * 1024)
    with pytest.raises(ParseError, match="too large"):  # how quickly: bench/limits.py
        read_pdf(data, "big.pdf")


def test_too_many_pages_refused() -> None:
    with pytest.raises(ParseError, match="too many pages"):
        read_pdf(build_pdf([Page().text(90, 100, "页", 14)] * 3), "long.pdf", max_pages=2)


# --------------------------------------------------------------------------------------------
# PDFs made by LibreOffice from a DOCX (skipped without soffice / python-docx)


def soffice_to_pdf(source: Path, outdir: Path, options: str = "") -> bytes:
    """Convert a DOCX with LibreOffice (a private profile, so parallel runs do not collide);
    ``options`` are writer_pdf_Export filter options as JSON."""
    soffice = require_tool("soffice", "cjk-font")
    profile = (outdir / "profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            f"pdf:writer_pdf_Export:{options}" if options else "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (outdir / source.with_suffix(".pdf").name).read_bytes()


def shape(table: Table) -> list[str]:
    """One string per row: o = cell with text, . = empty cell, ~ = covered by a merged cell."""
    return ["".join("~" if c.merged else "o" if c.text else "." for c in row.cells) for row in table.rows]


def test_libreoffice_official_blank_form(tmp_path: Path) -> None:
    # The official 2021 form (tests/data/spec), all value cells empty: the grids README describes.
    source = OFFICIAL_2021_DOCX
    if not source.exists():
        pytest.skip(f"{source} not available")
    doc = read_pdf(soffice_to_pdf(source, tmp_path), "form.pdf")
    assert [h for h in HEADINGS if h in paragraphs(doc)] == HEADINGS
    t2, t3, t4 = doc.tables
    assert shape(t2) == ["o~~~", "oooo", "o...", "o...", "o~~~", "oo~~", "o.~~", "o~~~", "oo~~", "o.~~",
                         "o.~~", "o~~~", "oo~~", "o.~~"]  # fmt: skip
    assert shape(t3) == (
        ["o~~o~~~~~~", "~~~oo~~~~o", "~~~~ooooo~", "o~~.......", "o~~.......", "oo~.......", "~o~......."]
        + ["~oo......."] + ["~~o......."] * 7  # (三) 1-8
        + ["~oo......."] + ["~~o......."] * 2  # (四) 1-3
        + ["~oo......."] + ["~~o......."] * 4  # (五) 1-5
        + ["~oo......."] + ["~~o......."] * 2  # (六) 1-3
        + ["~o~.......", "o~~......."]  # (七), 四
    )  # fmt: skip
    assert shape(t4) == ["o~~~~o~~~~~~~~~", "oooooo~~~~o~~~~", "~~~~~oooooooooo", "." * 15]
    labels = [norm("".join(c.text for c in row.cells[:3])) for row in t3.rows]
    assert labels[-1] == "四、结转下年度继续办理" and labels[5] == "三、本年度办理结果(一)予以公开"


def test_libreoffice_passwords(tmp_path: Path) -> None:
    source = OFFICIAL_2021_DOCX
    if not source.exists():
        pytest.skip(f"{source} not available")
    (tmp_path / "open").mkdir()
    (tmp_path / "owner").mkdir()
    locked = soffice_to_pdf(
        source,
        tmp_path / "open",
        '{"EncryptFile":{"type":"boolean","value":"true"},'
        '"DocumentOpenPassword":{"type":"string","value":"secret"}}',
    )
    with pytest.raises(ParseError, match="password"):
        read_pdf(locked, "locked.pdf")
    # Restricting printing/copying (an owner password only) is common on government PDFs and
    # does not stop reading.
    restricted = soffice_to_pdf(
        source,
        tmp_path / "owner",
        '{"RestrictPermissions":{"type":"boolean","value":"true"},'
        '"PermissionPassword":{"type":"string","value":"owner"}}',
    )
    assert b"/Encrypt" in restricted
    assert len(read_pdf(restricted, "restricted.pdf").tables) == 3


@pytest.fixture(scope="module")
def libreoffice_pdf(tmp_path_factory: pytest.TempPathFactory) -> Document:
    docx = pytest.importorskip("docx", reason="python-docx not installed")
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tmp = tmp_path_factory.mktemp("lo")
    document = docx.Document()
    document.add_paragraph("某某区人民政府")
    document.add_paragraph("2024 年政府信息公开工作年度报告")
    document.add_paragraph("二、主动公开政府信息情况")

    t2 = document.add_table(rows=7, cols=4)
    t2.style = "Table Grid"
    t2.cell(0, 0).merge(t2.cell(0, 3)).text = "第二十条第（一）项"
    for c, text in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        t2.cell(1, c).text = text
    for c, text in enumerate(["规章", "1", "0", "11"]):
        t2.cell(2, c).text = text
    for c, text in enumerate(["行政规范性文件", "8", "26", "66"]):
        t2.cell(3, c).text = text
    t2.cell(4, 0).merge(t2.cell(4, 3)).text = "第二十条第（五）项"
    t2.cell(5, 0).text = "信息内容"
    t2.cell(5, 1).merge(t2.cell(5, 3)).text = "本年处理决定数量"
    t2.cell(6, 0).text = "行政许可"
    t2.cell(6, 1).merge(t2.cell(6, 3)).text = "447228"

    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    t3 = document.add_table(rows=4, cols=3)
    t3.style = "Table Grid"
    note = t3.cell(0, 0).merge(t3.cell(0, 1)).paragraphs[0]
    note.add_run("（本列数据的勾稽关系为：第一项加第二项之和，")
    note.add_run().add_break()
    note.add_run("等于第三项加第四项之和）")
    english = t3.cell(0, 2).paragraphs[0]
    english.add_run("Annual")
    english.add_run().add_break()
    english.add_run("Report")
    t3.cell(1, 0).merge(t3.cell(3, 0)).text = "三、本年度办理结果"
    for r, (label, value) in enumerate(
        [("（一）予以公开", "50"), ("（二）部分公开", "9"), ("（三）不予公开", "0")], start=1
    ):
        t3.cell(r, 1).text = label
        t3.cell(r, 2).text = value

    document.add_paragraph("附表")
    long = document.add_table(rows=61, cols=2)
    long.style = "Table Grid"
    long.cell(0, 0).text, long.cell(0, 1).text = "序号", "数量"
    header = long.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    for r in range(1, 61):
        long.cell(r, 0).text = f"第{r}行"
        long.cell(r, 1).text = str(r * 3)
    document.add_paragraph("六、其他需要报告的事项")

    source = tmp / "report.docx"
    document.save(str(source))
    return read_pdf(soffice_to_pdf(source, tmp), "report.pdf")


def test_libreoffice_table_with_merged_cells(libreoffice_pdf: Document) -> None:
    doc = libreoffice_pdf
    assert paragraphs(doc)[:3] == [
        "某某区人民政府",
        "2024 年政府信息公开工作年度报告",
        "二、主动公开政府信息情况",
    ]
    assert grid(doc, 0) == [
        ["第二十条第（一）项", "~", "~", "~"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"],
        ["第二十条第（五）项", "~", "~", "~"],
        ["信息内容", "本年处理决定数量", "~", "~"],
        ["行政许可", "447228", "~", "~"],
    ]
    assert grid(doc, 1) == [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "~", "Annual Report"],
        ["三、本年度办理结果", "（一）予以公开", "50"],
        ["~", "（二）部分公开", "9"],
        ["~", "（三）不予公开", "0"],
    ]


def test_libreoffice_long_table_across_pages(libreoffice_pdf: Document) -> None:
    doc = libreoffice_pdf
    [table] = tables_with(doc, "序号")
    # LibreOffice spaces Western digits from Chinese text ("第 1 行"): compare without spaces
    rows = [[norm(c.text) for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "数量"]
    assert rows[1:] == [[f"第{r}行", str(r * 3)] for r in range(1, 61)]
    assert len({c.page for row in table.rows for c in row.cells}) >= 2
    assert paragraphs(doc)[-1] == "六、其他需要报告的事项"
