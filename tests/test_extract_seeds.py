"""Each real seed parses to its hand-read truth: every cell correct, metadata right."""

from __future__ import annotations

import pytest

from corpus import seed_pairs
from gongkai.evaluate import score
from gongkai.extract import extract
from gongkai.readers import read


@pytest.mark.parametrize(("source", "truth"), seed_pairs(), ids=lambda v: getattr(v, "stem", ""))
def test_seed_matches_truth(source, truth):
    report = extract(read(source))
    result = score(report, truth, source.name)
    assert result.errors == []
    assert result.counts["correct"] == result.cells > 190
    assert result.metadata_ok, (report.agency, report.year, report.template)


def _parse(name: str):
    (source,) = [s for s, _ in seed_pairs() if s.name.startswith(name)]
    return extract(read(source))


def test_blank_cells_of_003_are_blank_then_forced_to_zero():
    report = _parse("003")
    granted = report.cells["applications.granted.natural_person"]
    assert granted.status == "inferred" and granted.value == 0 and granted.rule == "F-ZERO"
    assert "empty" in granted.note  # says the source printed it empty
    total = report.cells["applications.total.natural_person"]
    assert (total.status, total.value, total.raw, total.line) == ("read", 0, "0", 353)
    # table 4 prints 15 empty cells: nothing forces them
    assert {report.cells[f"review_litigation.review.{c}"].status for c in
            ("maintained", "corrected", "other", "pending", "total")} == {"blank"}


def test_short_rows_of_001_are_not_guessed():
    report = _parse("001")
    # （三）1 prints 5 values for 7 cells, later rows 6: none is placed by position …
    (short,) = [f for f in report.findings if f.rule == "P-ALIGN"]  # one finding for the 21 rows
    assert short.line == 38 and len(short.cells) == 21 * 7  # (三)1 … (六)3, (七), 四
    assert "共 21 行" in short.message and "实印 5、6 个" in short.message
    assert short.severity == "info"  # every one of those cells is then forced by the arithmetic
    cell = report.cells["applications.denied_state_secret.commercial"]
    # … every one is forced to 0 by the zero balance instead, and says so
    assert (cell.status, cell.value) == ("inferred", 0)
    assert {c.status for p, c in report.cells.items() if p.startswith("applications.total.")} == {"inferred"}
    # rows 一 and 二 print all seven values: read, with their line
    read = report.cells["applications.new_received.natural_person"]
    assert (read.status, read.line) == ("read", 34)


def test_table4_with_sixteen_values_reads_fifteen_cells():
    report = _parse("004")
    cells = [report.cells[p] for p in report.cells if p.startswith("review_litigation.")]
    assert len(cells) == 15
    assert {(c.status, c.value) for c in cells} == {("read", 0)}


def test_lost_rows_of_000_are_missing_not_zero():
    report = _parse("000")
    assert report.cells["active_disclosure.enforcement.decisions"].status == "missing"
    assert report.cells["active_disclosure.fees.amount_wan_yuan"].value is None
    assert report.cells["applications.new_received.total"].status == "missing"
    assert report.cells["applications.denied_security_stability.total"].status == "read"
    assert any(f.rule == "P-TABLE4" for f in report.findings)


def test_2019_procurement_amount_converted_from_yuan():
    report = _parse("002")
    cell = report.cells["active_disclosure.procurement.amount_wan_yuan"]
    assert cell.value == pytest.approx(159.649616)
    assert cell.raw == "1596496.16元" and "元" in cell.note
    assert report.template == "2019" and report.year == 2024


def test_web_chrome_is_not_data():
    report = _parse("003")
    assert report.year == 2022  # not 2019 (今天是…) nor 2023 (发布日期)
    assert report.published == "2023-01-19"
    assert not any(f.rule == "P-ORPHAN" for f in report.findings)


def test_every_read_cell_points_at_its_source_text():
    for source, _ in seed_pairs():
        lines = source.read_text("utf-8").splitlines()
        report = extract(read(source))
        for path, cell in report.cells.items():
            if cell.status == "read":
                assert cell.raw and cell.raw in lines[cell.line - 1], (source.name, path)
            else:
                assert cell.raw is None, (source.name, path)
