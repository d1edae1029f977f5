"""Tables laid out in fixed-width columns (pandoc's plain text, w3m): a row's empty cells are only
spaces, and read by position they stay cells. Real converter output of report 10 of
``python bench/converters.py --n 200 --seed 2`` (tests/data/converted/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gongkai
from gongkai.evaluate import score
from gongkai.readers.aligned import aligned_rows

CONVERTED = Path(__file__).parent / "data" / "converted"
TRUTH = json.loads((CONVERTED / "s2r0010.truth.json").read_text("utf-8"))


@pytest.mark.parametrize("converter", ["pandoc-docx-plain", "w3m"])
def test_table_3_keeps_its_empty_cells(converter: str) -> None:
    report = gongkai.parse(CONVERTED / f"{converter}-s2r0010.txt")
    result = score(report, TRUTH, converter)
    assert result.counts["silent_error"] == 0 and result.counts["wrong_inference"] == 0
    table3 = [e for e in result.errors if e["cell"].startswith("applications.")]
    assert table3 == []  # split at spaces, 19 rows of table 3 were undecided (「3 0 3」 for 7 cells)
    cell = report.cells["applications.denied_state_secret.natural_person"]
    assert (cell.value, cell.status) == (3, "read")
    assert report.cells["applications.denied_state_secret.research"].status in ("blank", "inferred")


def test_the_columns_come_from_the_rows() -> None:
    lines = (CONVERTED / "w3m-s2r0010.txt").read_text("utf-8").split("\n")
    rows = aligned_rows(lines)
    secret = next(cells for cells in rows.values() if cells[0].endswith("属于国家秘密"))
    assert secret[1:] == ["3", "0", "", "", "", "", "3"]


def test_rows_laid_out_each_their_own_way_are_left_alone() -> None:
    """lynx lays out every row of a table with rowspans anew: no column is shared, so nothing is
    read by position, and the rows that cannot be placed stay missing — never misplaced."""
    lines = (CONVERTED / "lynx-s2r0010.txt").read_text("utf-8").split("\n")
    assert aligned_rows(lines) == {}
    result = score(gongkai.parse(CONVERTED / "lynx-s2r0010.txt"), TRUTH, "lynx")
    assert result.counts["silent_error"] == 0 and result.counts["wrong_inference"] == 0


def test_a_lone_number_off_the_columns_is_not_the_tables() -> None:
    lines = ["标题",
             "一、本年新收政府信息公开申请数量   5    1    0    0    0    0    6",
             "二、上年结转政府信息公开申请数量   1         0    0    0         1",
             "（一）予以公开                     3    1    0    0    0    0    4",
             "（二）部分公开                     1                             1",
             "                                                         7",
             "（三）不予公开 1.属于国家秘密      0    0    0    0    0    0    0"]
    rows = aligned_rows(lines)
    assert rows[2] == ["二、上年结转政府信息公开申请数量", "1", "", "0", "0", "0", "", "1"]
    assert rows[4] == ["（二）部分公开", "1", "", "", "", "", "", "1"]
    assert 5 not in rows  # a page number: read the ordinary way


def test_text_without_spaced_columns_costs_one_search() -> None:
    assert aligned_rows(["一、本年新收 5 1 0 0 0 0 6", "二、上年结转 1 0 0 0 0 0 1"]) == {}
