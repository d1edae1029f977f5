"""Layouts beyond the seeds: run-together digits, detached labels, labels above values, notes."""

from __future__ import annotations

import re
from pathlib import Path

import gongkai
from gongkai.template import TEMPLATE, TableShape

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "gongkai" / "samples" / "示例镇-2023.txt"

ROWS_2021 = TEMPLATE.application_row_keys(TableShape("2021"))
COLUMNS = [c.key for c in TEMPLATE.application_columns]
LABEL = {r.key: f"{r.marker}{r.label.text}" for r in TEMPLATE.application_rows}

HEAD = ("某某镇人民政府2023年度政府信息公开工作年度报告\n一、总体情况\n略。\n二、主动公开政府信息情况\n"
        "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n"
        "行政规范性文件\t1\t0\t5\n三、收到和处理政府信息公开申请情况\n")
TAIL = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n"
        + "\t".join(["1", "0", "0", "0", "1"] + ["0"] * 10) + "\n五、存在的主要问题及改进情况\n无。\n")


def table3() -> dict[str, list[int]]:
    """A consistent table 3 with a few non-zero rows."""
    values = {key: [0] * 7 for key in ROWS_2021}
    values["granted"][:2] = [71, 3]
    values["unable_not_held"][0] = 12
    values["other_other"][4] = 1
    for key in ROWS_2021:
        values[key][6] = sum(values[key][:6])
    for column in range(7):
        values["total"][column] = sum(values[k][column] for k in TEMPLATE.result_row_keys(TableShape("2021")))
    values["new_received"] = [v - (1 if i in (0, 6) else 0) for i, v in enumerate(values["total"])]
    values["carried_over"] = [1, 0, 0, 0, 0, 0, 1]
    return values


def check_table3(report, values, *, exact: bool = True) -> None:
    for key in ROWS_2021:
        for column, expected in zip(COLUMNS, values[key], strict=True):
            cell = report.cells[f"applications.{key}.{column}"]
            if exact:
                assert cell.value == expected, (key, column, cell)
            elif cell.status in ("read", "inferred"):
                assert cell.value == expected, (key, column, cell)  # never a silent error


def test_run_together_rows_and_glued_labels():
    values = table3()
    body = "".join(LABEL[k] + "".join(map(str, values[k])) for k in ROWS_2021)  # one line
    report = gongkai.parse(HEAD + body + "\n" + TAIL)
    check_table3(report, values)
    cell = report.cells["applications.granted.natural_person"]
    assert cell.status == "read" and cell.raw == "71" and "run-together" in cell.note
    assert report.template == "2021" and not report.errors


def test_labels_detached_from_their_values():
    values = table3()
    keys = ROWS_2021
    chunks = []
    for start in range(0, len(keys), 6):  # small tables: six labels, then six value rows
        part = keys[start:start + 6]
        chunks.append("| 申请人情况 |\n|---|\n" + "".join(f"| {LABEL[k]} |\n" for k in part))
        chunks.append("| 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n|---|\n"
                      + "".join("| " + " | ".join(map(str, values[k])) + " |\n" for k in part))
    report = gongkai.parse(HEAD + "\n".join(chunks) + TAIL)
    check_table3(report, values)


def test_label_on_one_line_values_on_the_next():
    values = table3()
    body = "".join(f"{LABEL[k]}\n{' '.join(map(str, values[k]))}\n" for k in ROWS_2021)
    report = gongkai.parse(HEAD + body + TAIL)
    check_table3(report, values)
    assert report.cells["review_litigation.review.total"].value == 1


def test_note_in_a_cell_keeps_the_number_and_says_so():
    text = HEAD.replace("行政规范性文件\t1\t0\t5", "行政规范性文件\t22（其中修订16件）\t0\t30") + TAIL
    report = gongkai.parse(text)
    cell = report.cells["active_disclosure.normative_documents.issued"]
    assert (cell.value, cell.status) == (22, "read") and "其中修订16件" in cell.note
    assert any(f.rule == "P-NOTE" for f in report.findings)


def test_short_row_is_settled_by_the_narrative_when_it_states_the_cell():
    text = ("某镇人民政府2023年度政府信息公开工作年度报告\n一、总体情况\n"
            "2023年，我镇共收到政府信息公开申请4件。\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量 3 1 0 0 0 4\n")
    report = gongkai.parse(text)
    total = report.cells["applications.new_received.total"]
    assert (total.value, total.status) == (4, "read") and "narrative (line 3)" in total.note
    # where the 3 and the 1 belong is still unknown: not guessed
    assert report.cells["applications.new_received.natural_person"].status == "missing"
    assert any(f.rule == "P-ALIGN" and "正文" in f.message for f in report.findings)


def test_ambiguous_split_is_flagged_not_guessed():
    text = HEAD + LABEL["new_received"] + "383000041\n" + TAIL  # 38,3,0… or 3,8,30…
    report = gongkai.parse(text)
    assert report.cells["applications.new_received.natural_person"].status == "missing"
    assert report.cells["applications.new_received.total"].value == 41
    assert any(f.rule == "P-SPLIT" for f in report.findings)


def test_page_footer_inside_a_table_is_not_a_value():
    values = table3()
    lines = [f"{LABEL[k]}\t" + "\t".join(map(str, values[k])) for k in ROWS_2021]
    lines.insert(10, "- 4 -")
    report = gongkai.parse(HEAD + "\n".join(lines) + "\n" + TAIL)
    check_table3(report, values)
    assert not any(f.rule == "P-ORPHAN" for f in report.findings)


