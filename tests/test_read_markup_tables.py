"""Tables in a text format's own markup (grid tables, AsciiDoc, MediaWiki, LaTeX, raw HTML in
markdown/Textile) are read cell by cell, and the marks of those formats are never values.

The files in ``tests/data/markup/`` are what pandoc 2.17 printed for generated reports (`gongkai
synth --n 12 --formats html,docx --seed 41`, reports 1, 6 and 8; the HTML first re-encoded as
UTF-8), read line by line before these readers: AsciiDoc's and MediaWiki's empty cells were lost
(silent errors), LaTeX's 「\\multirow{3}」 gave a value 3 (a wrong inference), Textile's 「&#45;12」
was read 12, a Textile page keeping the source's <div>s was read as HTML (its pipe rows run
together: silent errors), a grid table's wrapped number was cut in two, a one-line Jira text's
「h2.」 heading gave a value 2 and its 「\\-2」 a 2."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from gongkai.document import Cell
from gongkai.errors import ParseError
from gongkai.evaluate import score
from gongkai.extract.lexer import lex_cell
from gongkai.pipeline import parse
from gongkai.readers import sniff
from gongkai.readers.markup_tables import markup_tables
from gongkai.readers.text import read_text

DATA = Path(__file__).parent / "data" / "markup"
FILES = sorted(p.name for p in DATA.glob("pandoc-*.txt"))


def _truth(name: str) -> dict[str, object]:
    report = name.rsplit("-", 1)[1].removesuffix(".txt")
    return json.loads((DATA / f"{report}.truth.json").read_text("utf-8"))


@pytest.mark.parametrize("name", FILES)
def test_pandoc_writers_tables_are_read_cell_by_cell(name: str) -> None:
    result = score(parse(DATA / name), _truth(name), name)
    wrong = [e for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    assert not wrong, wrong
    # every cell (flattened onto one line, a few of table 4's stay undecided: none is wrong)
    assert result.counts["correct"] >= result.cells * (0.97 if "one-line" in name else 1), result.errors[:5]
    assert result.agency_ok and result.year_ok


def test_the_files_cover_every_markup() -> None:
    kinds = {name.split("-")[1] if not name.startswith("pandoc-html-") else name.split("-")[2]
             for name in FILES}
    assert kinds >= {"rst", "asciidoc", "mediawiki", "latex", "textile", "markdown_strict", "jira",
                     "markdown"}


def _cells(text: str) -> list[list[str]]:
    document = read_text(text, "t.txt")
    assert len(document.tables) == 1 and document.tables[0].exact
    return [[c.text for c in row.cells] for row in document.tables[0].rows]


def test_grid_table_joins_a_cells_lines_and_spans_columns() -> None:
    text = "\n".join([
        "+------+----+----+",
        "| 名称 | 甲 | 乙 |",
        "+======+====+====+",
        "| 规范 | 22 |    |",
        "| 性文 | 02 |    |",
        "| 件   |    |    |",
        "+------+----+----+",
        "| 合并      | 5  |",
        "+-----------+----+",
    ])
    assert _cells(text) == [["名称", "甲", "乙"], ["规范\n性文\n件", "2202", ""], ["合并", "", "5"]]


def test_pandoc_multiline_table_cells_stand_under_their_column_rule() -> None:
    text = "\n".join([
        "  ------------------------------------------",
        "  行政复议              行政诉讼",
        "  ---------- ---------- ---------- ---------",
        "  结果维持   结果纠正   未经复议   总计",
        "                        直接起诉",
        "",
        "  0                     12         1",
        "                        34",
        "  ------------------------------------------",
    ])
    assert _cells(text) == [["行政复议", "", "行政诉讼", ""],
                            ["结果维持", "结果纠正", "未经复议\n直接起诉", "总计"],
                            ["0", "", "12\n34", "1"]]


def test_a_simple_table_ends_at_a_blank_line_and_a_run_off_its_columns_refuses_it() -> None:
    text = "名称   甲\n------ ----\n规章   3\n规范   \n\n后文 1 2\n"
    assert _cells(text) == [["名称", "甲"], ["规章", "3"], ["规范", ""]]
    text = "名称   甲\n------ ----\n规章            3\n"  # 「3」 stands right of the last column's end
    assert markup_tables(text.split("\n"), text, "t") == {}


def test_grid_table_with_a_row_span_is_left_to_the_line_reading() -> None:
    text = "+----+----+\n| a  | 1  |\n+    +----+\n|    | 2  |\n+----+----+\n"
    assert markup_tables(text.split("\n"), text, "t") == {}


def test_asciidoc_cells_spans_and_empty_cells() -> None:
    text = "\n".join([
        '[cols="1,1,1",options="header",]',
        "|===",
        "|名称 |甲 |乙",
        "|规章 | |3",
        "2+|合计 |3",
        ".2+|跨行 |1 |",
        "|2 |",
        "|===",
    ])
    assert _cells(text) == [["名称", "甲", "乙"], ["规章", "", "3"], ["合计", "", "3"], ["跨行", "1", ""],
                            ["", "2", ""]]


def test_asciidoc_cell_text_ending_in_a_letter_is_no_span() -> None:
    # 「|a|」 mid-line is a cell holding 「a」, not a style spec for the next cell
    assert _cells("|===\n|x |a|b\n|1 |2 |3\n|===")[0] == ["x", "a", "b"]


def test_mediawiki_empty_cells_attributes_and_spans() -> None:
    text = "\n".join([
        '{| class="wikitable"',
        '!width="7%"| 名称',
        "! 甲 !! 乙",
        "|-",
        '| rowspan="2" | 规章',
        "|",
        "| 3",
        "|-",
        "| 1 || 2",
        "|-",
        '| colspan="2" | 合计',
        "| 6",
        "|}",
    ])
    assert _cells(text) == [["名称", "甲", "乙"], ["规章", "", "3"], ["", "1", "2"], ["合计", "", "6"]]


def test_latex_cells_multicolumn_multirow_and_short_rows() -> None:
    text = "\n".join([
        r"\begin{longtable}[]{@{}",
        r"  >{\raggedright\arraybackslash}p{0.3} ll@{}}",
        r"\toprule",
        r"\multicolumn{2}{l}{\multirow{2}{*}{\begin{minipage}[b]{\linewidth}\raggedright",
        r"名称",
        r"\end{minipage}}} & \textbf{乙} \\",
        r"& & \\",
        r"\midrule",
        r"\endhead",
        r"规章 & 95\% & 3 \\",
        r"行政强制 & 20 \\",
        r"\bottomrule",
        r"\end{longtable}",
    ])
    assert _cells(text) == [["名称", "", "乙"], ["", "", ""], ["规章", "95%", "3"], ["行政强制", "20", ""]]


def test_rows_of_unequal_width_are_left_to_the_line_reading() -> None:
    # a cell lost in a MediaWiki row: which one, the markup does not say
    text = "{|\n| a\n| 1\n| 2\n|-\n| b\n| 3\n|}\n"
    assert markup_tables(text.split("\n"), text, "t") == {}


def test_raw_html_tables_in_markdown_are_laid_out_on_their_grid() -> None:
    text = ('段落\n\n<table>\n<tr><td colspan="2">一、本年新收</td><td>5</td></tr>\n'
            "<tr><td>a</td><td></td><td>6</td></tr>\n</table>\n\n后文\n")
    document = read_text(text, "t.md")
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["一、本年新收", "", "5"], ["a", "", "6"]]
    assert [row.cells[0].line for row in document.tables[0].rows] == [4, 5]
    assert [r.cells[0].text for r in document.rows if len(r.cells) == 1] == ["段落", "后文"]


def test_markup_around_paragraphs_is_not_their_text() -> None:
    text = "\n".join(["= 某县人民政府2023年度政府信息公开工作年度报告 =", "::: nav", ".. container:: x",
                      ":name: 标签", "'''加粗'''", "== 一、总体情况", "# 标题 {#id .cls}"])
    document = read_text(text, "t.txt")
    assert [r.cells[0].text for r in document.rows] == [
        "某县人民政府2023年度政府信息公开工作年度报告", "加粗", "一、总体情况", "# 标题"]


def test_character_references_and_markdown_escapes_are_undone() -> None:
    document = read_text("|行政强制|20|&#45;12||0|\n|收费|6|\\-2||1|\n", "t.txt")
    assert [c.text for c in document.rows[0].cells] == ["行政强制", "20", "-12", "", "0"]
    assert [c.text for c in document.rows[1].cells] == ["收费", "6", "-2", "", "1"]


@pytest.mark.parametrize("text, values", [
    ("h2. 五、存在的主要问题", []),
    ("GB2312编码", []),
    ("|行政强制|20|-12||0|", [20, -12, 0]),
    ("20，-12", [20, -12]),
])
def test_digits_in_words_are_no_values_and_a_minus_after_a_separator_is_a_sign(text, values) -> None:
    assert [t.value for t in lex_cell(Cell(text, 1)) if t.kind == "num"] == values


def test_a_textile_page_keeping_the_sources_divs_is_text() -> None:
    data = (DATA / "pandoc-html-textile-r0008.txt").read_bytes()
    assert data.lstrip().startswith(b"<div")
    assert sniff(data) == "text"
    assert sniff(b"<div>x</div>\n<table><tr><td>1</td></tr></table>\n|a|b|\n|c|d|\n") == "html"


def test_an_unclosed_block_is_no_table() -> None:
    for text in ("|===\n|a |b\n|1 |2\n", "{|\n| a\n| 1\n", "\\begin{tabular}{ll}\na & 1 \\\\\n"):
        assert markup_tables(text.split("\n"), text, "t") == {}
        with contextlib.suppress(ParseError):  # (nothing else may go wrong)
            read_text(text, "t.txt")


def test_a_table_exported_as_csv_is_read_field_by_field() -> None:
    # read as text, 「行政许可,374,374,374」 was one number with thousands separators: 374374374
    rows = ["信息内容,本年新制作数量,本年新公开数量,对外公开总数量", "规章,0,0,0", "规范性文件,\"1,234\",5,6",
            "信息内容,本年处理决定数量,本年处理决定数量,本年处理决定数量", "行政许可,374,374,374",
            "行政处罚,,3,—", "行政强制,1,2,3"]
    document = read_text("某县2023年度报告\n" + "\n".join(rows) + "\n", "t.csv")
    table = document.tables[0]
    assert table.markup == "csv"
    assert [c.text for c in table.rows[2].cells] == ["规范性文件", "1,234", "5", "6"]
    assert [c.text for c in table.rows[4].cells] == ["行政许可", "374", "374", "374"]
    assert [c.text for c in table.rows[5].cells] == ["行政处罚", "", "3", "—"]


def test_sentences_with_commas_are_no_csv() -> None:
    text = "\n".join(["2023年,我局认真贯彻落实,全年主动公开信息,其中政策文件,解读材料。"] * 8)
    document = read_text(text, "t.txt")
    assert not document.tables and len(document.rows) == 8
