"""What is not a report is never stored as one (issue 15).

A folder mixes every kind of document the project meets that is not an annual report — JSON of
other tools, ground-truth files, gongkai's own command output, a budget report, a notice about the
reports, tables of other statistics, the empty official form, web pages of each kind — with real
reports (the seeds, a crawled page, a real PDF, the bundled sample, a report whose tables 2 and 4
are cut out, a report JSON gongkai wrote). Ingest stores exactly the reports and one failure with
a clear reason per other file; parse and check refuse each non-report naming the file. Partial
reports stay reports; a report JSON goes parse → JSON → check / render / ingest unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gongkai
from corpus import CRAWL, REAL, SEEDS, SPEC
from gongkai.cli import app
from gongkai.errors import ParseError
from gongkai.extract.labels import section_heading
from gongkai.pipeline import NOT_A_REPORT, is_report_title
from gongkai.readers import sniff
from gongkai.report import CellValue, Report
from gongkai.template import TEMPLATE, TableShape

runner = CliRunner()
SAMPLE = Path(gongkai.__file__).parent / "samples" / "示例镇-2023.txt"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
# seed 000 prints no heading 三 or 四 (its tables run on from 二), so its sections cannot be cut
CUTTABLE = [s for s in SEED_FILES if not s.name.startswith("000_")]
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
DAMAGED = "gongkai 报告 JSON 已损坏"


def _needs(module: str) -> None:
    """Skip without an optional Python package on a developer machine; in CI it must be there."""
    if os.environ.get("CI") == "true":
        __import__(module)
    else:
        pytest.importorskip(module)


# ------------------------------------------------------------------------------ the non-reports
BUDGET = """某某县财政局2024年部门预算公开说明
第一部分 部门概况
一、部门主要职责
负责全县财政收支、财政政策、国有资产管理等工作。
第二部分 2024年部门预算表
收支预算总表（单位：万元）
项目\t本年预算数\t上年预算数
一般公共预算拨款收入\t1234.56\t1180.20
政府性基金预算拨款收入\t0\t0
行政事业性收费\t12.5\t11.3
合计\t1247.06\t1191.50
一般公共预算“三公”经费支出表
因公出国（境）费\t0\t0
公务接待费\t3.2\t3.6
公务用车购置及运行费\t8\t8.5
第三部分 名词解释
行政事业性收费：指按规定收取的行政事业性收费收入。
"""

NOTICE = """某某县人民政府办公室关于做好2023年度政府信息公开工作年度报告编制发布工作的通知
各乡镇人民政府，县政府各部门：
根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告格式的要求，现就有关事项通知如下：
一、请各单位于2024年1月31日前在政府门户网站发布本单位2023年度政府信息公开工作年度报告。
二、报告应包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分内容。
三、“本年新收政府信息公开申请数量”加“上年结转政府信息公开申请数量”应等于“（七）总计”加“结转下年度继续办理”，“行政许可”“行政处罚”填写本年处理决定数量，无数据的填0，不得填“/”。
联系人：张三，电话：0000-1234567
某某县人民政府办公室
2024年1月5日
"""

ENFORCEMENT_YEARBOOK = """某某县2023年度行政执法统计年报
填报单位：某某县司法局
项目\t本年数量\t上年数量\t增减
行政许可\t1520\t1433\t87
行政处罚\t312\t298\t14
行政强制\t41\t37\t4
行政检查\t2210\t2012\t198
行政征收\t15\t11\t4
行政确认\t96\t90\t6
"""

OLD_DISCLOSURE_FORM = """政府信息公开工作情况统计表（2015年度）
指标名称\t单位\t统计数
一、主动公开情况\t\t
（一）主动公开政府信息数\t条\t356
其中：主动公开规范性文件数\t条\t12
（二）通过不同渠道和方式公开政府信息的情况\t\t
1.政府公报公开政府信息数\t条\t0
2.政府网站公开政府信息数\t条\t356
二、回应解读情况\t\t
三、依申请公开情况\t\t
（一）收到申请数\t件\t12
1.当面申请数\t件\t3
（二）申请办理结果\t\t
1.按时办结数\t件\t12
四、行政复议数量\t件\t0
五、行政诉讼数量\t件\t0
"""

# a crawler's list page: report titles (with agency and year) and dates, and nothing of a report
LISTING = """某某县人民政府 政府信息公开年报
首页 > 政府信息公开 > 政府信息公开年报
某某县人民政府2023年度政府信息公开工作年度报告
2024-01-20
某某县人民政府2022年度政府信息公开工作年度报告
2023-01-18
某某县财政局2023年度政府信息公开工作年度报告
2024-01-19
共 3 条 1/1 页
"""


def _html(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><div class='nav'>首页 &gt; 政府信息公开</div>{body}</body></html>")


def _html_table(rows: list[list[str]]) -> str:
    return "<table border='1'>" + "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows) + "</table>"


def _tsv_rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.splitlines() if "\t" in line]


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{line}</p>" for line in text.splitlines() if "\t" not in line)


def _other_tool_json() -> str:
    """The issue's case: a JSON whose notes quote a table label and a 「/」."""
    return json.dumps({
        "tool": "table-harvester", "version": "2.3",
        "source": "https://example.invalid/zwgk/2023/report.html",
        "notes": ["表三「本年新收政府信息公开申请数量」一行印为 /",
                  "三、收到和处理政府信息公开申请情况 缺页"],
        "tables": [{"caption": "收到和处理政府信息公开申请情况", "rows": [["自然人", "/"], ["总计", "/"]]}],
    }, ensure_ascii=False, indent=1)