def test_grid_cell_holding_two_values_is_unreadable_not_shifted():
    from gongkai.document import Cell, Document
    from gongkai.extract import extract

    doc = Document(name="grid", media_type="text/html")
    doc.add_paragraph("某县人民政府2023年度政府信息公开工作年度报告", 1)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况", 2)
    rows = [["一、本年新收政府信息公开申请数量", "", "", "5", "/0", "0", "0", "0", "2", "7"],
            ["二、上年结转政府信息公开申请数量", "", "", "0", "0", "0", "0", "0", "0", "0"]]
    doc.add_table([[Cell(t, 3 + i) for t in row] for i, row in enumerate(rows)], exact=True)
    report = extract(doc)
    values = [(c.value, c.status) for p, c in report.cells.items()
              if p.startswith("applications.new_received")]
    # 「/0」 (an OCR'd stamp rim) is one unreadable cell: the 2 and the 7 stay in their columns
    assert values[0] == (5, "read") and values[5] == (2, "read") and values[6] == (7, "read")
    assert values[1] == (0, "inferred")  # forced by the row sum 7 = 5 + ? + 0 + 0 + 0 + 2
    assert any(f.rule == "P-CELL" and "/0" in f.message for f in report.findings)


def test_year_printed_in_chinese_numerals():
    text = HEAD.replace("某某镇人民政府2023年度", "某某镇人民政府二〇二三年度") + TAIL
    report = gongkai.parse(text)
    assert report.year == 2023 and report.agency == "某某镇人民政府"


def test_low_confidence_ocr_digit_is_missing_and_flagged_not_silent():
    """A digit the OCR was unsure of is not passed off as read: missing, its reading kept in
    raw, and a P-OCR finding naming the cell (report-json.md: a reading that is not certain)."""
    from gongkai.document import Cell, Document
    from gongkai.pipeline import parse_document

    doc = Document(name="scan", media_type="application/pdf")
    doc.add_paragraph("某县人民政府2023年度政府信息公开工作年度报告", 1)
    doc.add_paragraph("三、收到和处理政府信息公开申请情况", 2)
    texts = ["一、本年新收政府信息公开申请数量", "", "", "8", "0", "0", "0", "0", "0", "8"]
    cells = [Cell(t, 3, confidence=0.99) for t in texts]
    cells[3].confidence = 0.41  # the 8 might be a 3
    doc.add_table([cells], exact=True)
    report = parse_document(doc)
    cell = report.cells["applications.new_received.natural_person"]
    assert (cell.value, cell.status, cell.raw) == (None, "missing", "8") and "0.41" in cell.note
    (flag,) = [f for f in report.findings if f.rule == "P-OCR"]
    assert flag.cells == ["applications.new_received.natural_person"] and "0.41" in flag.message
    total = report.cells["applications.new_received.total"]
    assert (total.value, total.status, total.note) == (8, "read", None)  # 0.99: certain


def test_a_grid_cell_naming_two_rows_leaves_both_undecided():
    """「行政处罚行政强制」 in one cell over two value rows (a scan that lost the ruling between
    them): the values are not given to either row, and a finding says why."""
    from gongkai.render import render

    html = render(gongkai.parse(SAMPLE), "html").decode()
    merged = re.sub(r'<tr><td class="label">行政处罚</td>(.*?)</tr>\s*<tr><td class="label">行政强制</td>',
                    r'<tr><td class="label" rowspan="2">行政处罚行政强制</td>\1</tr><tr>', html, flags=re.S)
    assert merged != html
    report = gongkai.parse(merged.encode())
    for path in ("active_disclosure.punishment.decisions", "active_disclosure.enforcement.decisions"):
        assert report.cells[path].status == "missing" and report.cells[path].value is None
    assert any(f.rule == "P-ALIGN" and "行政处罚行政强制" in f.message for f in report.findings)


def test_a_grid_cell_naming_two_numbered_items_leaves_both_undecided():
    """「1.信访举报投诉类申请2.重复申请」 in one cell over one row of values (a scan that lost the
    ruling between the two rows, r0060 of ``gongkai synth --n 110 --formats scan --seed 11``): the
    lexer cuts the cell into two labels at the item number, and the values are still neither's."""
    from gongkai.render import render

    html = render(gongkai.parse(SAMPLE), "html").decode()
    two_rows = (r'<td class="label">1\.信访举报投诉类申请</td>(.*?)</tr>\s*'
                r'<tr><td class="label">2\.重复申请</td>.*?</tr>')
    one_row = r'<td class="label">1.信访举报投诉类申请2.重复申请</td>\1</tr>'
    merged = re.sub(two_rows, one_row, html, flags=re.S)
    assert merged != html
    report = gongkai.parse(merged.encode())
    for row in ("unprocessed_complaint", "unprocessed_repeated"):
        path = f"applications.{row}.natural_person"
        assert report.cells[path].status != "read", path
    assert any(f.rule == "P-ALIGN" and "重复申请" in f.message for f in report.findings)


def test_a_digit_in_the_text_after_a_grid_is_not_a_value_of_its_last_row():
    from gongkai.render import render

    report = gongkai.parse(SAMPLE)
    html = render(report, "html").decode().replace("</table>", "</table><p>存在的主要问题及？7进情况</p>")
    again = gongkai.parse(html.encode())
    assert {p: c.value for p, c in again.cells.items() if p.startswith("review_litigation")} == {
        p: c.value for p, c in report.cells.items() if p.startswith("review_litigation")}
