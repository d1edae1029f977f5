"""The arithmetic fills no cell against what the text prints (issue 9, must-have 4), even where
the report's own sums are off in a way no printed value shows (converter texts:
``tests/data/converted/README.md``)."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai.evaluate import score
from gongkai.pipeline import parse

CONVERTED = Path(__file__).parent / "data" / "converted"


def _scored(name: str, truth: str) -> tuple[dict, list[dict]]:
    report = parse(CONVERTED / name)
    result = score(report, json.loads((CONVERTED / truth).read_text("utf-8")), name)
    wrong = [e for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    return json.loads(report.to_json()), wrong


def test_a_row_of_zeros_is_not_filled_with_other_values() -> None:
    """「0 0」 printed for the seven cells of row 一: either 0 may be 商业企业's, so the column
    balance (its carried-forward misprinted) may not make 商业企业 2."""
    report, wrong = _scored("lynx-s61r0021.txt", "s61r0021.truth.json")
    assert not wrong
    cell = report["cells"]["applications.new_received.commercial"]
    assert cell["status"] != "inferred" or cell["value"] == 0


def test_a_row_whose_label_was_lost_is_filled_only_with_a_row_of_values_left_over() -> None:
    """(二)部分公开's label cut apart by Debian's html2text, its values 262 33 2 4 8 2 311 left on
    their line: the column sums, off in 其他, would fill the row with 3 and 312."""
    report, wrong = _scored("html2text-debian-s61r0013.txt", "s61r0013.truth.json")
    assert not wrong
    cells = report["cells"]
    assert cells["applications.partly_granted.other_org"]["value"] in (None, 2)
    assert cells["applications.partly_granted.natural_person"]["value"] in (None, 262)
