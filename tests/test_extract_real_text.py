"""Real-world text: crawled pages flattened onto one line, converters' spurious headers, dates and
footers that are not values (issue: read every layout that real crawlers and converters make)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gongkai
from corpus import crawl_pairs, seed_pairs
from gongkai.document import Cell, Document
from gongkai.evaluate import score
from gongkai.extract.lexer import lex_cell
from gongkai.extract.reflow import cut_points, reflow
from gongkai.readers import read
from gongkai.template import TEMPLATE, TableShape

# Cells a crawled page prints as one run of digits that splits several ways, where no sum of
# the template binds them (the truth took them from the page's HTML): they must stay missing.
AMBIGUOUS = {
    "pingtan-junshan-2020": {
        "active_disclosure.normative_documents.new_made",  # 「2211」
        "active_disclosure.normative_documents.new_published",
        "active_disclosure.normative_documents.total_published",
        "active_disclosure.licensing.change",  # 「0124」
        "active_disclosure.licensing.decisions",
        "active_disclosure.procurement.items",  # 「4110669053」
        "active_disclosure.procurement.amount_wan_yuan",
    },
    "pingtan-market-2025": {
        "active_disclosure.normative_documents.issued",  # 「1173」
        "active_disclosure.normative_documents.repealed",
        "active_disclosure.normative_documents.in_force",
    },
}
# the reports' own errors, documented in their truth notes: the only errors check may raise
OWN_ERRORS = {
    "pingtan-junshan-2020": {"T3-BALANCE", "T3-TOTAL"},
    "pingtan-police-2021": {"T3-BALANCE"},
}


@pytest.mark.parametrize(("source", "truth"), crawl_pairs(), ids=lambda v: getattr(v, "stem", ""))
def test_crawled_pages_read_as_their_truth(source, truth):
    report = gongkai.parse(source)
    result = score(report, truth, source.name)
    stem = source.stem
    missing = {e["cell"] for e in result.errors if e["outcome"] == "missing"}
    wrong = [e for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    assert not wrong, wrong
    assert missing == AMBIGUOUS.get(stem, set())
    assert result.metadata_ok, (report.agency, report.year, report.template)
    for path in missing:  # each undecided cell is named in a finding, with its reason
        assert any(path in f.cells and f.rule in ("P-ALIGN", "P-SPLIT") for f in report.findings), path
    errors = {f.rule for f in report.findings if f.severity == "error"}
    assert errors == OWN_ERRORS.get(stem, set())
    # chrome, prose and the narrative around the tables raise nothing
    assert not [f for f in report.findings if f.rule in ("P-ORPHAN", "P-DUPLICATE")]


def _flat_text(cell_text: str) -> Document:
    document = Document(name="page.txt", media_type="text/plain")
    document.add_paragraph(cell_text, 1)
    return document


def test_reflow_cuts_at_labels_and_keeps_item_numbers_units_and_years_apart():
    text = ("…关注用户达45541人。二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数"
            "本年废止件数现行有效件数规章000行政规范性文件1.5件第二十条第（八）项信息内容"
            "本年收费金额（单位：万元）行政事业性收费02025年，我局严格按照规定公开信息395条。"
            "三、收到和处理政府信息公开申请情况（三）不予公开1.属于国家秘密00000002.其他法律行政法规"
            "禁止公开0000000四、结转下年度继续办理20000022025年，我局共收到申请21件。")
    rows = [row.cells[0].text for row in reflow(_flat_text(text)).rows]
    assert "规章000" in rows
    assert "行政规范性文件1.5件" in rows  # the unit stays with its value
    assert "行政事业性收费0" in rows  # the year goes with the paragraph after it
    assert "1.属于国家秘密0000000" in rows  # the item number glued to the digits before
    assert "2.其他法律行政法规禁止公开0000000" in rows
    assert "四、结转下年度继续办理2000002" in rows
    assert "二、主动公开政府信息情况" in rows and "三、收到和处理政府信息公开申请情况" in rows
    assert "2025年，我局严格按照规定公开信息395条。" in rows  # prose, numbers and all, in one row
    assert "".join(rows) == text  # nothing added, nothing lost


def test_table_words_inside_a_sentence_open_no_row():
    text = ("三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量2000002"
            "二、上年结转政府信息公开申请数量0000000"
            "2024年我局共收到申请2件，其中公开答复1件，无法提供1件，结转下年度继续办理1件。")
    points = cut_points(text)
    label_cuts = [text[p:p + 6] for p, kind, row in points if row]
    assert label_cuts == ["一、本年新收", "二、上年结转"]


def test_a_heading_that_runs_on_into_its_paragraph_ends_the_table():
    document = Document(name="page.html", media_type="text/html")
    for line, text in enumerate(["四、政府信息公开行政复议、行政诉讼情况",
                                 "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计",
                                 " ".join(["0"] * 15),
                                 "五、存在的主要问题及改进措施（一）存在问题。公开意识有待加强。",
                                 "网站标识码3590000001 闽公网安备 35012899001号 电话 -19002"], start=1):
        document.add_paragraph(text, line)
    rows = [row.cells[0].text for row in reflow(document).rows]
    assert "五、存在的主要问题及改进措施" in rows


@pytest.mark.parametrize("text", ["数据1", "第2列", "列3", "类别数据1数据2数据3数据4数据5数据6总计",
                                  "2023年", "12月", "31日"])
def test_column_numbers_and_dates_are_never_values(text):
    tokens = lex_cell(Cell(text, 1))
    assert not [t for t in tokens if t.kind == "num"]


@pytest.mark.parametrize("text", ["行政许可0", "其他2", "规章000", "3", "合计 12"])
def test_values_glued_to_labels_stay_values(text):
    assert [t for t in lex_cell(Cell(text, 1)) if t.kind == "num"]


_SPURIOUS_HEADER = ("| 类别 | 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |\n"
                    "|---|---|---|---|---|---|---|---|")


def _split_table3(source: str, truth: dict, *, detached: bool) -> str:
    """Table 3 as a PDF-to-markdown converter prints it: one small table per row under a header
    it invented (「数据1 … 数据6」), the row's label in the table or printed above it."""
    layout = TableShape(truth["template"], False)
    lines = ["三、收到和处理政府信息公开申请情况", ""]
    for key in TEMPLATE.application_row_keys(layout):
        label = TEMPLATE.row_label("applications." + key)
        values = " | ".join("" if v is None else str(v) for v in truth["applications"][key])
        if detached:
            lines += [label, "", _SPURIOUS_HEADER, f"| | {values} |", ""]
        else:
            lines += [_SPURIOUS_HEADER, f"| {label} | {values} |", ""]
    start = source.rindex("\n", 0, source.index("收到和处理政府信息公开申请情况")) + 1
    end = source.rindex("\n", 0, source.index("行政复议", source.index("结转下年度继续办理"))) + 1
    return source[:start] + "\n".join(lines) + "\n\n" + source[end:]


