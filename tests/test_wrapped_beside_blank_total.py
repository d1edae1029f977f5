"""A number wrapped in a narrow cell where no row prints more numbers than cells: the report's
total column is blank, so 「138」「3」 plus five values fill seven cells exactly. Read by position
the row breaks its own sum, while joining the neighbours fits it: the row is undecided, never read
as 138, 3, 48 … (a fresh seed of the converter zoo found 4 and 14 silent errors here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gongkai
from gongkai.evaluate import score

CONVERTED = Path(__file__).parent / "data" / "converted"
TRUTH = json.loads((CONVERTED / "s17r0002.truth.json").read_text("utf-8"))


@pytest.mark.parametrize("converter", ["pypdf", "pdftotext-raw", "pymupdf"])
def test_a_wrapped_number_beside_a_blank_total_is_no_silent_error(converter: str) -> None:
    report = gongkai.parse(CONVERTED / f"{converter}-s17r0002.txt")
    result = score(report, TRUTH, converter)
    assert result.counts["silent_error"] == 0 and result.counts["wrong_inference"] == 0
    cell = report.cells["applications.new_received.natural_person"]
    assert cell.value in (None, 1383)  # never the piece 138
    assert any(f.rule == "P-ALIGN" and "applications.new_received.natural_person" in f.cells
               for f in report.findings) or cell.value == 1383
    # the rows that hold their sums keep what they printed
    assert report.cells["applications.carried_over.natural_person"].value == 0


def test_no_reading_holding_the_sum_leaves_nothing_certain() -> None:
    """Eight numbers for seven cells, none of whose readings holds the row's sum (the row's wide
    numbers wrapped onto the lines around it): every reading that drops one number put the same 5
    in 法律服务机构, which was read as certain — 495 in truth."""
    truth = json.loads((CONVERTED / "s23r0012.truth.json").read_text("utf-8"))
    report = gongkai.parse(CONVERTED / "pdftotext-layout-s23r0012.txt")
    result = score(report, truth, "pdftotext-layout")
    assert result.counts["silent_error"] == 0 and result.counts["wrong_inference"] == 0
    assert report.cells["applications.unable_not_held.legal_service"].value in (None, 495)