def _stored_non_report_json() -> str:
    """A report JSON as an older gongkai wrote it for a non-report: no agency, no year, every cell
    missing (the row the issue found in a supervisor's database)."""
    layout = TableShape("2021")
    cells = {path: CellValue(None, "missing") for path in TEMPLATE.cell_paths(layout)}
    return Report(agency=None, year=None, template="2021", cells=cells, source="notes.json").to_json()


def _damaged_report_json() -> str:
    """A gongkai report JSON whose nested view was edited but not its cells: which is meant?"""
    data = gongkai.parse(SEED_FILES[-1]).to_dict()
    data["applications"]["granted"][0] = 99
    return json.dumps(data, ensure_ascii=False)


def _json_lines() -> str:
    return "\n".join(gongkai.parse(path).to_json(indent=None) for path in SEED_FILES[:2]) + "\n"


def _check_output() -> str:
    result = runner.invoke(app, ["check", str(SEED_FILES[0]), "--format", "json"])
    return result.stdout


def non_reports(folder: Path) -> dict[str, str]:
    """Write every kind of non-report into ``folder``: file name → what the failure must say."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def put(name: str, content: str | bytes, says: str = NOT_A_REPORT) -> None:
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        expected[name] = says

    put("other-tool.json", _other_tool_json())
    put("other-tool-list.json", json.dumps([{"name": "表三", "value": "/"}], ensure_ascii=False))
    put("old-gongkai-nonreport.json", _stored_non_report_json())
    put("damaged-report.json", _damaged_report_json(), DAMAGED)
    put("reports.jsonl", _json_lines())
    put("check-output.json", _check_output())
    put("budget.txt", BUDGET)
    put("notice.txt", NOTICE)
    put("enforcement-yearbook.txt", ENFORCEMENT_YEARBOOK)
    put("disclosure-form-2015.txt", OLD_DISCLOSURE_FORM)
    put("listing.txt", LISTING)
    put("budget.html", _html("部门预算公开", _paragraphs(BUDGET) + _html_table(_tsv_rows(BUDGET))))
    put("notice.html", _html("通知", _paragraphs(NOTICE)))
    put("enforcement-yearbook.html", _html("统计年报", _paragraphs(ENFORCEMENT_YEARBOOK)
                                           + _html_table(_tsv_rows(ENFORCEMENT_YEARBOOK))))
    put("listing.html", _html("政府信息公开年报", "<ul>" + "".join(
        f"<li><a href='/r{i}.html'>{line}</a></li>" for i, line in enumerate(LISTING.splitlines()[2:8:2]))
        + "</ul>"))
    put("not-found.html", _html("404 页面不存在", "<h1>404</h1><p>您访问的页面不存在或已被删除。</p>"))
    # the empty official form: labels of every table, no agency, no year, no value
    from gongkai.render import blank_form

    put("form-2021.html", blank_form("2021", "html"))
    put("form-2019.md", blank_form("2019", "md"))
    put("template-spec.md", (SPEC / "template.md").read_bytes())  # the template described in prose
    put("report-json-spec.md", (SPEC / "report-json.md").read_bytes())
    return expected


def office_non_reports(folder: Path) -> dict[str, str]:
    """The empty form as the Office files people download: the official DOCX, and gongkai's."""
    _needs("docx")
    _needs("openpyxl")
    from gongkai.render import blank_form

    (folder / "form-2021.xlsx").write_bytes(blank_form("2021", "xlsx"))
    (folder / "form-2021.docx").write_bytes(blank_form("2021", "docx"))
    shutil.copy(SPEC / "official-template-2021.docx", folder / "official-template-2021.docx")
    names = ("form-2021.xlsx", "form-2021.docx", "official-template-2021.docx")
    return dict.fromkeys(names, NOT_A_REPORT)


