"""The clerk's command line (issue 13, items 2, 6, 7): Chinese by default and English on request,
read-only commands that refuse a database that does not exist, readable tables, Excel addresses
and the form's agency/year fields in `check`, progress and a closing summary."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from clerk_reports import report_text, write_reports
from gongkai.cli import app as main_app

pytest.importorskip("sqlalchemy")
pytest.importorskip("openpyxl")

import typer
from rich.console import Console
from typer.testing import CliRunner

from gongkai.messages import MESSAGES, header, say
from gongkai.progress import Progress
from gongkai.store.commands import register

READ_ONLY = (["failures"], ["stats"], ["across"], ["cross-year"], ["missing", "--region", "淮安市"],
             ["findings"], ["export", "-o", "x.csv"], ["roster", "list"], ["roster", "clear"])


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_the_catalogue_has_both_languages() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, key
    assert say("db.missing", "en", db="x.db").startswith("database x.db does not exist")
    assert header("received") == "新收申请" and header("received", "en") == "received"
    assert header("fail_T3-BALANCE") == "未通过 T3-BALANCE 占比"


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c))
def test_read_only_commands_refuse_a_database_that_does_not_exist(command: list[str], tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    result = CliRunner().invoke(_app(), [*command, "--db", str(typo)])
    assert result.exit_code == 2, result.output
    assert f"数据库 {typo} 不存在" in result.output and not typo.exists()
    result = CliRunner().invoke(_app(), [*command, "--db", str(typo)], env={"GONGKAI_LANG": "en"})
    assert "does not exist" in result.output and not typo.exists()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("clerk")
    files = write_reports(folder / "in", {
        "hz-2023.txt": report_text("淮安市洪泽区人民政府", 2023),
        "hz-2024.txt": report_text("淮安市洪泽区人民政府", 2024),
        "hz-2024.md": report_text("淮安市洪泽区人民政府", 2024) + "\n",  # the same report, another file
    })
    (folder / "in" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    path = str(folder / "g.db")
    result = CliRunner().invoke(_app(), ["ingest", *map(str, files), str(folder / "in" / "broken.pdf"),
                                         "--db", path, "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "4 个文件" in result.output and "新解析 3" in result.output and "失败 1" in result.output
    return path


def test_ingest_speaks_english_on_request(db: str, tmp_path: Path) -> None:
    write_reports(tmp_path, {"a.txt": report_text("淮安市涟水县人民政府", 2024)})
    result = CliRunner().invoke(_app(), ["ingest", str(tmp_path / "a.txt"), "--db", db, "--lang", "en"])
    assert result.exit_code == 0 and "1 files in" in result.output and "1 parsed" in result.output


def test_stats_readable_table_and_every_column_in_csv(db: str) -> None:
    runner = CliRunner()
    table = runner.invoke(_app(), ["stats", "--db", db])
    assert table.exit_code == 0
    first = table.output.splitlines()[0]
    assert "报告数" in first and "新收申请" in first and "document" not in first
    assert "disclosure_rate" not in table.output and "%" in table.output
    csv = runner.invoke(_app(), ["stats", "--db", db, "--format", "csv"])
    columns = csv.output.splitlines()[0].split(",")
    assert columns[:4] == ["province", "level", "year", "reports"] and "share_other_handled" in columns
    assert len(columns) > len(first.split())


def test_across_shows_both_files_and_one_report_in_two_files(db: str) -> None:
    result = CliRunner().invoke(_app(), ["across", "--db", db, "--rule", "X-DUP"])
    assert result.exit_code == 0
    text = "".join(result.output.split())
    assert "hz-2024.txt" in text and "hz-2024.md" in text and "另一文件" in text
    assert "统计表数值相同" in text and "内容不同" not in text
    csv = CliRunner().invoke(_app(), ["across", "--db", db, "--rule", "X-DUP", "--format", "csv"])
    assert ",info," in csv.output  # the same figures: a remark, not a warning


def test_failures_in_chinese(db: str) -> None:
    result = CliRunner().invoke(_app(), ["failures", "--db", db])
    assert result.exit_code == 0 and "原因" in result.output.splitlines()[0]
    csv = CliRunner().invoke(_app(), ["failures", "--db", db, "--format", "csv"])
    assert "broken.pdf" in csv.output and csv.output.startswith("path,reason")


def _filled_form(tmp_path: Path, agency: str | None, year: int | None) -> tuple[Path, int]:
    from openpyxl import load_workbook

    blank = tmp_path / "blank.xlsx"
    result = CliRunner().invoke(main_app, ["template", "--to", "xlsx", "-o", str(blank)])
    assert result.exit_code == 0, result.output
    book = load_workbook(blank)
    sheet = book.active
    assert sheet["A1"].value == "（单位全称）（年份）年度政府信息公开工作年度报告"
    if agency:
        sheet["A1"] = sheet["A1"].value.replace("（单位全称）", agency)
    if year:
        sheet["A1"] = sheet["A1"].value.replace("（年份）", str(year))
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    new = rows["一、本年新收政府信息公开申请数量"]
    for column in "DEFGHI":
        sheet[f"{column}{new}"] = 0
    sheet[f"D{new}"], sheet[f"J{new}"] = 5, 7  # 5 from natural persons, a total of 7: T3-ROWSUM
    target = tmp_path / "form.xlsx"
    book.save(target)
    return target, new


def test_check_a_filled_form_gives_excel_addresses_and_its_fields(tmp_path: Path) -> None:
    form, new = _filled_form(tmp_path, "淮安市洪泽区岔河镇人民政府", 2023)
    result = CliRunner().invoke(main_app, ["check", str(form), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert "单位：淮安市洪泽区岔河镇人民政府  年度：2023" in result.output
    row = next(line for line in result.output.splitlines() if "T3-ROWSUM" in line)
    assert f"D{new}" in row and f"J{new}" in row  # the cells of 一、本年新收 as Excel names them
    english = CliRunner().invoke(main_app, ["check", str(form), "--fail-on", "never", "--lang", "en"])
    assert "agency: 淮安市洪泽区岔河镇人民政府  year: 2023" in english.output
    unfilled, _ = _filled_form(tmp_path, None, None)
    result = CliRunner().invoke(main_app, ["check", str(unfilled)])
    assert result.exit_code == 2 and "没有单位和年度" in result.output


def test_check_many_files_ends_with_a_summary(tmp_path: Path) -> None:
    files = write_reports(tmp_path, {"a.txt": report_text("淮安市洪泽区人民政府", 2023),
                                     "b.txt": report_text("淮安市涟水县人民政府", 2023,
                                                          signature="2024年4月1日")})
    (tmp_path / "c.pdf").write_bytes(b"not a pdf")
    result = CliRunner().invoke(main_app, ["check", *map(str, files), str(tmp_path / "c.pdf")])
    assert result.exit_code == 2
    assert "共 2 份报告（1 个文件无法读取）：错误 4 条（2 份报告），警告 3 条（2 份报告）" in result.output
    assert "问题最多的规则：C-BLANK（2 份），T3-BALANCE（2 份），C-LATE（1 份）" in result.output
    english = CliRunner().invoke(main_app, ["check", *map(str, files), "--lang", "en"])
    assert "2 reports (0 files unreadable): 4 errors in 2 reports, 3 warnings in 2 reports" in english.output
    single = CliRunner().invoke(main_app, ["check", str(files[0])])
    assert "共 " not in single.output  # one file: its findings say it all


def test_progress_moves_per_file_with_rate_and_eta() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    with Progress(10, "check", console=console) as bar:
        for _ in range(3):
            bar.advance()
        assert bar.done == 3
    shown = buffer.getvalue()
    assert "3/10" in shown and "剩余" in shown
    late = Progress(0, "ingest", enabled=False)
    late.update(4, 8)  # the total becomes known after the walk
    assert (late.done, late.total) == (4, 8)


def test_an_empty_table_says_nothing_matched(db: str) -> None:
    chinese = CliRunner().invoke(_app(), ["findings", "--db", db, "--year", "1999"])
    assert chinese.exit_code == 0 and "没有符合条件的记录" in chinese.output
    assert "严重程度" not in chinese.output  # no header alone
    english = CliRunner().invoke(_app(), ["findings", "--db", db, "--year", "1999", "--lang", "en"])
    assert "nothing matches" in english.output
    csv = CliRunner().invoke(_app(), ["findings", "--db", db, "--year", "1999", "--format", "csv"])
    assert csv.stdout.splitlines() == [csv.stdout.splitlines()[0]]  # tools get the header alone
    assert "severity,rule,message" in csv.stdout
