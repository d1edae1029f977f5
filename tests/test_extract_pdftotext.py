"""Text that poppler's ``pdftotext`` makes of the real WPS PDFs: a layout real crawls produce and
the seeds do not have.

``-layout`` keeps rows on lines (columns padded with spaces); the default mode dumps text in the
PDF's drawing order — row labels in one run, then the numbers in column-major blocks. That order
cannot be undone in general, so the promise there is the core one: every value printed is right or
not given (0 silent errors, 0 wrong inferences), with findings saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corpus import REAL
from gongkai import parse
from gongkai.evaluate import score

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(PDFTOTEXT is None and not os.environ.get("CI"),
                                reason="poppler-utils (pdftotext) not installed")


def _converted(pdf: Path, mode: list[str]) -> str:
    assert PDFTOTEXT is not None, "CI installs poppler-utils (.ci/run)"
    return subprocess.run([PDFTOTEXT, *mode, str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.parametrize("mode", [["-layout"], []], ids=["layout", "drawing-order"])
@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024", "huaian-city-2024"])
def test_pdftotext_output_has_no_silent_errors(name: str, mode: list[str]) -> None:
    truth = json.loads((REAL / f"{name}.truth.json").read_text("utf-8"))
    report = parse(_converted(REAL / f"{name}.pdf", mode))
    result = score(report, truth, name)
    assert result.counts["silent_error"] == 0, [e for e in result.errors if e["outcome"] == "silent_error"]
    assert result.counts["wrong_inference"] == 0
    assert (report.year, report.template) == (truth["year"], truth["template"])
    if mode == ["-layout"]:
        # rows stay on their lines: all but table 4 of one report (printed with units, 「64 件」,
        # under a header the conversion garbles) is read
        assert result.counts["correct"] >= 0.9 * sum(result.counts.values())
    else:
        # what could not be placed is said, row by row
        undecided = {c for f in report.findings if f.rule == "P-ALIGN" for c in f.cells}
        missing = {e["cell"] for e in result.errors if e["outcome"] == "missing"}
        assert undecided or not missing