# ------------------------------------------------------------------------------ partial reports
def drop_sections(text: str, keys: tuple[str, ...]) -> str:
    """The text with everything under the given section headings cut out, headings kept: the
    tables of those sections are gone, as a bad conversion loses them."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines():
        key = section_heading(line.strip().lstrip("#").strip())
        if key is not None:
            dropping = key in keys
            kept.append(line)
        elif not dropping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _cut(seed: Path, keys: tuple[str, ...]) -> str:
    text = seed.read_text("utf-8")
    cut = drop_sections(text, keys)
    assert cut != text, f"{seed.name}: nothing cut"
    return cut


@pytest.mark.parametrize("seed", CUTTABLE, ids=lambda p: p.name[:3])
def test_a_report_without_tables_2_and_4_stays_a_report(seed):
    whole = gongkai.parse(seed)
    report = gongkai.parse(_cut(seed, ("active_disclosure", "review_litigation")).encode(), name=seed.name)
    assert (report.agency, report.year, report.template) == (whole.agency, whole.year, whole.template)
    for path, cell in report.cells.items():
        if path.startswith(("active_disclosure.", "review_litigation.")):
            assert cell.status == "missing" and cell.value is None, path
        elif cell.status == "read":  # table 3 as it was read from the whole report
            assert cell.value == whole.cells[path].value, path
    assert any(c.status == "read" for p, c in report.cells.items() if p.startswith("applications."))
    missing_tables = {f.message.split("有")[0] for f in report.findings if f.rule == "S-TABLES"}
    assert {"表二", "表四"} <= missing_tables, [f.message for f in report.findings]


@pytest.mark.parametrize("seed", CUTTABLE, ids=lambda p: p.name[:3])
def test_a_report_whose_tables_were_all_lost_stays_a_report(seed):
    whole = gongkai.parse(seed)
    report = gongkai.parse(_cut(seed, TABLE_SECTIONS).encode(), name=seed.name)
    assert (report.agency, report.year) == (whole.agency, whole.year) and report.agency
    assert {c.status for c in report.cells.values()} == {"missing"}
    assert {f.message[:2] for f in report.findings if f.rule == "S-TABLES"} == {"表二", "表三", "表四"}


def test_a_lost_table_report_without_its_headings_is_not_taken_for_one():
    """Title, agency and year alone are what a list of links also has: without table values the
    report's own section headings must be there too."""
    with pytest.raises(ParseError) as error:
        gongkai.parse(LISTING.encode(), name="listing.txt")
    assert error.value.name == "listing.txt" and NOT_A_REPORT in error.value.reason
    assert "章节标题" in error.value.reason


