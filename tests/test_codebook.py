"""The codebook (issue 13, item 5): every export column with its Chinese label, table, row, column,
unit and rules, generated from the template; docs/codebook.md is its output."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("openpyxl")

from typer.testing import CliRunner

from gongkai.store import codebook
from gongkai.template import TEMPLATE, TableShape

ROOT = Path(__file__).resolve().parents[1]


def test_docs_codebook_is_the_generated_one() -> None:
    assert (ROOT / "docs" / "codebook.md").read_text("utf-8") == codebook.to_markdown(), (
        "regenerate it: gongkai codebook > docs/codebook.md")


def test_every_cell_of_every_shape_with_its_labels_unit_and_rules() -> None:
    rows = {row["key"]: row for row in codebook.entries()}
    assert len(rows) == len(codebook.entries())  # keys are unique
    for shape in (TableShape("2019"), TableShape("2021"), TableShape("2021", hybrid=True)):
        assert set(TEMPLATE.cell_paths(shape)) <= set(rows)
    granted = rows["applications.granted.natural_person"]
    assert (granted["label"], granted["table"], granted["row"], granted["column"], granted["unit"]) == (
        "表三「(一)予以公开」「自然人」", "表三 依申请公开", "(一)予以公开", "自然人", "件")
    assert granted["rule"] == "T3-ROWSUM, T3-TOTAL, N-INT" and granted["formats"] == "2019、2021"
    fees = rows["active_disclosure.fees.amount_wan_yuan"]
    assert fees["unit"] == "万元" and fees["rule"] == "N-AMOUNT" and fees["formats"] == "2021"
    assert rows["active_disclosure.licensing.change"]["unit"].startswith("件（增减")
    assert "T2-INFORCE" in rows["active_disclosure.rules.in_force"]["rule"]
    assert "T3-BOUNDS" in rows["applications.carried_forward.total"]["rule"]
    assert rows["applications.other.total"]["formats"] == "2019、2021（混合）"
    assert "第四十九条" in rows["deadline"]["rule"] and rows["timeliness"]["label"] == "是否按时"
    assert all(row["label"] for row in rows.values())


def test_it_covers_every_column_of_the_exports(tmp_path: Path) -> None:
    import pandas as pd

    from clerk_reports import report_text, write_reports
    from gongkai.store import open_store
    from gongkai.store.commands import register

    write_reports(tmp_path / "in", {"a.txt": report_text("淮安市洪泽区人民政府")})
    with open_store(tmp_path / "g.db") as store:
        store.ingest([tmp_path / "in"], workers=1)
    import typer

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    keys = {row["key"] for row in codebook.entries()}
    for form in ("wide", "long"):
        target = tmp_path / f"{form}.csv"
        result = runner.invoke(app, ["export", "--db", str(tmp_path / "g.db"), "--form", form,
                                     "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert set(pd.read_csv(target).columns) <= keys, form


def test_cli_formats(tmp_path: Path) -> None:
    import typer
    from openpyxl import load_workbook

    from gongkai.store.commands import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["codebook"])
    assert result.exit_code == 0 and result.output == codebook.to_markdown()
    result = runner.invoke(app, ["codebook", "--format", "csv"])
    table = list(csv.reader(io.StringIO(result.output)))
    assert table[0] == ["列名", "中文名称", "表", "行", "列", "单位", "规则", "适用格式"]
    assert len(table) == len(codebook.entries()) + 1
    target = tmp_path / "codebook.xlsx"
    assert runner.invoke(app, ["codebook", "--format", "xlsx", "-o", str(target)]).exit_code == 0
    sheet = load_workbook(target).active
    assert sheet.freeze_panes == "A2" and sheet.max_row == len(codebook.entries()) + 1
    assert sheet["A2"].value == "document_id" and sheet.column_dimensions["B"].width > 10