@pytest.mark.parametrize("detached", [False, True], ids=["label-in-table", "label-above"])
@pytest.mark.parametrize(("source", "truth"), seed_pairs()[1:], ids=lambda v: getattr(v, "stem", ""))
def test_invented_headers_are_not_values(source, truth, detached):
    text = _split_table3(source.read_text("utf-8"), truth, detached=detached)
    result = score(gongkai.parse(text, name=source.name), truth)
    wrong = [e for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    assert not wrong, wrong[:5]
    assert result.counts["correct"] >= result.cells - 7


def test_a_site_footer_after_the_last_table_is_no_table_content():
    """A page that ends with its tables and then the site's footer (网站标识码, 备案号, phones),
    with no heading between: no number of the footer is taken for a table's (no P-ORPHAN)."""
    from gongkai.render import render

    source, truth = seed_pairs()[1]
    html = render(gongkai.parse(source), to="html").decode()
    footer = ("<div><p>主办单位：平潭综合实验区管委会 网站标识码3590000001</p>"
              "<p>闽ICP备05010475号 闽公网安备 35012899001号</p><p>电话：0591-24312145 -19002</p></div>")
    page = html[: html.index("<h2>五、")] + footer + "</body></html>"
    report = gongkai.parse(page.encode("utf-8"), name="page.html")
    assert not [f for f in report.findings if f.rule.startswith("P-")]
    result = score(report, truth)
    assert result.counts["correct"] == result.cells


_CONVERTED = Path(__file__).parent / "data" / "converted"


@pytest.mark.parametrize("converter", ["pdftotext-raw", "pymupdf", "pypdf-layout", "pdfplumber",
                                       "pdftotext-layout", "pypdf", "pymupdf4llm"])
def test_numbers_wrapped_in_narrow_cells_are_joined_by_the_row_sums(converter):
    """A PDF's narrow cells wrap long numbers (18950 as 「189」 over 「50」); converters print the
    pieces one per line or below the row's first line, across a page break too. Every piece is
    used, joined where the row and column sums allow exactly one way."""
    source = _CONVERTED / f"{converter}-r0010.txt"
    truth = json.loads((_CONVERTED / "r0010.truth.json").read_text("utf-8"))
    report = gongkai.parse(source)
    result = score(report, truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    assert result.counts["correct"] == result.cells
    if converter == "pymupdf4llm":
        # its page's table ends inside a wrapped row (「171」 | page break | 「7」 in the same column)
        assert report.cells["applications.denied_inquiry.natural_person"].value == 1717
    assert report.cells["applications.new_received.natural_person"].value == 18950
    assert not [f for f in report.findings if f.rule == "P-ORPHAN"]


def test_numbers_wrapped_centred_on_their_row_are_placed_by_the_rows_weighed_together():
    """pdfplumber prints the pieces above and below the row's label line; each row alone fits its
    sum in several ways, and only the column sums of all the wrapped rows together leave one."""
    report = gongkai.parse(_CONVERTED / "pdfplumber-r0010.txt")
    row = [report.cells[f"applications.new_received.{c.key}"] for c in TEMPLATE.application_columns]
    assert [c.value for c in row] == [18950, 8742, 828, 869, 2287, 409, 32085]
    assert "joined from pieces wrapped" in (row[0].note or "")
    settled = [f for f in report.findings if f.rule == "P-SETTLED"]
    assert len(settled) == 10 and all("T3-BALANCE" in f.message or "T3-TOTAL" in f.message for f in settled)
    # one column sum off (a misprint): the rows no longer fit together, and nothing is guessed
    text = (_CONVERTED / "pdfplumber-r0010.txt").read_text("utf-8")
    assert "四、结转下年度继续办理 993 64 16 292 37" in text
    broken = gongkai.parse(text.replace("四、结转下年度继续办理 993 64 16 292 37",
                                        "四、结转下年度继续办理 993 64 17 292 37"), name="t.txt")
    truth = json.loads((_CONVERTED / "r0010.truth.json").read_text("utf-8"))
    result = score(broken, truth, "t.txt")
    assert not [e for e in result.errors if e["outcome"] != "missing" and "carried_forward" not in e["cell"]]


def test_table4_wrapped_centred_under_a_scrambled_header():
    """pdftotext -layout scrambles table 4's vertical header and prints its wide numbers centred
    (「16 25」 / 13 values / 「3 5」): the groups' sums place what they can; where the wrapped
    number could be any of a group's first four cells the cells stay missing — never blank."""
    report = gongkai.parse(_CONVERTED / "pdftotext-layout-r0003.txt")
    review = [report.cells[f"review_litigation.review.{k}"] for k in
              ("maintained", "corrected", "other", "pending", "total")]
    assert [c.status for c in review] == ["missing"] * 4 + ["read"]
    assert review[-1].value == 255
    assert [report.cells[f"review_litigation.litigation_after_review.{k}"].value for k in
            ("maintained", "corrected", "other", "pending", "total")] == [38, 5, 13, 6, 62]
    assert not [f for f in report.findings if f.rule in ("C-BLANK", "P-ORPHAN")]
    result = score(report, json.loads((_CONVERTED / "r0003.truth.json").read_text("utf-8")), "r0003")
    assert not [e for e in result.errors if e["outcome"] != "missing"]


def test_narrative_brackets_and_column_names_in_sentences_are_no_table():
    """A bracket opened mid-sentence is no table note that swallows the lines after it, and table
    4's column names inside a sentence of the narrative open no table 4."""
    source = _CONVERTED / "pymupdf-huaian-city-2024.txt"
    truth_path = Path(__file__).parent / "data" / "corpus" / "real" / "huaian-city-2024.truth.json"
    report = gongkai.parse(source)
    result = score(report, json.loads(truth_path.read_text("utf-8")), source.name)
    assert result.counts["correct"] == result.cells, result.errors
    assert not [f for f in report.findings if f.rule in ("P-ORPHAN", "P-DUPLICATE")]


@pytest.mark.parametrize("name", ["pdfplumber-r0037", "pdftotext-layout-r0197", "pdfplumber-r0197",
                                  "pypdf-r0197"])
def test_wrapped_numbers_beside_printed_empty_cells_are_never_misplaced(name):
    """Rows with blank cells (which the text drops) and numbers wrapped centred on the row: the
    pieces join, the blanks may sit anywhere the sums allow — cells are read where every reading
    agrees and missing otherwise, never shifted (both gave 4-7 silent errors before)."""
    source = _CONVERTED / f"{name}.txt"
    truth = json.loads((_CONVERTED / f"{name.rsplit('-', 1)[1]}.truth.json").read_text("utf-8"))
    result = score(gongkai.parse(source), truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    assert result.counts["correct"] >= 0.5 * result.cells  # many cells are truly undecidable here


def test_a_row_whose_wrapped_pieces_read_as_values_is_undecided_not_blamed():
    """pypdf prints 「（七）总计 417 4 828 35 47 521 2」 for 4174, 828, 35, blank, blank, 47, 5212:
    seven numbers for seven cells, but by position they break the row total while joined
    neighbours fit it, in a text that wraps numbers elsewhere — the row is undecided (missing, with
    the reason), not read and then blamed on the report (T3-ROWSUM)."""
    report = gongkai.parse(_CONVERTED / "pypdf-r0197.txt")
    row = [report.cells[f"applications.total.{c.key}"] for c in TEMPLATE.application_columns]
    assert [c.status for c in row] == ["missing"] * 7
    assert any(f.rule == "P-ALIGN" and "折行" in f.message and "applications.total.total" in f.cells
               for f in report.findings)
    assert not [f for f in report.findings if f.rule == "T3-ROWSUM" and "applications.total.total" in f.cells]


def test_pieces_that_join_no_way_stay_unplaced():
    """Pieces after a row that no join of consecutive lines' pieces makes the row's sum hold (one
    digit misprinted) are not taken: the row stays undecided, the pieces unplaced."""
    text = (_CONVERTED / "pdftotext-raw-r0010.txt").read_text("utf-8")
    assert "\n320\n85\n" in text
    report = gongkai.parse(text.replace("\n320\n85\n", "\n320\n86\n", 1), name="t.txt")
    row = [report.cells[f"applications.new_received.{c.key}"] for c in TEMPLATE.application_columns]
    assert [c.status for c in row] == ["missing"] * 7
    assert any(f.rule == "P-ORPHAN" for f in report.findings)


def test_line_numbers_are_an_editors_even_after_a_form_feed():
    """pdftotext ends each page with a form feed: it is no line break, so a finding's line is
    the one an editor or grep shows."""
    text = "甲\f乙\n三、收到和处理政府信息公开申请情况\n"
    document = read(text, name="t.txt")
    assert [(r.cells[0].text, r.cells[0].line) for r in document.rows] == [
        ("甲 乙", 1), ("三、收到和处理政府信息公开申请情况", 2)]


@pytest.mark.parametrize("name", ["pdfminer-r0033", "pdfminer-r0100", "pdftotext-r0026"])
def test_table4_printed_among_its_header_is_not_read_by_position(name):
    """pdfminer and pdftotext without ``-layout`` print a PDF's text in drawing order: table 4's
    values come between pieces of its header (「其他结果 尚未审结 结果纠正 20 90 32 结果维持 125」
    for 125, 20, 90, 32) or the zeros of table 3 fall among them. Their order says nothing of the
    columns: a group is kept only where no order could change it, else it is missing with the
    reason (these gave 4-8 shifted values each before)."""
    source = _CONVERTED / f"{name}.txt"
    truth = json.loads((_CONVERTED / f"{name.rsplit('-', 1)[1]}.truth.json").read_text("utf-8"))
    report = gongkai.parse(source)
    result = score(report, truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    cells = [p for p in report.cells if p.startswith("review_litigation.")]
    assert all(report.cells[p].status != "read" for p in cells)
    assert any(f.rule == "P-ALIGN" and set(f.cells) & set(cells) for f in report.findings)


@pytest.mark.parametrize("name", ["markitdown-pdf-r0013", "markitdown-pdf-r0033", "markitdown-pdf-r0036",
                                  "markitdown-pdf-r0041", "markitdown-pdf-r0101", "markitdown-pdf-r0164"])
def test_a_grid_guessed_from_a_pdf_gives_no_positions(name):
    """markitdown writes a PDF's text as markdown tables whose columns it guessed: two numbers share
    a cell (「| 0 0 |」), a row's values sit under the wrong header, a wrapped number's last
    digits stand on a line of their own (「118 … 131」 then 「1 7」 for 1181 … 1317). Empty
    cells of such a grid are none of the form's, and a row breaking its sum beside such pieces is
    undecided: no value is shifted, none claimed from a blank cell (2-8 errors each before)."""
    source = _CONVERTED / f"{name}.txt"
    truth = json.loads((_CONVERTED / f"{name.rsplit('-', 1)[1]}.truth.json").read_text("utf-8"))
    result = score(gongkai.parse(source), truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    assert result.counts["correct"] >= 0.45 * result.cells  # whole rows are undecidable here


def test_glued_digits_in_a_text_that_drops_blank_cells_may_stand_for_fewer_values():
    """A crawler's glued text (BeautifulSoup's ``"".join(stripped_strings)``) prints
    「本机关不掌握相关政府信息4991332135 39」 for 499, 13, blank, 3, 21, 3, 539: other rows show that
    blank cells vanish (「0000」 for seven cells), so cuts into six values with a gap stand beside
    the cuts into seven — and the cells they disagree on are missing, never 1 and 1."""
    source = _CONVERTED / "bs4-glued-s2r0010.txt"
    truth = json.loads((_CONVERTED / "s2r0010.truth.json").read_text("utf-8"))
    report = gongkai.parse(source)
    result = score(report, truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    assert report.cells["applications.unable_not_held.commercial"].status == "missing"
    # 84 of its 200 cells are blank: many glued rows split too many ways once gaps are possible
    assert result.counts["correct"] >= 0.4 * result.cells


def test_values_printed_above_a_tall_label_are_that_rows():
    """pdfplumber's text of a real PDF prints some rows' values on the line above their label
    (「0 0 0 0 0 0 0」 / 「1.属于国家秘密」) where the label's cell is taller than the values': a full
    line of values right above a row that printed none, below a row that has its own, is that
    row's (both rows were missing before)."""
    source = _CONVERTED / "pdfplumber-hongze-2024.txt"
    truth_path = Path(__file__).parent / "data" / "corpus" / "real" / "hongze-2024.truth.json"
    report = gongkai.parse(source)
    result = score(report, json.loads(truth_path.read_text("utf-8")), source.name)
    assert result.counts["correct"] == result.cells, result.errors
    assert report.cells["applications.denied_security_stability.natural_person"].status == "read"


@pytest.mark.parametrize("name", ["bs4-newline-r0036", "pdftotext-r0177"])
def test_blank_lines_of_other_texts_are_no_cells(name):
    """BeautifulSoup's newline-joined strings drop empty cells and leave blank lines where the page's
    markup was (two before table 4's values); pdftotext's drawing order leaves them between text
    boxes. Read as empty cells they shifted values (12 and 5 silent errors while that was tried):
    blank lines are cells only where the text's rows show that convention."""
    source = _CONVERTED / f"{name}.txt"
    truth = json.loads((_CONVERTED / f"{name.rsplit('-', 1)[1]}.truth.json").read_text("utf-8"))
    result = score(gongkai.parse(source), truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]


@pytest.mark.parametrize("name", ["soffice-txt-r0085", "mammoth-r0085", "soffice-txt-r0037"])
def test_blank_lines_of_a_cell_per_line_text_are_its_empty_cells(name):
    """LibreOffice's text export prints a table one cell per line, an empty cell as a blank line;
    mammoth's and docx2txt's text put a blank line after every cell, so an empty one is two more.
    Table 4 of r0085 (「」「0」「0」「」「」「0」…) and table 3's rows of r0037 are then read with their
    blanks in place (all 12 of r0085's table 4 were missing before, 62 cells of r0037)."""
    source = _CONVERTED / f"{name}.txt"
    truth = json.loads((_CONVERTED / f"{name.rsplit('-', 1)[1]}.truth.json").read_text("utf-8"))
    report = gongkai.parse(source)
    result = score(report, truth, source.name)
    assert not [e for e in result.errors if e["outcome"] != "missing"]
    # (r0037's scattered blanks hide values: a few rows still fit their sums more than one way)
    assert result.counts["correct"] >= (0.97 if name.endswith("r0085") else 0.9) * result.cells
    if name.endswith("r0085"):
        review = [report.cells[f"review_litigation.review.{k}"] for k in
                  ("maintained", "corrected", "other", "pending", "total")]
        assert [(c.status, c.value) for c in review] == [("blank", None), ("read", 0), ("read", 0),
                                                        ("blank", None), ("blank", None)]


def test_a_title_broken_a_token_per_line_keeps_its_year():
    """A page whose title a converter broke a token per line (「湘市湖岭镇人民政府」「2021」
    「年度政府信息公开工作」「年度报告」): the two lines that look like a title lack the year, so the
    phrase is found across the lines, year and all (the page was refused as "no year" before)."""
    from gongkai.extract.meta import read_meta
    from gongkai.readers import read

    lines = ["发布日期:", "2022", "-02", "-19", "湘市湖岭镇人民政府", "2021", "年度政府信息公开工作",
             "年度报告", "一", "、", "总体情况"]
    meta = read_meta(read("\n".join(lines).encode("utf-8"), name="page.txt"))
    assert (meta.year, meta.agency) == (2021, "湘市湖岭镇人民政府")
    assert meta.title == "湘市湖岭镇人民政府2021年度政府信息公开工作年度报告"
