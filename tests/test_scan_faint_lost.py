"""Faint rulings lost over many cells (issue 11): a column line lost in every row, or in several;
a row line lost across the table; a ruling too many; a label cell whose rulings were lost both
ways. The grid is repaired only where the text read says where each line is (numbers centred in
their columns, labels that start a row) — else the table is refused, never guessed into."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gongkai.evaluate import score
from gongkai.pipeline import parse
from gongkai.readers import ocr
from gongkai.readers.page_grid import (
    add_edge,
    disagreement,
    fill_tables,
    find_tables,
    grid_rows,
    restore_lost_lines,
    split_lost_rulings,
)
from gongkai.readers.page_lines import Char
from test_scan_faint import _line  # one line of printed characters, as the OCR's boxes give them

DATA = Path(__file__).parent / "data" / "scans"


def _table(rows: list[float], columns: list[float], *,
           lost: tuple[tuple[str, float, float, float], ...] = ()) -> Any:
    """One table from ruling lines (points), each ``lost`` piece ('h', y, x0, x1) of a row line or
    ('v', x, top, bottom) of a column line left out."""
    edges: list[dict[str, Any]] = []

    def draw(kind: str, at: float, start: float, end: float) -> None:
        cuts = sorted((a, b) for k, p, a, b in lost if k == kind and p == at)
        position = start
        for a, b in cuts:
            if a > position:
                add_edge(edges, *((position, at, a, at) if kind == "h" else (at, position, at, a)))
            position = max(position, b)
        if end > position:
            add_edge(edges, *((position, at, end, at) if kind == "h" else (at, position, at, end)))

    for y in rows:
        draw("h", y, columns[0], columns[-1])
    for x in columns:
        draw("v", x, rows[0], rows[-1])
    tables = find_tables(edges, 1, [])
    assert len(tables) == 1
    return tables[0]


def _centred(text: str, left: float, right: float, top: float) -> list[Char]:
    """A line of text centred between ``left`` and ``right`` (as a table's numbers are)."""
    return _line(text, (left + right) / 2 - (6 * len(text) - 1) / 2, top)


def _cells(grid: Any, text: list[list[Char]]) -> list[list[str]]:
    fill_tables([grid], [ch for line in text for ch in line])
    return [[cell.text for cell in row] for row in grid_rows(grid)]


ROWS = [100.0, 120.0, 140.0, 160.0]
COLUMNS = [50.0, 150.0, 200.0, 250.0]


def _text(values: list[tuple[str, str, str]]) -> list[list[Char]]:
    lines = []
    for r, (label, left, right) in enumerate(values):
        top = ROWS[r] + 5
        lines.append(_line(label, 60, top))
        if left:
            lines.append(_centred(left, 150, 200, top))
        if right:
            lines.append(_centred(right, 200, 250, top))
    return lines


VALUES = [("规章", "0", "3"), ("文件", "17", "5"), ("其他", "1", "208")]


def test_a_column_line_lost_in_every_row_is_put_back_where_the_centred_numbers_say() -> None:
    grid = _table(ROWS, COLUMNS, lost=(("v", 200.0, 100.0, 160.0),))
    assert len(grid.xs) == 3  # the line is not among the grid's lines at all
    text = _text(VALUES)
    assert "two numbers" in (disagreement(grid, text) or "")
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    assert len(repaired.xs) == 4 and abs(repaired.xs[2] - 200.0) <= 1.0
    assert _cells(repaired, text) == [list(values) for values in VALUES]


def test_a_column_line_lost_in_every_row_is_not_guessed_from_one_number() -> None:
    # the second row holds one number only: which column it is in is the line's to say, not known
    grid = _table(ROWS, COLUMNS, lost=(("v", 200.0, 100.0, 160.0),))
    text = _text([VALUES[0], ("文件", "17", ""), VALUES[2]])
    assert restore_lost_lines(grid, text) is None
    # numbers not centred in the halves (right-aligned in the merged cell): no position agrees
    uneven = [_line("规章", 60, 105), _line("0", 215, 105), _line("3", 240, 105)]
    assert restore_lost_lines(_table(ROWS, COLUMNS, lost=(("v", 200.0, 100.0, 160.0),)), uneven) is None


def test_a_column_line_lost_in_several_rows_is_cut_where_the_numbers_sit() -> None:
    # lost in the first two rows: neither keeps it, the third does; each row holds two numbers
    grid = _table(ROWS, COLUMNS, lost=(("v", 200.0, 100.0, 140.0),))
    text = _text(VALUES)
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    assert _cells(repaired, text) == [list(values) for values in VALUES]
    # a lone number in such a row, centred on the lost line (a merged cell's value): not cut
    lone = [*_text([VALUES[0], ("文件", "", ""), VALUES[2]]), _centred("17", 150, 250, 125)]
    repaired = split_lost_rulings(_table(ROWS, COLUMNS, lost=(("v", 200.0, 100.0, 140.0),)), lone)
    assert repaired is None or disagreement(repaired, lone) is not None


def test_a_row_line_lost_across_the_table_is_put_back_between_each_cells_two_lines() -> None:
    grid = _table(ROWS, COLUMNS, lost=(("h", 140.0, 50.0, 250.0),))
    assert len(grid.ys) == 3
    text = _text(VALUES)
    assert "two lines of numbers" in (disagreement(grid, text) or "")
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    assert _cells(repaired, text) == [list(values) for values in VALUES]


def test_a_tall_row_with_a_wrapped_label_gets_no_row_line() -> None:
    # a label on two lines beside one-line numbers: one row, nothing to put back
    grid = _table([100.0, 130.0, 150.0], COLUMNS)
    text = [_line("2.申请人逾期", 55, 103), _line("未缴纳费用", 55, 116), _centred("0", 150, 200, 110),
            _centred("3", 200, 250, 110), *_text([VALUES[0]])[:0]]
    assert restore_lost_lines(grid, text) is None


def test_a_rows_label_and_numbers_in_one_cell_are_refused_or_cut_at_the_lines_kept_beside() -> None:
    # the label columns merged over two grid columns in every row; in the second row the lines to
    # the numbers are lost too, and the row below is a heading over the whole width
    columns = [50.0, 100.0, 150.0, 200.0, 250.0]
    rows = [100.0, 120.0, 140.0, 160.0]
    lost = (("v", 100.0, 120.0, 160.0), ("v", 150.0, 120.0, 160.0), ("v", 200.0, 120.0, 160.0))
    grid = _table(rows, columns, lost=lost)
    text = [_line("规章", 60, 105), _centred("0", 150, 200, 105), _centred("3", 200, 250, 105),
            _line("行政规范性文件", 60, 125), _centred("1", 150, 200, 125), _centred("27", 200, 250, 125),
            _line("第二十条第（五）项", 60, 145)]
    assert "a label and a number" in (disagreement(grid, text) or "")
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    cells = _cells(repaired, text)
    assert cells[1] == ["行政规范性文件", "", "1", "27"]
    assert cells[2][0] == "第二十条第（五）项"


def test_a_ruling_too_many_under_one_number_is_dropped() -> None:
    # a grey smudge taken for a row line in the last column only, halfway down a row: the numbers
    # beside it sit across it, the last column's number in the half below
    grid = _table([100.0, 120.0, 130.0, 140.0], COLUMNS,
                  lost=(("h", 130.0, 50.0, 200.0),))
    text = [_line("规章", 60, 105), _centred("0", 150, 200, 105), _centred("3", 200, 250, 105),
            _line("文件", 60, 125), _centred("17", 150, 200, 125), _centred("17", 200, 250, 126)]
    assert "over two rows" in (disagreement(grid, text) or "")
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    assert _cells(repaired, text) == [["规章", "0", "3"], ["文件", "17", "17"]]


def _group_table() -> tuple[Any, list[list[Char]]]:
    """Table 3's labels: 「（二）部分公开」 over both label columns, then 「（三）不予公开」 over three rows
    beside 「1.」「2.」「3.」 and 「（四）无法提供」 beside 「1.」「2.」 — the column line between the
    label columns and the row lines of those rows lost, kept by the number column (the column
    line by the last row)."""
    rows = [100.0, 120.0, 135.0, 150.0, 165.0, 180.0, 195.0, 210.0]
    columns = [50.0, 80.0, 200.0, 250.0]
    lost = (("v", 80.0, 100.0, 195.0), *(("h", y, 50.0, 200.0) for y in rows[1:-2]))
    grid = _table(rows, columns, lost=lost)
    text = [_line("（二）部分公开（区分处理的", 55, 102, 10), _line("情形）", 90, 110),
            _line("（三）", 55, 137), _line("不予公开", 55, 146, 6),
            _line("1.国家秘密", 90, 122), _line("2.其他法律", 90, 137), _line("3.危及安全", 90, 152),
            _line("（四）", 55, 167), _line("无法提供", 55, 181),
            _line("1.不掌握", 90, 167), _line("2.需另行制作", 90, 182),
            _line("（五）", 55, 197), _line("1.信访", 90, 197)]  # the line between the columns kept
    text += [_centred(str(k), 200, 250, y + 2) for k, y in enumerate(rows[:-1])]
    return grid, text


def test_a_label_cell_over_rows_and_columns_is_cut_where_its_text_says() -> None:
    grid, text = _group_table()
    assert "two rows" in (disagreement(grid, text) or "")
    repaired = split_lost_rulings(grid, text)
    assert repaired is not None and disagreement(repaired, text) is None
    cells = _cells(repaired, text)
    assert cells[0][0].startswith("（二）部分公开") and cells[0][1] == ""  # over both columns
    assert [row[1] for row in cells[1:]] == ["1.国家秘密", "2.其他法律", "3.危及安全", "1.不掌握",
                                             "2.需另行制作", "1.信访"]
    # the group labels over their own rows: where the numbering beside them starts again
    assert [row[0] for row in cells[1:]] == ["（三）不予公开", "", "", "（四）无法提供", "", "（五）"]
    assert repaired.slots[1][0] is repaired.slots[3][0] and repaired.slots[4][0] is repaired.slots[5][0]
    assert [row[2] for row in cells] == ["0", "1", "2", "3", "4", "5", "6"]


def test_a_group_label_is_not_cut_where_the_numbering_beside_it_does_not_say() -> None:
    grid, text = _group_table()
    # 「1.不掌握」 read without its number: where the second group starts is not known
    text = [line for line in text if "".join(ch.text for ch in line) != "1.不掌握"]
    text.append(_line("不掌握", 90, 167))
    repaired = split_lost_rulings(grid, text)
    assert repaired is None or disagreement(repaired, text) is not None


needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr not installed (pip install 'gongkai[ocr]')")


@needs_ocr
@pytest.mark.parametrize("name", ["r0042-scan-faint", "r0108-scan-faint"])
def test_real_faint_scans_that_lost_rulings_over_many_cells(name: str) -> None:
    """Two of the generated faint scans (`gongkai synth --n 110 --formats scan --seed 11`, copied
    byte for byte): r0042 lost table 3's label rulings both ways and table 4's column line in
    every row; r0108 a column line of a continued table in every row, a ruling too many in table
    3's first row. 122 and 142 of their 200 and 198 cells were read before the repairs."""
    source = DATA / f"{name}.pdf"
    truth = json.loads((DATA / f"{name}.truth.json").read_text("utf-8"))
    report = parse(source)
    scored = score(report, truth, source.name)
    wrong = [e for e in scored.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    assert not wrong, wrong
    cells = sum(scored.counts.values())
    assert scored.counts["correct"] >= 0.98 * cells, scored.counts