def test_report_titles():
    assert is_report_title("木金乡人民政府2023年度 政府信息公开工作年度报告")
    assert is_report_title("《某某市财政局2022年政府信息公开工作年度报告》（修订版）")
    assert is_report_title("标题: 平潭综合实验区公安局2021年政府信息公开工作年度报告")
    assert not is_report_title("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知")
    assert not is_report_title("关于报送2023年度政府信息公开工作年度报告")
    assert not is_report_title("政府信息公开工作年度报告格式模板")
    assert not is_report_title("某某县2024年预算信息公开报告说明")
    assert not is_report_title(None)


# ------------------------------------------------------------------------------ parse / check refuse
def test_parse_and_check_refuse_each_non_report_naming_the_file(tmp_path):
    expected = non_reports(tmp_path)
    for name, says in expected.items():
        path = tmp_path / name
        with pytest.raises(ParseError) as error:
            gongkai.parse(path)
        assert error.value.name == str(path) and says in error.value.reason, (name, error.value.reason)
        for command in ("parse", "check"):
            result = runner.invoke(app, [command, str(path)])
            assert result.exit_code != 0, (command, name, result.stdout)
            assert f"{path}: " in result.stderr and says in result.stderr, (command, name, result.stderr)
            assert result.stdout.strip() in ("", "[]") or command == "check", (command, name, result.stdout)


def test_office_forms_are_refused(tmp_path):
    for name, says in office_non_reports(tmp_path).items():
        with pytest.raises(ParseError) as error:
            gongkai.parse(tmp_path / name)
        assert says in error.value.reason, (name, error.value.reason)


def test_each_reason_says_what_is_missing(tmp_path):
    non_reports(tmp_path)
    reasons = {}
    for name in ("budget.txt", "notice.txt", "other-tool.json", "form-2021.html", "listing.txt",
                 "old-gongkai-nonreport.json", "reports.jsonl", "check-output.json"):
        with pytest.raises(ParseError) as error:
            gongkai.parse(tmp_path / name)
        reasons[name] = error.value.reason
    assert "未找到报告标题或单位" in reasons["budget.txt"] and "未找到报告年度" in reasons["budget.txt"]
    assert "不是年度报告的标题" in reasons["notice.txt"]  # a notice about the reports, not one
    assert "schema" in reasons["other-tool.json"]
    assert "年度" in reasons["form-2021.html"]  # the bare form: fill in the title with agency and year
    assert "JSON Lines" in reasons["reports.jsonl"] and "gongkai parse -o" in reasons["reports.jsonl"]
    assert "gongkai check" in reasons["check-output.json"]
    assert "未找到报告标题或单位" in reasons["old-gongkai-nonreport.json"]
    for reason in reasons.values():  # Chinese first, the English after it
        assert reason.startswith(NOT_A_REPORT) and "not an annual report" in reason


def test_the_form_with_agency_and_year_in_its_title_is_a_report():
    """What the refusal of the bare form asks for is enough: the same form, its title filled in,
    is a report (every cell printed blank, C-BLANK says so)."""
    from gongkai.render import blank_form

    html = blank_form("2021", "html").decode().replace(  # the page's <title> and its heading
        ">政府信息公开工作年度报告<", ">某某镇人民政府2023年度政府信息公开工作年度报告<")
    report = gongkai.parse(html.encode(), name="filled.html")
    assert (report.agency, report.year) == ("某某镇人民政府", 2023)
    assert {c.status for c in report.cells.values()} == {"blank"}
    assert "C-BLANK" in {f.rule for f in report.findings}


def test_truth_files_are_refused_as_ground_truth():
    for truth in [*SEEDS.glob("*.truth.json"), *REAL.glob("*.truth.json"), *CRAWL.glob("*.truth.json")]:
        with pytest.raises(ParseError) as error:
            gongkai.parse(truth)
        assert "真值" in error.value.reason and "gongkai eval" in error.value.reason, truth.name


