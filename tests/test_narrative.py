"""The narrative as evidence (C-TEXT): sentence-level extraction, exclusions, comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus import CORPUS as SHARED
from gongkai.check import NarrativeFact, check, evaluate, narrative_facts, settle_value, text_results
from gongkai.report import CellValue, Report
from gongkai.template import TEMPLATE, TableShape

RECEIVED = "applications.new_received.total"
CARRIED = "applications.carried_over.total"
HANDLED = "applications.total.total"
REVIEW = "review_litigation.review.total"
DIRECT = "review_litigation.litigation_direct.total"
AFTER = "review_litigation.litigation_after_review.total"
NORMATIVE = "active_disclosure.normative_documents.in_force"
RULES = "active_disclosure.rules.in_force"


def report(text: str = "", *, year: int = 2024, section: str = "overview", line: int = 10,
           **values: float | CellValue | None) -> Report:
    """A 2021 report with ``text`` as one section and the given table totals (others 0).
    Keyword names are the module constants in lower case: received=95, review=2, …"""
    cells = {p: CellValue(0, "read", raw="0", line=200) for p in TEMPLATE.cell_paths(TableShape("2021"))}
    for name, value in values.items():
        path = globals()[name.upper()]
        cells[path] = value if isinstance(value, CellValue) else (
            CellValue(None, "blank") if value is None else CellValue(value, "read", raw=str(value), line=201))
    return Report(agency="某区人民政府", year=year, template="2021", cells=cells,
                  sections={section: text} if text else {}, section_lines={section: line} if text else {})


def facts(text: str, year: int = 2024) -> list[tuple[str, int]]:
    return [(f.quantity, f.value) for f in narrative_facts(report(text, year=year))]


def text_findings(text: str, **values: float | CellValue | None) -> list:
    return [f for f in check(report(text, **values)) if f.rule == "C-TEXT"]


# ------------------------------------------------------------------------------------ received
HONGZE_2024 = "2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。"


def test_hongze_2024_seventeen_received_against_ninety_five_in_table_3() -> None:
    [finding] = text_findings(HONGZE_2024, received=95, handled=95)
    assert finding.severity == "warning"
    assert f"「{HONGZE_2024.rstrip('。')}」" in finding.message
    assert "为 17" in finding.message and "为 95" in finding.message
    assert "表三「一、本年新收政府信息公开申请数量」「总计」" in finding.message
    assert "17" in finding.message_en and "95" in finding.message_en
    assert finding.cells == [RECEIVED]
    assert finding.values == {RECEIVED: 95}
    assert finding.evidence == HONGZE_2024.rstrip("。")
    assert finding.line == 11


def test_hongze_2024_sentence_agrees_with_a_table_of_seventeen() -> None:
    assert text_findings(HONGZE_2024, received=17, handled=17) == []
    [result] = text_results(report(HONGZE_2024, received=17, handled=17))
    assert result.status == "passed"


def test_hongze_2023_twenty_one_received() -> None:
    text = ("（二）依申请公开情况。进一步规范依申请公开流程，畅通\n"
            "依申请公开受理渠。2023 年全区受理政府信息公开申请 21 件，\n均在法定期限答复。")
    assert [(f.quantity, f.value) for f in narrative_facts(report(text, year=2023))] == [("received", 21)]
    assert [f for f in check(report(text, year=2023, received=21, handled=21)) if f.rule == "C-TEXT"] == []
    bad = [f for f in check(report(text, year=2023, received=30, handled=30)) if f.rule == "C-TEXT"]
    assert len(bad) == 1 and "21" in bad[0].message and "30" in bad[0].message


HUAIAN = ("2024 年，全市共受理政府信息公开申请 3119 件，答\n"
          "复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n"
          "答复），均在法定期限内予以答复。政府信息公开行政复议 351\n"
          "件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，尚\n"
          "未审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25\n"
          "件，结果纠正 5 件，其他结果 9 件，尚未审结 7 件。")


def test_huaian_2024_reads_received_review_and_litigation_only() -> None:
    assert facts(HUAIAN) == [("received", 3119), ("review_total", 351), ("litigation_total", 46)]


def test_huaian_2024_agrees_with_its_tables() -> None:
    tables = {"received": 3119, "carried": 34, "handled": 3050, "review": 351, "direct": 26, "after": 20}
    assert text_findings(HUAIAN, **tables) == []
    assert {r.status for r in text_results(report(HUAIAN, **tables))} == {"passed"}


def test_huaian_2024_contradicted_review_and_litigation() -> None:
    findings = text_findings(HUAIAN, received=3119, carried=34, handled=3050, review=350, direct=30, after=20)
    assert [f.cells for f in findings] == [[REVIEW], [DIRECT, AFTER]]
    assert "351" in findings[0].message and "350" in findings[0].message
    assert "50（30+20）" in findings[1].message
    assert "50 (30 + 20)" in findings[1].message_en


def test_received_may_mean_new_plus_carried_over_or_handled() -> None:
    text = "全年共受理政府信息公开申请 12 件。"
    assert text_findings(text, received=10, carried=2, handled=12) == []
    assert text_findings(text, received=11, carried=0, handled=12) == []
    assert len(text_findings(text, received=10, carried=0, handled=10)) == 1


def test_seed_001_nothing_received() -> None:
    text = "强化主动公开。全年未收到政府信息公开申请，无信息公开举报、诉讼情形。注重信息管理。"
    assert facts(text, 2023) == [("received", 0)]
    assert text_findings(text) == []
    [finding] = text_findings(text, received=3, handled=3)
    assert "为 0" in finding.message and "为 3" in finding.message


def test_other_ways_of_saying_nothing_was_received() -> None:
    assert facts("全年没有收到政府信息公开申请。") == [("received", 0)]
    assert facts("本年度无政府信息公开申请。") == [("received", 0)]
    assert facts("本年度未收到依申请公开事项。") == [("received", 0)]


def test_seed_004_zero_received() -> None:
    text = "确保申请人满意。2023年，木金乡镇共受理信息公开申请0件。"
    assert facts(text, 2023) == [("received", 0)]
    assert [f for f in check(report(text, year=2023)) if f.rule == "C-TEXT"] == []
    bad = [f for f in check(report(text, year=2023, received=2, handled=2)) if f.rule == "C-TEXT"]
    assert len(bad) == 1


def test_plain_received_sentences() -> None:
    assert facts("全年共收到政府信息公开申请75件。") == [("received", 75)]
    assert facts("收到公民、法人或其他组织提出的政府信息公开申请 12 件。") == [("received", 12)]
    assert facts("全年受理依申请公开12件。") == [("received", 12)]
    assert facts("2024年新收政府信息公开申请 3,119 件。") == [("received", 3119)]
    assert facts("全年共收到政府信息公开申请７５件。") == [("received", 75)]  # full-width digits
    assert len(text_findings("全年共收到政府信息公开申请75件。", received=74, handled=74)) == 1


def test_received_with_a_following_clause_about_other_counts() -> None:
    assert facts("本年度共新收政府信息公开申请170件，上年结转15件。") == [("received", 170)]
    withdrawn = "2024 年某街道共受理政府信息公开申请 19 件，其中 11 件按规定程序办结，8 件申请人主动撤销。"
    assert facts(withdrawn) == [("received", 19)]
    assert facts("市政府办公厅代表市政府共受理政府信息公开申请859件，申请数量较去年回落12.3%。") == [
        ("received", 859)]
    assert facts("全省受理政府信息公开申请2.3万件。") == []  # no exact number
    assert facts("信息公开类行政复议7件，诉讼9件，均获维持。") == [("review_total", 7)]


def test_an_inferred_table_value_is_labelled_in_the_finding() -> None:
    [finding] = text_findings("全年共收到政府信息公开申请75件。",
                              received=CellValue(74, "inferred", rule="F-SOLVE"), handled=74)
    assert "为 74（推算）" in finding.message
    assert "74 (inferred)" in finding.message_en


def test_a_blank_table_value_is_not_checkable() -> None:
    results = text_results(report("全年共收到政府信息公开申请75件。", received=None))
    assert [r.status for r in results] == ["not_checkable"]
    assert text_findings("全年共收到政府信息公开申请75件。", received=None) == []


# ------------------------------------------------------------------------------------ exclusions
@pytest.mark.parametrize("sentence", [
    "共办理政府信息公开申请 20 件。",
    "办结政府信息公开申请20件。",
    "答复政府信息公开申请20件。",
    "共受理并办结政府信息公开申请 30 件。",
    "共受理政府信息公开申请 30 件（含上年结转 3 件）。",
    "共收到政府信息公开申请30件，其中上年结转3件。",
    "受理政府信息公开申请数量较上年增加5件。",
    "2023年受理政府信息公开申请21件。",  # another year, in a 2024 report
    "其中，网上受理政府信息公开申请10件。",
    "全市各级行政机关共受理政府信息公开申请 500 件。",
    "受理政府信息公开申请按时办结率达100%。",
    "未收到政府信息公开申请方面的投诉。",
    "今年以来，12345热线共受理群众投诉、咨询求助139件，群众满意率95%。",
    "自觉接受人大监督，认真办理人大代表建议18件、政协提案16件，办结率达100%。",
    "全年收取政府信息公开信息处理费 0 元。",
    "报送备案的现行有效规范性文件 12 件。",
    "备案规范性文件12件。",
    "经清理，现行有效行政规范性文件 50 件。",
    "现行有效规章和规范性文件 20 件。",
    "本年度未制发规范性文件和规章。",
    "现行有效党内规范性文件 9 件。",
    "政府信息公开行政复议、行政诉讼案件共3件。",
    "区司法局办理政府信息公开相关行政复议案件 30 件。",
    "政府信息公开行政诉讼直接起诉 3 件。",
    "行政复议案件 4 件。",  # not about information disclosure
    "无信息公开举报、诉讼情形。",
    "全年信息宣传 78 篇，区信息中心采用 6 篇。",
])
def test_sentences_that_state_no_table_quantity(sentence: str) -> None:
    assert facts(sentence) == []


def test_seed_003_proposals_in_section_six_are_not_table_quantities() -> None:
    text = ("自觉接受市、镇人大及其常委会法律监督和市政协民主监督，"
            "认真办理人大代表建议18件、政协提案16件，办结率达100%。")
    assert narrative_facts(report(text, year=2022, section="other_matters")) == []


def test_the_huaian_answered_and_carried_numbers_are_not_received() -> None:
    values = [value for quantity, value in facts(HUAIAN) if quantity == "received"]
    assert values == [3119]


# ------------------------------------------------------------------------------------ documents
def test_normative_documents_in_force() -> None:
    assert facts("现行有效行政规范性文件698件。") == [("in_force_normative", 698)]
    assert facts("行政规范性文件现行有效 40 件。") == [("in_force_normative", 40)]
    assert text_findings("现行有效行政规范性文件698件。", normative=698) == []
    [finding] = text_findings("现行有效行政规范性文件698件。", normative=700)
    assert "表二「行政规范性文件」「现行有效件数」为 700" in finding.message


def test_rules_in_force() -> None:
    assert facts("截至2024年底，现行有效规章12件。") == [("in_force_rules", 12)]
    assert text_findings("现行有效规章12件。", rules=12) == []
    assert len(text_findings("现行有效规章12件。", rules=11)) == 1


def test_in_force_is_not_compared_with_2019_tables() -> None:
    cells = {p: CellValue(0, "read") for p in TEMPLATE.cell_paths(TableShape("2019"))}
    old = Report(agency=None, year=2020, template="2019", cells=cells,
                 sections={"overview": "现行有效行政规范性文件698件。"}, section_lines={"overview": 1})
    assert [r.status for r in text_results(old)] == ["not_checkable"]


# ------------------------------------------------------------------------------------ review, litigation
def test_review_and_litigation_counts() -> None:
    assert facts("全年发生政府信息公开行政复议案件2件。") == [("review_total", 2)]
    assert facts("因政府信息公开被申请行政复议2件、被提起行政诉讼1件。") == [("review_total", 2),
                                                                    ("litigation_total", 1)]
    text = "因政府信息公开被申请行政复议2件、被提起行政诉讼1件。"
    assert text_findings(text, review=2, direct=1, after=0) == []
    assert text_findings(text, review=2, direct=0, after=1) == []
    assert [f.cells for f in text_findings(text, review=3, direct=0, after=2)] == [[REVIEW], [DIRECT, AFTER]]


def test_the_agency_as_respondent_or_as_review_organ() -> None:
    assert facts("本机关因政府信息公开被申请行政复议1件。") == [("review_total", 1)]
    assert facts("本机关作为复议机关，审理政府信息公开行政复议案件 12 件。") == []


def test_no_review_and_no_litigation() -> None:
    text = "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    assert facts(text) == [("review_total", 0), ("litigation_total", 0)]
    assert text_findings(text) == []
    [finding] = text_findings(text, review=1)
    assert finding.cells == [REVIEW]


# ------------------------------------------------------------------------------------ helpers
def test_lines_joined_and_footers_skipped() -> None:
    text = ("（一）主动公开情况。\n2024 年，我区在政府网站主动公开信息 2428 条。\n"
            "区政府办受理政府\n- 2 -\n信息公开申请 17 件。")
    [fact] = narrative_facts(report(text, line=10))
    assert (fact.quantity, fact.value) == ("received", 17)
    assert fact.sentence == "区政府办受理政府信息公开申请 17 件"
    assert fact.line == 13  # the heading is line 10, the text starts on line 11
    assert fact.section == "overview"


def test_digits_split_by_a_line_break_are_not_joined() -> None:
    assert facts("区政府办受理政府信息公开申请 1\n7 件。") == []


def test_settle_value() -> None:
    found = narrative_facts(report("全年共收到政府信息公开申请75件。现行有效规章3件。"))
    assert settle_value(found, RECEIVED) == 75
    assert settle_value(found, RULES) == 3
    assert settle_value(found, REVIEW) is None
    assert settle_value(found, RECEIVED, strict=True) is None  # 受理 may include carried-over ones
    assert settle_value(found, RULES, strict=True) == 3
    litigation = narrative_facts(report("因政府信息公开被提起行政诉讼2件。"))
    assert settle_value(litigation, DIRECT) is None  # a sum of two cells settles neither
    two = [NarrativeFact("received", 5, "a", None, "overview", "a"),
           NarrativeFact("received", 6, "b", None, "overview", "b")]
    assert settle_value(two, RECEIVED) is None


def test_check_includes_text_results_in_evaluate() -> None:
    results = [r for r in evaluate(report(HONGZE_2024, received=95, handled=95)) if r.rule == "C-TEXT"]
    assert [r.status for r in results] == ["failed"]
    assert results[0].finding is not None and results[0].finding.rule == "C-TEXT"


# ------------------------------------------------------------------------------------ integration
def _parse():  # the extractor is written alongside; skip if it cannot run here
    gongkai = pytest.importorskip("gongkai")
    return gongkai.parse


@pytest.mark.parametrize("path", sorted((SHARED / "seeds").glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_text_contradiction_on_the_seeds(path: Path) -> None:
    parsed = _parse()(path)
    assert [f.message for f in parsed.findings if f.rule == "C-TEXT"] == []


@pytest.mark.parametrize("name,expected", [("hongze-2023", 0), ("hongze-2024", 1), ("huaian-city-2024", 0)])
def test_text_contradictions_on_the_real_reports(name: str, expected: int) -> None:
    try:
        parsed = _parse()(SHARED / "real" / f"{name}.pdf")
    except Exception as error:  # a PDF reader still being written must not fail the checker's tests
        pytest.skip(f"cannot parse {name}.pdf here: {error}")
    found = [f for f in parsed.findings if f.rule == "C-TEXT"]
    assert len(found) == expected, [f.message for f in found]
    if expected:
        assert "17" in found[0].message and "95" in found[0].message
