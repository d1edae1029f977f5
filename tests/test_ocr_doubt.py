"""A doubtful OCR reading is never ``read`` (extract/ocr_doubt.py), on cells as the extractor
leaves them: a clean random report, every cell read by OCR with a confidence, then one reading
damaged the way OCR damages digits."""

from __future__ import annotations

import random

import pytest

from gongkai.check import check
from gongkai.extract.ocr_doubt import DOUBTFUL_BELOW, SURE, doubt_ocr_readings, misreads
from gongkai.report import PRINTED_EMPTY, CellValue, Report
from gongkai.synth.generate import random_report
from gongkai.template import TableShape


def _scanned(seed: int = 5, confidence: float = 0.999) -> Report:
    """A consistent random report whose every cell was read by OCR with ``confidence``."""
    truth = random_report(random.Random(seed), edition="2021")
    report = Report.from_dict(truth)
    for path, cell in report.cells.items():
        if cell.value is not None:
            report.cells[path] = CellValue(cell.value, "read", raw=str(cell.value), line=1,
                                           locator={"page": 2, "confidence": confidence})
    assert not check(report), "the generated report is consistent"
    return report


def _misread(report: Report, path: str, raw: str, confidence: float = 0.999) -> None:
    cell = report.cells[path]
    report.cells[path] = CellValue(int(raw), "read", raw=raw, line=cell.line,
                                   locator={"page": 2, "confidence": confidence})


def _doubt(report: Report) -> list[str]:
    return doubt_ocr_readings(report.cells, TableShape("2021"), report.findings)


def test_misreads_are_the_typical_ocr_errors() -> None:
    assert 218 in misreads("18") and misreads("18")[218] == "dropped"  # a glyph lost
    assert misreads("10")[0] == "extra" and misreads("10")[1] == "extra"  # 「0」 read 「10」
    assert misreads("33")[3] == "extra"  # a doubled digit
    assert {7, 8}.isdisjoint(misreads("1", swaps=False)) and 7 in misreads("1")
    assert {6, 8} <= set(misreads("5") | misreads("3"))
    assert misreads("1.5") == {} and misreads("") == {}


def test_a_dropped_digit_that_breaks_the_table_is_missing_with_the_probable_value() -> None:
    report = _scanned()
    path = max((p for p in report.cells if p.startswith("applications.granted.")),
               key=lambda p: report.cells[p].value or 0)
    printed = report.cells[path].value
    assert printed is not None and printed >= 10, "needs a value of two digits or more"
    dropped = str(printed)[1:].lstrip("0") or "0"
    _misread(report, path, dropped)  # 「218」 read 「18」, confidently
    assert check(report), "as read, the report looks wrong: the checker would blame it"
    assert path in _doubt(report)
    cell = report.cells[path]
    assert cell.status == "missing" and cell.value is None and cell.raw == dropped
    assert cell.locator and cell.locator["confidence"] == 0.999  # the confidence stays in the cell JSON
    assert "cells" in report.to_dict() and report.to_dict()["cells"][path]["locator"]["confidence"] == 0.999
    (finding,) = [f for f in report.findings if f.rule == "P-OCR"]
    assert finding.cells == [path] and printed in finding.values["probable"]
    assert f"很可能是 {printed}" in finding.message or str(printed) in finding.message
    assert "第 2 页" in finding.message and "未取值" in finding.message
    # no T3 error blames the report for the OCR's misread
    assert not [f for f in check(report) if f.rule.startswith("T3-") and path in f.cells]


def test_a_low_confidence_reading_is_missing_even_when_the_arithmetic_holds() -> None:
    report = _scanned()
    path = "active_disclosure.rules.issued" if "active_disclosure.rules.issued" in report.cells else next(
        p for p in report.cells if p.startswith("active_disclosure") and report.cells[p].value is not None)
    value = report.cells[path].value
    _misread(report, path, str(value), confidence=DOUBTFUL_BELOW - 0.2)
    assert _doubt(report) == [path]
    assert report.cells[path].status == "missing" and report.cells[path].raw == str(value)
    (finding,) = [f for f in report.findings if f.rule == "P-OCR"]
    assert "识别置信度仅" in finding.message and finding.values["confidence"] == pytest.approx(0.7)


def test_a_confident_reading_whose_only_fix_is_a_look_alike_is_the_reports_own_error() -> None:
    """A swap of look-alike digits that would balance the table is suspected only when the
    recogniser was unsure; a confident 「5」 printed where 「6」 belongs is the report's misprint."""
    report = _scanned()
    path = next(p for p in sorted(report.cells) if p.startswith("applications.granted.")
                and p.endswith(".total") is False and str(report.cells[p].value)[-1:] == "6")
    raw = str(report.cells[path].value)[:-1] + "5"
    _misread(report, path, raw, confidence=SURE)  # confident
    assert path not in _doubt(report)
    assert report.cells[path].status == "read"
    assert any(f.rule.startswith("T3-") for f in check(report))  # the report is blamed
    report2 = _scanned()
    _misread(report2, path, raw, confidence=SURE - 0.02)  # unsure: the swap explains it
    assert path in _doubt(report2)
    (finding,) = [f for f in report2.findings if f.rule == "P-OCR"]
    assert int(raw[:-1] + "6") in finding.values["probable"]


def test_two_independent_errors_are_not_explained_by_one_misread() -> None:
    report = _scanned()
    a, b = "applications.granted.total", "review_litigation.review.total"
    _misread(report, a, str(report.cells[a].value) + "1")
    _misread(report, b, str(report.cells[b].value) + "1")
    doubted = _doubt(report)
    assert set(doubted) == {a, b}  # each table has its own single explanation


def test_an_inference_resting_on_a_doubted_reading_is_undone() -> None:
    report = _scanned()
    forced = "review_litigation.review.pending"
    value = report.cells[forced].value
    report.cells[forced] = CellValue(value, "inferred", rule="F-SOLVE", note=f"F-SOLVE; {PRINTED_EMPTY}")
    total = "review_litigation.review.total"
    _misread(report, total, str(report.cells[total].value), confidence=0.5)
    assert _doubt(report) == [total]
    assert report.cells[forced].status == "blank" and report.cells[forced].value is None


def test_cells_not_read_by_ocr_are_left_alone() -> None:
    truth = random_report(random.Random(5), edition="2021")
    report = Report.from_dict(truth)
    path = "applications.total.natural_person"
    report.cells[path] = CellValue(7777, "read", raw="7777", line=3)  # typed: no confidence
    assert _doubt(report) == [] and report.cells[path].status == "read"
