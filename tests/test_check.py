"""The checking stage: every within-report rule, a passing and a failing case each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from corpus import REAL
from gongkai.check import RuleResult, check, evaluate
from gongkai.check.rules import _plan
from gongkai.report import CellValue, Finding, Report, cells_from_nested
from gongkai.template import TEMPLATE, TableShape, equations

OTHER_ITEMS = ("other_no_correction", "other_unpaid_fee", "other_other")
APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")


def make(template: str = "2021", *, hybrid: bool = False, year: int | None = None,
         values: dict[str, Any] | None = None, sections: dict[str, str] | None = None) -> Report:
    """A report whose every cell is a printed 0 (so every rule holds), then ``values`` applied:
    a number is a printed value, None a blank cell, a CellValue is taken as is."""
    layout = TableShape(template, hybrid)  # type: ignore[arg-type]
    cells = {p: CellValue(0, "read", raw="0", line=100 + i)
             for i, p in enumerate(TEMPLATE.cell_paths(layout))}
    if hybrid:
        for row in OTHER_ITEMS:
            for column in (*APPLICANTS, "total"):
                cells[f"applications.{row}.{column}"] = CellValue(0, "inferred", rule="F-ZERO")
    for path, value in (values or {}).items():
        if isinstance(value, CellValue):
            cells[path] = value
        elif value is None:
            cells[path] = CellValue(None, "blank", line=cells[path].line if path in cells else None)
        else:
            line = cells[path].line if path in cells else 1
            cells[path] = CellValue(value, "read", raw=str(value), line=line)
    if sections is None:
        sections = {s.key: "……" for s in TEMPLATE.sections}
    return Report(agency="测试镇人民政府", year=year or (2023 if template == "2021" else 2020),
                  template=template, hybrid=hybrid, cells=cells, sections=sections,
                  section_lines={k: i + 1 for i, k in enumerate(sections)})


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def result(results: list[RuleResult], rule: str, **binding: str) -> RuleResult:
    wanted = [r for r in results if r.rule == rule and all(dict(r.binding).get(k) == v
                                                             for k, v in binding.items())]
    assert len(wanted) == 1, wanted
    return wanted[0]


# ------------------------------------------------------------------------------------ clean
@pytest.mark.parametrize("template,hybrid", [("2021", False), ("2019", False)])
def test_a_clean_report_has_no_findings(template: str, hybrid: bool) -> None:
    assert check(make(template, hybrid=hybrid)) == []


def test_a_clean_hybrid_report_only_says_its_row_set_is_not_2021() -> None:
    findings = check(make("2021", hybrid=True))
    assert [f.rule for f in findings] == ["T3-ROWSET"]


def test_every_equation_of_the_layout_is_evaluated() -> None:
    for layout in (TableShape("2021"), TableShape("2019"), TableShape("2021", True)):
        report = make(layout.edition, hybrid=layout.hybrid)
        ids = {e.rule for e in equations(layout)}
        evaluated = [r for r in evaluate(report) if r.rule in ids]
        assert len(evaluated) == len(equations(layout))
        assert all(r.status == "passed" for r in evaluated)


def test_plans_are_computed_once_per_layout() -> None:
    assert _plan(TableShape("2021")) is _plan(TableShape("2021"))
    assert _plan(TableShape("2021", True)) is not _plan(TableShape("2021"))


# ------------------------------------------------------------------------------------ T3-BALANCE
def test_balance_failure_reads_like_the_table() -> None:
    report = make(values={"applications.new_received.natural_person": 71,
                          "applications.carried_over.natural_person": 1,
                          "applications.total.natural_person": 70})
    [finding] = of(check(report), "T3-BALANCE")
    assert finding.message == "表三「自然人」列：一(71)+二(1) ≠ (七)总计(70)+四(0)"
    assert finding.message_en == "Table 3, column 自然人: 一 (71) + 二 (1) ≠ (七) total (70) + 四 (0)"
    assert finding.severity == "error"
    assert finding.cells == [f"applications.{row}.natural_person"
                             for row in ("new_received", "carried_over", "total", "carried_forward")]
    assert finding.values["applications.new_received.natural_person"] == 71
    assert finding.line == report.cells["applications.new_received.natural_person"].line


def test_balance_passes_when_both_sides_agree() -> None:
    report = make(values={"applications.new_received.natural_person": 71,
                          "applications.carried_over.natural_person": 1,
                          "applications.total.natural_person": 70,
                          "applications.carried_forward.natural_person": 2})
    assert of(check(report), "T3-BALANCE") == []
    assert result(evaluate(report), "T3-BALANCE", column="natural_person").status == "passed"


def test_a_rule_over_a_blank_cell_is_not_checkable_never_passed() -> None:
    report = make(values={"applications.new_received.natural_person": None,
                          "applications.carried_over.natural_person": 5})
    assert of(check(report), "T3-BALANCE") == []
    balance = result(evaluate(report), "T3-BALANCE", column="natural_person")
    assert balance.status == "not_checkable"
    assert balance.values["applications.new_received.natural_person"] is None
    assert balance.values["applications.carried_over.natural_person"] == 5


def test_a_cell_absent_from_the_report_makes_its_rules_not_checkable() -> None:
    report = make()
    del report.cells["applications.total.total"]
    results = evaluate(report)
    assert result(results, "T3-BALANCE", column="total").status == "not_checkable"
    assert result(results, "T3-ROWSUM", row="total").status == "not_checkable"


def test_inferred_values_are_labelled_in_messages() -> None:
    report = make(values={"applications.new_received.natural_person": 71,
                          "applications.carried_over.natural_person": 1,
                          "applications.total.natural_person": CellValue(70, "inferred", rule="F-SOLVE")})
    [finding] = of(check(report), "T3-BALANCE")
    assert "(七)总计(70（推算）)" in finding.message
    assert "(70 (inferred))" in finding.message_en
    assert finding.line == report.cells["applications.new_received.natural_person"].line


def test_the_line_of_a_finding_is_that_of_its_first_read_cell() -> None:
    report = make(values={"applications.new_received.natural_person": CellValue(71, "inferred"),
                          "applications.carried_over.natural_person": CellValue(1, "read", raw="1", line=42),
                          "applications.total.natural_person": 70})
    [finding] = of(check(report), "T3-BALANCE")
    assert finding.line == 42


# ------------------------------------------------------------------------------------ T3-ROWSUM
def test_rowsum_failure_names_the_row() -> None:
    report = make(values={"applications.granted.natural_person": 5, "applications.granted.total": 4})
    [finding] = [f for f in of(check(report), "T3-ROWSUM") if "applications.granted.total" in f.cells]
    assert finding.message == "表三「(一)予以公开」行：总计(4) ≠ 各类申请人之和(5)"
    assert finding.message_en == "Table 3, row (一)予以公开: total (4) ≠ sum over applicants (5)"


def test_rowsum_passes_and_marks_inferred_terms_of_a_sum() -> None:
    ok = make(values={"applications.granted.natural_person": 5, "applications.granted.total": 5})
    assert result(evaluate(ok), "T3-ROWSUM", row="granted").status == "passed"
    bad = make(values={"applications.granted.commercial": CellValue(1, "inferred"),
                       "applications.granted.total": 4})
    [finding] = of(check(bad), "T3-ROWSUM")
    assert "各类申请人之和(1（含推算值）)" in finding.message
    assert "(1 (incl. inferred))" in finding.message_en


# ------------------------------------------------------------------------------------ T3-TOTAL
def test_total_failure_names_the_column() -> None:
    report = make(values={"applications.total.research": 3, "applications.granted.research": 1})
    [finding] = of(check(report), "T3-TOTAL")
    assert finding.message == "表三「科研机构」列：(七)总计(3) ≠ (一)至(六)各项之和(1)"


def test_total_sums_the_result_rows_of_each_format() -> None:
    results_2021 = result(evaluate(make("2021")), "T3-TOTAL", column="total")
    results_2019 = result(evaluate(make("2019")), "T3-TOTAL", column="total")
    assert results_2021.status == results_2019.status == "passed"
    assert "applications.other_other.total" in results_2021.cells
    assert "applications.other.total" not in results_2021.cells
    assert "applications.other.total" in results_2019.cells
    assert len(results_2021.cells) == 22 and len(results_2019.cells) == 20


# ------------------------------------------------------------------------------------ T3-OTHER
def test_other_checks_the_printed_row_against_its_items_in_hybrids_only() -> None:
    bad = make(hybrid=True, values={"applications.other.natural_person": 2, "applications.other.total": 2,
                                    "applications.total.natural_person": 2, "applications.total.total": 2,
                                    "applications.new_received.natural_person": 2,
                                    "applications.new_received.total": 2})
    [finding] = [f for f in of(check(bad), "T3-OTHER") if "applications.other.natural_person" in f.cells]
    assert {f.rule for f in check(bad)} == {"T3-ROWSET", "T3-OTHER"}
    assert finding.message == "表三「自然人」列：(六)其他处理(2) ≠ 其三个子项之和(0（含推算值）)"
    assert result(evaluate(make(hybrid=True)), "T3-OTHER", column="total").status == "passed"
    assert not [r for r in evaluate(make()) if r.rule == "T3-OTHER"]


def test_other_is_not_checkable_while_the_items_are_missing() -> None:
    values: dict[str, Any] = {f"applications.{row}.{column}": CellValue(None, "missing")
                              for row in OTHER_ITEMS for column in (*APPLICANTS, "total")}
    report = make(hybrid=True, values=values)
    assert result(evaluate(report), "T3-OTHER", column="total").status == "not_checkable"
    findings = check(report)
    # the unprinted 2021 items are T3-ROWSET's business, not S-TABLES'
    assert [f.rule for f in findings] == ["T3-ROWSET"]


# ------------------------------------------------------------------------------------ T4-GROUPSUM
def test_groupsum_failure_as_in_hongze_2023() -> None:
    report = make(values={"review_litigation.review.maintained": 10, "review_litigation.review.corrected": 1})
    [finding] = of(check(report), "T4-GROUPSUM")
    assert finding.message == "表四「行政复议」：总计(0) ≠ 维持+纠正+其他+尚未审结(11)"
    assert finding.message_en.startswith("Table 4, 行政复议: total (0) ≠")


def test_groupsum_passes() -> None:
    report = make(values={"review_litigation.litigation_direct.maintained": 10,
                          "review_litigation.litigation_direct.pending": 1,
                          "review_litigation.litigation_direct.total": 11})
    assert check(report) == []
    assert result(evaluate(report), "T4-GROUPSUM", group="litigation_direct").status == "passed"


# ------------------------------------------------------------------------------------ T3-BOUNDS
def test_bounds_apply_where_the_balance_cannot_be_checked() -> None:
    report = make(values={"applications.new_received.natural_person": 3,
                          "applications.carried_forward.natural_person": None,
                          "applications.total.natural_person": 10})
    [finding] = of(check(report), "T3-BOUNDS")
    assert finding.message == "表三「自然人」列：(七)总计(10) 超过 一+二(3)"
    assert finding.message_en == "Table 3, column 自然人: (七)总计 (10) exceeds 一 + 二 (3)"
    results = evaluate(report)
    assert result(results, "T3-BOUNDS", column="natural_person", part="total").status == "failed"
    other_part = result(results, "T3-BOUNDS", column="natural_person", part="carried_forward")
    assert other_part.status == "not_checkable"


def test_bounds_pass_and_stay_silent_where_the_balance_was_checked() -> None:
    ok = make(values={"applications.new_received.natural_person": 3,
                      "applications.carried_forward.natural_person": None,
                      "applications.total.natural_person": 3})
    assert result(evaluate(ok), "T3-BOUNDS", column="natural_person", part="total").status == "passed"
    both = make(values={"applications.new_received.natural_person": 3,
                        "applications.total.natural_person": 10})
    findings = check(both)
    assert of(findings, "T3-BALANCE") and not of(findings, "T3-BOUNDS")
    assert not [r for r in evaluate(both) if r.rule == "T3-BOUNDS"
                and dict(r.binding)["column"] == "natural_person"]


# ------------------------------------------------------------------------------------ table 2
def test_inforce_heuristic() -> None:
    bad = make(values={"active_disclosure.normative_documents.issued": 5,
                       "active_disclosure.normative_documents.in_force": 2})
    [finding] = of(check(bad), "T2-INFORCE")
    assert finding.severity == "info"
    assert finding.message.startswith("表二「行政规范性文件」：现行有效件数(2)少于本年制发件数(5)")
    ok = make(values={"active_disclosure.normative_documents.issued": 5,
                      "active_disclosure.normative_documents.in_force": 8})
    assert result(evaluate(ok), "T2-INFORCE", row="normative_documents").status == "passed"
    assert not [r for r in evaluate(make("2019")) if r.rule == "T2-INFORCE"]


def test_published_heuristic() -> None:
    bad = make("2019", values={"active_disclosure.rules.new_published": 5,
                               "active_disclosure.rules.total_published": 3})
    [finding] = of(check(bad), "T2-PUBLISHED")
    assert finding.severity == "warning"
    assert finding.message == "表二「规章」：对外公开总数量(3)少于本年新公开数量(5)"
    ok = make("2019", values={"active_disclosure.rules.new_published": 5,
                              "active_disclosure.rules.total_published": 13})
    assert result(evaluate(ok), "T2-PUBLISHED", row="rules").status == "passed"
    assert not [r for r in evaluate(make("2021")) if r.rule == "T2-PUBLISHED"]


# ------------------------------------------------------------------------------------ N-*
def test_counts_must_be_non_negative_integers() -> None:
    report = make(values={"review_litigation.review.pending": CellValue(-1, "read", raw="-1", line=7),
                          "active_disclosure.licensing.decisions": CellValue(2.5, "read", raw="2.5", line=8)})
    findings = of(check(report), "N-INT")
    assert [f.cells for f in findings] == [["active_disclosure.licensing.decisions"],
                                           ["review_litigation.review.pending"]]
    assert findings[0].message == "表二「行政许可」「本年处理决定数量」：2.5 不是非负整数"
    assert findings[0].message_en.endswith("2.5 is not a non-negative integer")
    assert findings[1].line == 7
    assert of(check(make(values={"active_disclosure.licensing.decisions": 474339})), "N-INT") == []


def test_change_may_be_negative_but_must_be_whole() -> None:
    ok = make("2019", values={"active_disclosure.licensing.change": -3})
    assert of(check(ok), "N-CHANGE") == []
    assert result(evaluate(ok), "N-CHANGE", cell="active_disclosure.licensing.change").status == "passed"
    bad = make("2019", values={"active_disclosure.licensing.change": CellValue(2.5, "read", raw="+2.5")})
    [finding] = of(check(bad), "N-CHANGE")
    assert "+2.5 不是整数" in finding.message


def test_amounts_are_non_negative_decimals() -> None:
    ok = make("2019", values={"active_disclosure.procurement.amount_wan_yuan": 159.649616})
    assert of(check(ok), "N-AMOUNT") == []
    bad = make(values={"active_disclosure.fees.amount_wan_yuan": CellValue(-1.5, "read", raw="-1.5")})
    [finding] = of(check(bad), "N-AMOUNT")
    assert finding.message == "表二「行政事业性收费」「本年收费金额(单位:万元)」：-1.5 不是非负金额"


def test_an_inferred_bad_value_says_it_was_inferred() -> None:
    report = make(values={"applications.granted.research": CellValue(-2, "inferred", rule="F-SOLVE")})
    [finding] = of(check(report), "N-INT")
    assert "-2（推算） 不是非负整数" in finding.message
    assert "-2 (inferred) is not" in finding.message_en


# ------------------------------------------------------------------------------------ structure
def test_template_year() -> None:
    [finding] = of(check(make("2019", year=2024)), "S-TEMPLATE-YEAR")
    assert finding.message == "2024年度报告使用了2019年格式的表格（应使用2021年格式）"
    assert finding.message_en == "a report on 2024 uses the 2019 tables (the 2021 format is required)"
    [finding] = of(check(make("2021", year=2020)), "S-TEMPLATE-YEAR")
    assert "应使用2019年格式" in finding.message
    assert of(check(make("2019", year=2020)), "S-TEMPLATE-YEAR") == []
    assert of(check(make("2021", year=2024)), "S-TEMPLATE-YEAR") == []


def test_rowset_names_the_hybrid_single_row() -> None:
    [finding] = of(check(make(hybrid=True)), "T3-ROWSET")
    assert finding.severity == "error"
    assert "「(六)其他处理」印成带数值的一行" in finding.message
    assert "2021" in finding.message and "「3.其他」" in finding.message
    assert "(六)其他处理" in finding.message_en


def test_rowset_names_rows_of_the_other_format() -> None:
    report = make("2019")
    report.cells["applications.other_other.total"] = CellValue(3, "read", raw="3")
    [finding] = of(check(report), "T3-ROWSET")
    assert "(六)3.其他" in finding.message
    assert of(check(make("2019")), "T3-ROWSET") == []


def test_missing_section_headings() -> None:
    sections = {s.key: "……" for s in TEMPLATE.sections if s.number not in ("三", "四")}
    [finding] = of(check(make(sections=sections)), "S-SECTIONS")
    assert finding.message == "缺少第三、四部分的标题"
    assert finding.message_en == "section heading(s) 三, 四 missing"
    assert of(check(make()), "S-SECTIONS") == []


def test_a_report_without_section_information_is_not_checkable_for_sections() -> None:
    report = make(sections={})
    assert of(check(report), "S-SECTIONS") == []
    assert result(evaluate(report), "S-SECTIONS").status == "not_checkable"


def test_missing_table_two_rows_are_named_by_their_labels() -> None:
    missing = CellValue(None, "missing")
    report = make(values={"active_disclosure.enforcement.decisions": missing,
                          "active_disclosure.fees.amount_wan_yuan": missing})
    [finding] = of(check(report), "S-TABLES")
    assert finding.message == "表二有 2 个单元格缺失（行、列或整表缺失）：「行政强制」、「行政事业性收费」"
    assert finding.severity == "warning"
    assert finding.cells == ["active_disclosure.enforcement.decisions",
                             "active_disclosure.fees.amount_wan_yuan"]


def test_missing_cells_are_summarised_by_group_row_column_and_table() -> None:
    missing = CellValue(None, "missing")
    values: dict[str, Any] = {f"applications.{row}.{column}": missing
                              for row in ("unable_not_held", "unable_needs_creation", "unable_unclear")
                              for column in (*APPLICANTS, "total")}
    values["applications.granted.natural_person"] = missing
    values.update({f"review_litigation.{g}.{c}": missing
                   for g in ("review", "litigation_direct", "litigation_after_review")
                   for c in ("maintained", "corrected", "other", "pending", "total")})
    findings = of(check(make(values=values)), "S-TABLES")
    assert [f.message for f in findings] == [
        "表三有 22 个单元格缺失（行、列或整表缺失）："
        "「(一)予以公开」的「自然人」列、「(四)无法提供」（全部3行）",
        "表四有 15 个单元格缺失（行、列或整表缺失）：整表缺失",
    ]
    assert findings[0].message_en.endswith("「(一)予以公开」 (column 自然人), 「(四)无法提供」 (all 3 rows)")


def test_long_lists_of_rows_are_cut_short() -> None:
    rows = [r for r in TEMPLATE.application_row_keys(TableShape("2021"))][::2]
    values: dict[str, Any] = {f"applications.{r}.total": CellValue(None, "missing") for r in rows}
    [finding] = of(check(make(values=values)), "S-TABLES")
    assert f"等{len(rows)}项" in finding.message
    assert "applications." not in finding.message


def test_blank_cells_are_counted_with_their_rows() -> None:
    values: dict[str, Any] = {f"review_litigation.review.{c}": None
                              for c in ("maintained", "corrected", "other", "pending", "total")}
    values["applications.carried_over.total"] = None
    findings = of(check(make(values=values)), "C-BLANK")
    assert [f.message for f in findings] == [
        "表三有 1 个单元格空白或填“/”“—”“无”（应填0）：「二、上年结转政府信息公开申请数量」的「总计」列",
        "表四有 5 个单元格空白或填“/”“—”“无”（应填0）：「行政复议」",
    ]
    assert all(f.severity == "warning" for f in findings)


def test_blank_cells_forced_to_zero_still_count_as_blank() -> None:
    forced = CellValue(0, "inferred", rule="F-ZERO", note="F-ZERO: forced by T4-GROUPSUM; the source prints "
                                                           "this cell empty")
    values: dict[str, Any] = {f"review_litigation.review.{c}": forced
                              for c in ("maintained", "corrected", "other", "pending")}
    [finding] = of(check(make(values=values)), "C-BLANK")
    assert finding.message.startswith("表四有 4 个单元格空白")
    quiet = {"review_litigation.review.maintained": CellValue(0, "inferred", rule="F-ZERO")}
    assert of(check(make(values=quiet)), "C-BLANK") == []


# ------------------------------------------------------------------------------------ in general
def test_every_finding_has_yaml_severity_and_readable_messages() -> None:
    report = make(values={"applications.new_received.natural_person": 71,
                          "applications.granted.commercial": 3,
                          "review_litigation.review.maintained": 10,
                          "active_disclosure.rules.issued": 4,
                          "active_disclosure.licensing.decisions": -1,
                          "active_disclosure.enforcement.decisions": CellValue(None, "missing"),
                          "applications.denied_inquiry.total": None},
                  sections={"overview": "……"}, year=2024)
    findings = check(report)
    assert {f.rule for f in findings} >= {"T3-BALANCE", "T3-ROWSUM", "T3-TOTAL", "T4-GROUPSUM",
                                          "T2-INFORCE", "N-INT", "S-TABLES", "C-BLANK", "S-SECTIONS"}
    for finding in findings:
        assert finding.severity == TEMPLATE.rule(finding.rule).severity
        assert finding.message and finding.message_en
        for prefix in ("applications.", "review_litigation.", "active_disclosure."):
            assert prefix not in finding.message and prefix not in finding.message_en
    statuses = {r.status for r in evaluate(report)}
    assert statuses == {"passed", "failed", "not_checkable"}
    assert [r.finding for r in evaluate(report) if r.status == "failed"] == findings


# ------------------------------------------------------------------------------------ real truths
def _truth_report(name: str) -> Report:
    data = json.loads((REAL / f"{name}.truth.json").read_text("utf-8"))
    hybrid = data["template"] == "2021" and "other" in data["applications"]
    layout = TableShape(data["template"], hybrid)
    cells = cells_from_nested(data, layout)
    implied = data.get("implied", {})
    for path in cells:
        table, row, column = path.split(".")
        values = implied.get(table, {}).get(row)
        if values is not None and cells[path].value is None:
            index = [c.key for c in TEMPLATE.application_columns].index(column)
            cells[path] = CellValue(values[index], "inferred", rule="F-ZERO")
    return Report(agency=data["agency"], year=data["year"], template=data["template"], hybrid=hybrid,
                  cells=cells)


def test_real_truths_give_exactly_their_known_problems() -> None:
    assert check(_truth_report("huaian-city-2024")) == []
    hongze_2023 = check(_truth_report("hongze-2023"))
    assert [(f.rule, f.message) for f in hongze_2023 if f.severity == "error"] == [
        ("T3-ROWSET", of(hongze_2023, "T3-ROWSET")[0].message),
        ("T4-GROUPSUM", "表四「行政复议」：总计(0) ≠ 维持+纠正+其他+尚未审结(11)"),
        ("T4-GROUPSUM", "表四「行政诉讼·复议后起诉」：总计(0) ≠ 维持+纠正+其他+尚未审结(5)"),
    ]
    assert [f.rule for f in check(_truth_report("hongze-2024"))] == ["T3-ROWSET"]
