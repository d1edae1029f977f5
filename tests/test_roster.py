"""The roster of units that must publish (issue 13, item 3): imported from CSV/XLSX or made from the
division table, stored (revision 0007), joined into the missing-reports matrix; historical division
names map to today's units."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("pandas")

from typer.testing import CliRunner

from clerk_reports import report_text, write_reports
from gongkai.agency import identify, renamed
from gongkai.store import open_store
from gongkai.store.roster import RosterError, from_divisions, matrix, read_file, save, units

HUAIAN_COUNTIES = {"320803", "320804", "320812", "320813", "320826", "320830", "320831"}


def _app():  # type: ignore[no-untyped-def]
    import typer

    from gongkai.store.commands import register

    app = typer.Typer()
    register(app)
    return app


def test_historical_names_map_to_todays_units() -> None:
    assert identify("洪泽县人民政府").key == "320813"
    assert identify("江苏省淮安市洪泽县人民政府").name == "江苏省淮安市洪泽区人民政府"
    assert identify("淮安市楚州区人民政府").key == "320803"
    assert identify("淮安市清河区财政局").key == "320812/财政局"
    # a current name elsewhere wins over an old one: 清河区 alone is Tieling's, today
    assert identify("清河区人民政府").key == "211204"
    assert all(change.change and change.year >= 2012 for change in renamed())


def test_from_divisions() -> None:
    units_, notes = from_divisions("320800", ["市", "县"])
    assert {u.agency_key for u in units_} == {"320800", *HUAIAN_COUNTIES}
    hongze = next(u for u in units_ if u.agency_key == "320813")
    assert (hongze.agency_name, hongze.level, hongze.parent) == (
        "江苏省淮安市洪泽区人民政府", "县", "淮安市人民政府")
    assert not notes
    counties, notes = from_divisions("320800", ["县", "乡镇"])
    assert len(counties) == 7 and "不含乡镇" in notes[0]
    municipal, _ = from_divisions("110000", ["省", "市"])
    assert [u.agency_key for u in municipal] == ["110000"]  # 北京市 is not its own city too
    with pytest.raises(RosterError, match="999999"):
        from_divisions("999999", ["县"])
    with pytest.raises(RosterError, match="村"):
        from_divisions("320800", ["村"])


ROSTER_CSV = ("单位名称,区划代码,级别,上级,网址\n"
              "洪泽区人民政府,320813,县,淮安市人民政府,https://www.hongze.gov.cn/\n"
              "岔河镇人民政府,320813,乡镇,洪泽区人民政府,\n"
              "财政局,320813,部门,洪泽区人民政府,\n"
              "\n"
              "涟水县人民政府,,,,\n")


def test_import_csv_utf8_gbk_and_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_CSV.encode("utf-8-sig"))
    entries = read_file(path)
    assert [(e.agency_key, e.level) for e in entries] == [
        ("320813", "县"), ("320813/岔河镇", "乡镇"), ("320813/财政局", "部门"), ("320826", "县")]
    assert entries[0].site_url == "https://www.hongze.gov.cn/"
    assert entries[2].agency_name == "江苏省淮安市洪泽区财政局"  # placed by its code
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(ROSTER_CSV.encode("gbk"))
    assert read_file(gbk) == entries
    from openpyxl import Workbook

    workbook = Workbook()
    for row in ROSTER_CSV.splitlines():
        workbook.active.append(row.split(",") if row else [])
    workbook.active["B2"] = 320813  # a code typed as a number
    workbook.save(tmp_path / "roster.xlsx")
    assert read_file(tmp_path / "roster.xlsx") == entries


def test_bad_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("单位名称,区划代码,级别,网址\n洪泽区人民政府,3208,县,\n,320813,县,\n"
                    "某局,320813,处级,\n某办,,部门,ftp://x\n", "utf-8")
    with pytest.raises(RosterError) as error:
        read_file(path)
    message = str(error.value)
    assert "bad.csv" in message
    for row in ("第 2 行", "第 3 行", "第 4 行", "第 5 行"):
        assert row in message
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(RosterError, match="单位名称"):
        read_file(tmp_path / "nohead.csv")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(RosterError, match=r"junk\.xlsx"):
        read_file(tmp_path / "junk.xlsx")


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "reports"
    write_reports(folder, {
        "hz-2023.txt": report_text("洪泽县人民政府", 2023),  # the old name: today's 洪泽区
        "hz-2024.txt": report_text("淮安市洪泽区人民政府", 2024),
        "chahe-2024.txt": report_text("洪泽区岔河镇人民政府", 2024),
        "lianshui-2024.txt": report_text("涟水县人民政府", 2024),
    })
    with open_store(tmp_path / "g.db") as opened:
        opened.ingest([folder], workers=1)
        yield opened


def test_matrix_shows_units_that_never_published(store) -> None:  # type: ignore[no-untyped-def]
    before = matrix(store.engine, "淮安市")
    assert set(before["agency_key"]) == {"320813", "320813/岔河镇", "320826"}  # only who published
    entries, _ = from_divisions("320800", ["市", "县"])
    assert save(store.engine, entries, "divisions") == (8, 0)
    assert save(store.engine, entries, "divisions") == (0, 8)  # idempotent
    frame = matrix(store.engine, "淮安市")
    assert len(frame) == 9 and list(frame.columns[-2:]) == ["2023", "2024"]
    rows = frame.set_index("agency_key")
    assert (rows.loc["320813", "2023"], rows.loc["320813", "2024"]) == (1, 1)  # 洪泽县 counted as 洪泽区
    assert rows.loc["320830", ["2023", "2024"]].tolist() == [0, 0] and rows.loc["320830", "roster"]
    assert not rows.loc["320813/岔河镇", "roster"] and rows.loc["320813/岔河镇", "2024"] == 1
    assert frame["level"].tolist()[0] == "市"  # the city first, then counties
    assert len(units(store.engine, "洪泽区")) == 1 and len(units(store.engine)) == 8
    assert store.missing("淮安市", [2022]).filter(like="2022").sum().item() == 0


def test_cli_roster_and_missing(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    app = _app()
    db = store.name
    result = runner.invoke(app, ["roster", "from-divisions", "320800", "--levels", "县,乡镇", "--db", db])
    assert result.exit_code == 0, result.output
    assert "不含乡镇" in result.output and "新增 7 个单位" in result.output
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_CSV.encode("utf-8-sig"))
    result = runner.invoke(app, ["roster", "import", str(path), "--db", db])
    assert result.exit_code == 0 and "新增 2 个单位，更新 2 个（共 9 个）" in result.output
    result = runner.invoke(app, ["missing", "--region", "淮安市", "--db", db])
    assert result.exit_code == 0, result.output
    assert "金湖县" in result.output and "名册" in result.output
    assert "9 个单位 × 2 个年度：缺报 14 份（名册内单位 9 个）" in result.output
    result = runner.invoke(app, ["missing", "--region", "淮安市", "--db", db, "--lang", "en"])
    assert "9 units × 2 years: 14 reports missing (9 units on the roster)" in result.output
    result = runner.invoke(app, ["missing", "--region", "淮安市", "--db", db, "--format", "csv"])
    assert result.output.splitlines()[0] == "agency_key,agency_name,level,roster,2023,2024"
    result = runner.invoke(app, ["roster", "list", "--db", db, "--region", "洪泽区"])
    assert result.exit_code == 0 and "岔河镇" in result.output and "上级" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,区划代码\n某局,12\n", "utf-8")
    result = runner.invoke(app, ["roster", "import", str(bad), "--db", db])
    assert result.exit_code == 2 and "第 2 行" in result.output and "6 位数字" in result.output
    result = runner.invoke(app, ["roster", "import", str(bad), "--db", db, "--lang", "en"])
    assert "row 2" in result.output and "6 digits" in result.output
    assert "清空名册（9 个单位）" in runner.invoke(app, ["roster", "clear", "--db", db]).output


def test_missing_without_reports_needs_years(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    db = str(tmp_path / "empty.db")
    assert runner.invoke(app, ["roster", "from-divisions", "320800", "--db", db]).exit_code == 0
    result = runner.invoke(app, ["missing", "--region", "320800", "--db", db])
    assert result.exit_code == 2 and "--years" in result.output
    result = runner.invoke(app, ["missing", "--region", "320800", "--db", db, "--years", "2023-2024"])
    assert result.exit_code == 0 and "缺报 16 份" in result.output
