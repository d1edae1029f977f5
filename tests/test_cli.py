"""The command line: parse, check, eval, render and template, with their exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from corpus import REAL, SEEDS
from gongkai.cli import app

runner = CliRunner()
SEED_002 = next(SEEDS.glob("002_*.txt"))


def test_parse_prints_the_report_json():
    result = runner.invoke(app, ["parse", str(SEED_002)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema"] == "gongkai.report/1" and data["template"] == "2019" and data["year"] == 2024
    assert data["cells"]["active_disclosure.procurement.items"]["value"] == 15


def test_parse_to_a_folder_goes_on_past_bad_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    result = runner.invoke(app, ["parse", str(bad), str(SEED_002), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2  # one file failed …
    assert "bad.txt: binary data" in result.stderr
    assert (tmp_path / "out" / f"{SEED_002.stem}.json").exists()  # … the other was written


def test_check_exits_1_on_errors_and_speaks_plain_chinese():
    result = runner.invoke(app, ["check", "--sample"])
    assert result.exit_code == 1
    assert "表三「自然人」列：一(11)+二(1) ≠ (七)总计(11)+四(0)" in result.stdout


def test_check_json_and_english():
    result = runner.invoke(app, ["check", str(SEED_002), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0  # the 2019 tables in a 2024 report are a warning, not an error
    (entry,) = json.loads(result.stdout)
    assert "S-TEMPLATE-YEAR" in {f["rule"] for f in entry["findings"]}


def test_eval_scores_the_seeds():
    result = runner.invoke(app, ["eval", str(SEEDS)])
    assert result.exit_code == 0
    assert "996 correct (100.00 %)" in result.stdout and "0 silent errors" in result.stdout


@pytest.mark.parametrize("to", ["docx", "xlsx", "html", "md"])
def test_render_then_check_round_trips(tmp_path, to):
    pytest.importorskip("docx")
    target = tmp_path / f"r.{to}"
    assert runner.invoke(app, ["render", str(SEED_002), "--to", to, "-o", str(target)]).exit_code == 0
    result = runner.invoke(app, ["parse", str(target)])
    assert json.loads(result.stdout)["applications"] == json.loads(
        runner.invoke(app, ["parse", str(SEED_002)]).stdout)["applications"]


def test_template_writes_the_blank_form(tmp_path):
    pytest.importorskip("openpyxl")
    target = tmp_path / "form.xlsx"
    result = runner.invoke(app, ["template", "--format", "2021", "--to", "xlsx", "-o", str(target)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["parse", str(target)])
    data = json.loads(result.stdout)
    assert data["template"] == "2021"
    assert {c["status"] for c in data["cells"].values()} == {"blank"}


def test_real_pdf_eval():
    pytest.importorskip("pypdfium2")
    result = runner.invoke(app, ["eval", str(REAL)])
    assert result.exit_code == 0 and "614 correct (100.00 %)" in result.stdout


def test_max_mb_refuses_a_larger_file_by_name_and_the_batch_goes_on(tmp_path):
    padded = tmp_path / "padded.txt"
    padded.write_bytes(SEED_002.read_bytes() + b"\n" + b" " * (2 * 2**20))  # a report, but 2 MiB
    result = runner.invoke(app, ["parse", str(padded), str(SEED_002), "--max-mb", "1",
                                 "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "padded.txt: file too large" in result.stderr
    assert (tmp_path / "o" / f"{SEED_002.stem}.json").exists()
    assert runner.invoke(app, ["check", str(padded), "--max-mb", "5"]).exit_code == 0
