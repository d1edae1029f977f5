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
