"""Exports made for people (issue 13, item 5): filters, Chinese headers, CSV that Excel opens, types
kept on read-back, and the supervisor's workbook (summary, findings, panel, codebook, every report)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")
pytest.importorskip("openpyxl")

import pandas as pd
import typer
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from clerk_reports import report_text, write_reports
from gongkai.store import open_store
from gongkai.store.commands import register
from gongkai.store.export import Filters, panel_wide

REPORTS = {
    "hz-2023.txt": report_text("淮安市洪泽区人民政府", 2023, signature="2024年4月15日"),  # late
    "hz-2024.txt": report_text("淮安市洪泽区人民政府", 2024, published="2025-03-20"),  # on time
    "finance-2024.txt": report_text("淮安市洪泽区财政局", 2024, published="2025-01-20"),
    "chahe-2024.txt": report_text("淮安市洪泽区岔河镇人民政府", 2024),
    "xuyi-2024.txt": report_text("淮安市盱眙县人民政府", 2024),
    "nanjing-2024.txt": report_text("南京市玄武区人民政府", 2024),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("people")
    write_reports(folder / "in", REPORTS)
    path = str(folder / "g.db")
    with open_store(path) as store:
        store.ingest([folder / "in"], workers=1)
    runner = CliRunner()
    result = runner.invoke(_app(), ["roster", "from-divisions", "320800", "--levels", "县", "--db", path])
    assert result.exit_code == 0, result.output
    return path


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _export(db: str, target: Path, *args: str) -> None:
    result = CliRunner().invoke(_app(), ["export", "--db", db, "-o", str(target), *args])
    assert result.exit_code == 0, result.output


def test_filters(db: str, tmp_path: Path) -> None:
    with open_store(db) as store:
        assert len(panel_wide(store.engine, Filters(region="淮安市"))) == 5
        assert len(panel_wide(store.engine, Filters(region="320813", years=(2024,)))) == 3
        assert len(panel_wide(store.engine, Filters(levels=("乡镇", "部门")))) == 2
        assert len(panel_wide(store.engine, Filters(editions=("2019",)))) == 0
    target = tmp_path / "wide.csv"
    _export(db, target, "--form", "wide", "--region", "淮安市", "--year", "2024", "--level", "县")
    frame = pd.read_csv(target, dtype={"agency_key": str, "region_code": str})
    assert sorted(frame["agency"]) == ["淮安市洪泽区人民政府", "淮安市盱眙县人民政府"]
    result = CliRunner().invoke(_app(), ["export", "--db", db, "--year", "twenty", "-o", str(target)])
    assert result.exit_code == 2 and "--year" in result.output
    result = CliRunner().invoke(_app(), ["export", "--db", db, "--level", "村", "-o", str(target)])
    assert result.exit_code == 2 and "村" in result.output


def test_csv_for_excel_and_types_on_read_back(db: str, tmp_path: Path) -> None:
    target = tmp_path / "wide.csv"
    _export(db, target, "--form", "wide")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese
    frame = pd.read_csv(target, dtype={"agency_key": str, "region_code": str, "sha256": str})
    with open_store(db) as store:
        stored = panel_wide(store.engine).set_index("document_id")
    frame = frame.set_index("document_id").loc[stored.index]
    assert frame["year"].dtype == "int64" and frame["applications.new_received.total"].dtype.kind in "if"
    received = stored["applications.new_received.total"].tolist()
    assert frame["applications.new_received.total"].tolist() == received
    assert frame.loc[frame["agency"] == "淮安市洪泽区人民政府", "timeliness"].tolist() == ["逾期", "按时"]
    xlsx = tmp_path / "wide.xlsx"
    _export(db, xlsx, "--form", "wide", "--format", "xlsx")
    back = pd.read_excel(xlsx).set_index("document_id").loc[stored.index]
    assert back["applications.new_received.total"].tolist() == received
    assert back["year"].dtype == "int64" and back["agency"].tolist() == stored["agency"].tolist()


def test_chinese_headers(db: str, tmp_path: Path) -> None:
    target = tmp_path / "wide.csv"
    _export(db, target, "--form", "wide", "--labels", "zh")
    columns = pd.read_csv(target, nrows=0).columns.tolist()
    assert columns[:3] == ["来源文件", "单位", "单位标识"]  # for people: the file and the unit first …
    assert columns[-2:] == ["文档编号", "SHA-256"]  # … the identifiers last
    assert "表三「一、本年新收政府信息公开申请数量」「总计」" in columns and "是否按时" in columns
    assert len(set(columns)) == len(columns)


def test_an_xlsx_export_is_laid_out_for_people(db: str, tmp_path: Path) -> None:
    """Any --format xlsx export: a bold header frozen above the rows with a filter, columns as wide
    as their text; the panel's numbers stay numbers."""
    target = tmp_path / "wide.xlsx"
    _export(db, target, "--form", "wide", "--format", "xlsx", "--labels", "zh", "--region", "320800")
    book = load_workbook(target)
    sheet = book["数据"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["来源文件", "单位"] and sheet["A1"].font.b
    unit = header.index("单位") + 1
    longest = max(len(str(sheet.cell(row, unit).value or "")) for row in range(2, sheet.max_row + 1))
    assert sheet.column_dimensions[get_column_letter(unit)].width >= 2 * longest  # Chinese: two columns each
    received = header.index("表三「一、本年新收政府信息公开申请数量」「总计」") + 1
    assert all(isinstance(sheet.cell(row, received).value, int) for row in range(2, sheet.max_row + 1))
    assert sheet.max_row - 1 == 5  # 洪泽区 2023 and 2024, 财政局, 岔河镇 and 盱眙县 are in 淮安市; not 南京


def test_the_supervisors_workbook(db: str, tmp_path: Path) -> None:
    target = tmp_path / "workbook.xlsx"
    _export(db, target, "--form", "workbook", "--region", "淮安市")
    book = load_workbook(target)
    assert book.sheetnames[:4] == ["汇总", "问题清单", "面板", "数据字典"]
    assert len(book.sheetnames) == 4 + 5  # every report of the region in the official layout
    for name in book.sheetnames[:4]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold, name
        assert sheet.column_dimensions["A"].width >= 6, name
    summary = pd.read_excel(target, sheet_name="汇总", dtype={"单位标识": str})
    rows = summary.set_index(["单位标识", "年度"])
    assert rows.loc[("320813", 2023), "是否发布"] == "已发布"
    assert rows.loc[("320813", 2023), "是否按时"] == "逾期"
    assert rows.loc[("320813", 2024), "是否按时"] == "按时"
    assert rows.loc[("320831", 2024), "是否发布"] == "未发布"  # 金湖县: on the roster, never published
    assert rows.loc[("320831", 2024), "名册"] == "是"  # a word, not TRUE
    assert rows.loc[("320813/财政局", 2024), "是否按时"] == "按时"
    assert rows.loc[("320813/岔河镇", 2024), "是否按时"] == "无法定期限"
    assert rows.loc[("320813", 2024), "新收申请"] == 12 and rows.loc[("320813", 2024), "错误数"] == 2
    assert abs(rows.loc[("320813", 2024), "公开率"] - 8 / 12) < 1e-9
    sheet = book["汇总"]
    header = [c.value for c in sheet[1]]
    rate = sheet.cell(2 + summary.index[summary["公开率"].notna()][0], header.index("公开率") + 1)
    assert rate.number_format == "0.0%"
    deadline = sheet.cell(2 + summary.index[summary["法定期限"].notna()][0], header.index("法定期限") + 1)
    assert isinstance(deadline.value, datetime) and deadline.number_format == "yyyy-mm-dd"
    findings = pd.read_excel(target, sheet_name="问题清单")
    late = findings[findings["规则"] == "C-LATE"]
    assert len(late) == 1 and "晚于法定期限2024-03-31" in late.iloc[0]["问题"]
    assert set(findings["严重程度"]) == {"错误", "警告"}
    panel = pd.read_excel(target, sheet_name="面板")
    assert len(panel) == 5 and "表三「(一)予以公开」「自然人」" in panel.columns
    one = book[book.sheetnames[4]]
    texts = [c.value for row in one.iter_rows() for c in row if isinstance(c.value, str)]
    assert "一、本年新收政府信息公开申请数量" in texts and "结果维持" in texts
    english = tmp_path / "workbook-en.xlsx"
    _export(db, english, "--form", "workbook", "--region", "320813", "--lang", "en")
    assert load_workbook(english).sheetnames[:4] == ["summary", "findings", "panel", "codebook"]


def test_findings_command(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["findings", "--db", db, "--rule", "C-LATE"])
    assert result.exit_code == 0 and "C-LATE" in result.output and "淮安市洪泽区人民政府" in result.output
    assert "严重程度" in result.output
    result = runner.invoke(_app(), ["findings", "--db", db, "--format", "csv", "--severity", "error",
                                    "--region", "南京市"])
    frame = pd.read_csv(__import__("io").StringIO(result.output))
    assert set(frame["rule"]) == {"T3-BALANCE"} and set(frame["agency"]) == {"南京市玄武区人民政府"}
    target = tmp_path / "findings.xlsx"
    result = runner.invoke(_app(), ["findings", "--db", db, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0 and "已写入" in result.output
    back = pd.read_excel(target)
    assert {"规则", "问题", "单位"} <= set(back.columns) and len(back) >= 6 * 3
