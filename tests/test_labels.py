"""Label variants of template.md §6 map to their keys; prose never does."""

from __future__ import annotations

import pytest

from gongkai.document import Cell
from gongkai.extract.labels import INDEX, normalize, section_heading
from gongkai.extract.lexer import lex_cell


def keys(text: str) -> list[tuple[str, str]]:
    tokens = lex_cell(Cell(text, 1))
    return [(h.label.kind, h.label.key) for t in tokens if t.kind == "labels" for h in t.hits]


@pytest.mark.parametrize(("text", "expected"), [
    ("（二）部分公开（区分处理的，只计这一情形，", ("t3_row", "partly_granted")),  # truncated (001)
    ("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", ("t3_row", "partly_granted")),  # 004
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", ("t3_row", "partly_granted")),  # 002
    ("3. 危及“三安全一稳定”", ("t3_row", "denied_security_stability")),
    ('3.危及"三安全一稳定"', ("t3_row", "denied_security_stability")),
    ("3.危及三安全一稳定", ("t3_row", "denied_security_stability")),
    ("5.要求行政机关确认或重新", ("t3_row", "unprocessed_confirmation")),  # truncated (001)
    ("1.申请人无正当理由逾期不", ("t3_row", "other_no_correction")),
    ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请", ("t3_row", "other_no_correction")),
    ("2. 申请人逾期未按收费通知要求 缴纳费用、…", ("t3_row", "other_unpaid_fee")),
    ("2.其他法律行政止公开", ("t3_row", "denied_prohibited_by_law")),  # misprint (hongze)
    ("(七) 总计", ("t3_row", "total")),
    ("（三）不予公开", ("t3_group", "denied")),
    ("(三) 不予公 开", ("t3_group", "denied")),
    ("三、本 年 度 办 理 结 果", ("t3_group", "results")),
    ("本年度止件数", ("t2_column", "repealed")),  # misread 废 → 度 (000)
    ("对外公开总数", ("t2_column", "total_published")),  # truncated (003)
    ("本年新 制作数量", ("t2_column", "new_made")),
    ("本年收费金额(单位:万元)", ("t2_column", "amount_wan_yuan")),
    ("第二十条  第(一)项", ("caption", "0")),
    ("社会公益", ("t3_header", "social_welfare")),
    ("（本列数据的勾稽关系为：第一项加第二项之和， 等于第三项加第四项之和）", ("t3_note", "note")),
    ("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", ("t3_note", "note")),
    ("一、本年新收政府信息公开申请数量", ("t3_row", "new_received")),
    ("四、结转下年度继续办理", ("t3_row", "carried_forward")),
    ("未经复议直接起诉", ("t4_header", "litigation_direct")),
])
def test_variant_maps_to_key(text, expected):
    assert expected in keys(text)


@pytest.mark.parametrize("text", [
    "行政许可和行政处罚信息公开",  # the words of table 2 inside a sentence
    "全年未收到政府信息公开申请，无信息公开举报、诉讼情形。",
    "认真办理人大代表建议18件、政协提案16件",
    "申请人",  # too short to be a truncated label
    "本年新",
])
def test_prose_is_not_a_label(text):
    assert keys(text) == []


def test_item_marker_is_not_a_value():
    tokens = lex_cell(Cell("1. 属于国家秘密", 1))
    assert [t.kind for t in tokens] == ["labels"]


def test_marker_glued_to_run_together_digits_is_cut_off():
    tokens = lex_cell(Cell("00000002.其他法律行政法规禁止公开0000000", 1))
    assert [(t.kind, t.raw) for t in tokens] == [
        ("num", "0000000"), ("labels", ".其他法律行政法规禁止公开"), ("num", "0000000")]


def test_values_with_units_notes_signs_and_page_numbers():
    def one(text):
        (token,) = lex_cell(Cell(text, 1))
        return token.value, token.unit, token.note

    assert one("1596496.16元") == (1596496.16, "元", None)
    assert one("37964.59万元") == (37964.59, "万元", None)
    assert one("22（其中修订16件）") == (22, None, "（其中修订16件）")
    assert one("+8")[0] == 8 and one("－3")[0] == -3
    assert one("０") == (0, None, None)  # full-width digit
    assert lex_cell(Cell("- 4 -", 1)) == []  # a page footer is not a value
    assert [t.kind for t in lex_cell(Cell("/", 1))] == ["blank"]
    assert [t.kind for t in lex_cell(Cell("无", 1))] == ["blank"]


@pytest.mark.parametrize(("text", "key"), [
    ("### 一、总体情况", "overview"),
    ("  二、主动公开政府信息情况", "active_disclosure"),
    ("三、行政机关收到和处理政府信息公开申请情况", "applications"),
    ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
    ("#### 五、存在问题及改进情况", "problems"),
    ("五、政府信息公开工作存在的主要问题及改进情况", "problems"),
    ("六、其他需要报告的事项", "other_matters"),
])
def test_section_headings(text, key):
    assert section_heading(text) == key


def test_table3_row_is_not_a_heading():
    assert section_heading("四、结转下年度继续办理") is None


@pytest.mark.parametrize(("text", "key"), [
    ("五、存在的主要问题及？7进情况", "problems"),  # OCR: 改 read as ？7
    ("二、主动公开政府信自情况", "active_disclosure"),
])
def test_a_heading_with_a_misread_character_is_still_a_heading(text, key):
    assert section_heading(text) == key


@pytest.mark.parametrize("text", ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                                  "三、本年度办理结果", "四、结转下年度继续办理", "五、存在问题7"])
def test_table_rows_and_short_garbles_are_not_headings(text):
    assert section_heading(text) is None


@pytest.mark.parametrize(("text", "key"), [("四 结转下年度继续办理", "carried_forward"),
                                           ("一本年新收政府信息公开申请数量", "new_received")])
def test_a_row_marker_without_its_comma_still_names_the_row(text, key):
    [token] = lex_cell(Cell(text, 1))
    assert token.kind == "labels" and [h.label.key for h in token.hits] == [key]


def test_normalize_drops_space_nbsp_quotes_and_widths():
    assert normalize("（三）\u00a0不予公\u3000开 “x”") == "(三)不予公开x"
    assert INDEX.segment(normalize("三、本年度办理结果(一)予以公开")) is not None