def test_text_that_only_looks_like_json_is_read_as_text():
    text = "{\n" + SAMPLE.read_text("utf-8") + "\n}"  # begins and ends like JSON, and is none
    report = gongkai.parse(text.encode(), name="braces.txt")
    expected = gongkai.parse(SAMPLE)
    assert sniff(text.encode()) == "text" and sniff(expected.to_json().encode()) == "json"
    assert sniff(_json_lines().encode()) == "json"
    assert report.year == expected.year and report.agency
    assert {p: c.value for p, c in report.cells.items()} == {p: c.value for p, c in expected.cells.items()}


# ------------------------------------------------------------------------------ the mixed folder
def _gongkai(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from gongkai.cli import main; main()", *args],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})


def mixed_folder(root: Path) -> tuple[dict[str, str], set[str], dict[str, Report]]:
    """Real reports beside every kind of non-report: (non-report → what its failure says,
    the reports' file names, the reports as parsed from their own source)."""
    folder = root / "mixed"
    expected = non_reports(folder)
    with contextlib.suppress(pytest.skip.Exception):  # without the Office packages (not in CI)
        expected |= office_non_reports(folder)
    reports: dict[str, Report] = {}
    for seed in SEED_FILES:
        shutil.copy(seed, folder / seed.name)
        shutil.copy(seed.with_name(seed.name.replace(".txt", ".truth.json")), folder)
        expected[seed.name.replace(".txt", ".truth.json")] = "真值"
        reports[seed.name] = gongkai.parse(seed)
    crawl = CRAWL / "pingtan-police-2021.txt"
    shutil.copy(crawl, folder / crawl.name)
    shutil.copy(CRAWL / "pingtan-police-2021.truth.json", folder)
    expected["pingtan-police-2021.truth.json"] = "真值"
    reports[crawl.name] = gongkai.parse(crawl)
    shutil.copy(SAMPLE, folder / "sample.txt")
    reports["sample.txt"] = gongkai.parse(SAMPLE)
    partial = folder / "partial-004.txt"
    partial.write_text(_cut(SEED_FILES[-1], ("active_disclosure", "review_litigation")), "utf-8")
    reports[partial.name] = gongkai.parse(partial)
    _needs("pypdfium2")
    pdf = REAL / "hongze-2023.pdf"
    shutil.copy(pdf, folder / pdf.name)
    reports[pdf.name] = gongkai.parse(pdf)
    # a report JSON gongkai wrote, of a report not otherwise in the folder: a report
    huaian = gongkai.parse(REAL / "huaian-city-2024.pdf")
    (folder / "huaian-city-2024.json").write_text(huaian.to_json(), "utf-8")
    reports["huaian-city-2024.json"] = huaian
    return expected, set(reports), reports


def test_ingest_of_a_mixed_folder_stores_exactly_the_reports(tmp_path):
    _needs("sqlalchemy")
    expected, report_names, reports = mixed_folder(tmp_path)
    folder = tmp_path / "mixed"
    assert {p.name for p in folder.iterdir()} == set(expected) | report_names
    db = tmp_path / "store.db"
    done = _gongkai("ingest", str(folder), "--db", str(db), "--workers", "2", "--no-progress")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        stored = {Path(source).name: (agency, year) for source, agency, year in conn.execute(
            "SELECT source, agency, year FROM reports")}
    assert set(stored) == report_names
    assert all(agency and year for agency, year in stored.values()), stored
    listed = _gongkai("failures", "--db", str(db), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    failures = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]  # JSON Lines
    by_name = {Path(row["path"]).name: row["reason"] for row in failures}
    assert len(failures) == len(by_name) == len(expected), sorted(by_name)
    assert set(by_name) == set(expected)
    for name, says in expected.items():
        assert says in by_name[name], (name, by_name[name])
    # the stored cells are the parser's, for the report JSON as for the sources
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT r.source, p.path, c.value, c.status FROM cells c"
            " JOIN reports r ON r.document_id = c.report_id JOIN cell_paths p ON p.id = c.path_id").fetchall()
    got: dict[str, dict[str, tuple]] = {}
    for source, path, value, status in rows:
        got.setdefault(Path(source).name, {})[path] = (value, status)
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT r.source, f.rule, f.severity, f.message FROM findings f JOIN reports r"
                             " ON r.document_id = f.report_id ORDER BY r.source, f.seq").fetchall()
    findings: dict[str, list[tuple]] = {}
    for source, *finding in found:
        findings.setdefault(Path(source).name, []).append(tuple(finding))
    for name, report in reports.items():
        assert got[name] == {p: (c.value, c.status) for p, c in report.cells.items()}, name
        assert findings.get(name, []) == [(f.rule, f.severity, f.message) for f in report.findings], name
    assert "S-TABLES" in {rule for rule, _, _ in findings["partial-004.txt"]}
    with sqlite3.connect(db) as conn:  # the document stored for a report JSON is that JSON
        (media_type,) = conn.execute("SELECT d.media_type FROM documents d JOIN reports r"
                                     " ON r.document_id = d.id WHERE r.source LIKE '%huaian-city-2024.json'"
                                     ).fetchone()
    assert media_type == "application/json"


# ------------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])
def test_report_json_round_trip(tmp_path, seed):
    report = gongkai.parse(seed)
    target = tmp_path / f"{seed.stem}.json"
    target.write_text(report.to_json(), "utf-8")
    back = gongkai.parse(target)
    assert back.to_dict() == report.to_dict()
    checked = runner.invoke(app, ["check", str(target), "--format", "json"])
    original = runner.invoke(app, ["check", str(seed), "--format", "json"])
    assert checked.exit_code == original.exit_code
    (entry,) = json.loads(checked.stdout)
    (expected,) = json.loads(original.stdout)
    assert entry["findings"] == expected["findings"]  # (seed 004 has none, the others some)
    assert (entry["agency"], entry["year"]) == (expected["agency"], expected["year"])
    markdown = tmp_path / "out.md"
    rendered = runner.invoke(app, ["render", str(target), "--to", "md", "-o", str(markdown)])
    assert rendered.exit_code == 0, rendered.stderr
    direct = tmp_path / "direct.md"
    assert runner.invoke(app, ["render", str(seed), "--to", "md", "-o", str(direct)]).exit_code == 0
    assert markdown.read_text("utf-8") == direct.read_text("utf-8")


def test_a_hand_corrected_report_json_is_checked_again(tmp_path):
    """A value corrected in both views of the JSON: the checker's findings follow the new value,
    the extractor's stay as parsed."""
    report = gongkai.parse(SAMPLE)
    assert any(f.rule == "T3-BALANCE" for f in report.findings)
    data = report.to_dict()
    # the sample's table 3 totals miss the one application carried over: put it in the totals
    for column, index in (("natural_person", 0), ("total", 6)):
        data["cells"][f"applications.new_received.{column}"]["value"] -= 1
        data["applications"]["new_received"][index] -= 1
    target = tmp_path / "corrected.json"
    target.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    again = gongkai.parse(target)
    assert not any(f.rule == "T3-BALANCE" for f in again.findings), [f.message for f in again.findings]
    parse_findings = [f.to_dict() for f in report.findings if f.rule.startswith("P-")]
    assert [f.to_dict() for f in again.findings if f.rule.startswith("P-")] == parse_findings


def test_a_report_json_is_no_source_document(tmp_path):
    """The readers give documents; a report JSON is refused there with what it is (the web app
    shows this when the stored source of a report is its JSON)."""
    from gongkai.readers import read

    report = gongkai.parse(SEED_FILES[-1])
    with pytest.raises(ParseError, match="gongkai 报告 JSON"):
        read(report.to_json().encode(), name="r.json")
