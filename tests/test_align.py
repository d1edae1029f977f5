"""Placing printed values into cells: certain, or left undecided with a reason."""

from __future__ import annotations

from gongkai.document import Cell
from gongkai.extract.align import _splits, align
from gongkai.extract.lexer import Token, lex_cell


def nums(text: str) -> list[Token]:
    return [t for t in lex_cell(Cell(text, 1)) if t.kind == "num"]


def row_sum(values):
    parts, total = values[:6], values[6]
    if None in values:
        return total is None or sum(v for v in parts if v is not None) <= total
    return sum(parts) == total


def values(alignment):
    pairs = zip(alignment.entries, alignment.decided, strict=True)
    return [getattr(e, "value", None) if decided else "?" for e, decided in pairs]


def test_splits_never_make_leading_zeros():
    assert sorted(_splits("100", 2)) == [["10", "0"]]
    assert list(_splits("0000", 4)) == [["0", "0", "0", "0"]]
    assert list(_splits("12", 3)) == []


def test_run_together_row_split_by_its_row_sum():
    alignment = align(nums("713000074"), 7, row_sum)
    assert alignment.split and alignment.candidates == 1
    assert values(alignment) == [71, 3, 0, 0, 0, 0, 74]


def test_ambiguous_split_is_left_undecided():
    alignment = align(nums("383000041"), 7, row_sum)  # 38,3,0,… or 3,8,30,…
    assert alignment.candidates == 2
    assert values(alignment) == ["?", "?", "?", 0, 0, 0, 41]


def test_seven_zeros_glued_can_only_be_seven_zeros():
    alignment = align(nums("0000000"), 7, row_sum)
    assert values(alignment) == [0] * 7


def test_fewer_values_than_cells_places_nothing_uncertain():
    alignment = align(nums("0 0 0 0 0 0"), 7, row_sum)
    assert alignment.candidates == 7 and values(alignment) == ["?"] * 7


def test_row_sum_can_make_a_short_row_certain():
    # 5 printed for 7 cells where only one placement adds up: 3 + 2 = 5 needs the total last
    alignment = align(nums("3 2 5"), 7, lambda v: row_sum(v) and (v[6] is not None))
    assert values(alignment)[6] == 5


def test_surplus_value_dropped_only_when_all_readings_agree():
    tokens = nums(" ".join(["0"] * 16))
    assert values(align(tokens, 15, None)) == [0] * 15
    tokens = nums(" ".join(["1"] + ["0"] * 15))
    # the 1 may be the surplus (first cell 0) or not (first cell 1); the rest is 0 either way
    assert values(align(tokens, 15, None)) == ["?"] + [0] * 14


def test_empty_padding_at_the_ends_is_not_a_cell():
    cells = [Cell(t, 1) for t in ["", "0", "1", "0", "0", "0", "0", "1", ""]]
    tokens = [tok for c in cells for tok in lex_cell(c)]
    assert values(align(tokens, 7, row_sum)) == [0, 1, 0, 0, 0, 0, 1]


def test_interior_empty_cell_is_a_blank():
    cells = [Cell(t, 1) for t in ["0", "", "0", "0", "0", "0", "0"]]
    tokens = [tok for c in cells for tok in lex_cell(c)]
    alignment = align(tokens, 7, row_sum)
    assert alignment.entries[1].kind == "empty" and alignment.decided[1]


def test_a_count_with_its_unit_may_hide_a_lost_separator():
    """「10项 2 0 0 21件 15」 for seven cells: a blank left out (10, 2, 0, 0, 21, 15, blank) or the
    separator before 「1件」 lost (…, 2, 1, 15): both fit the row sum, so those cells are undecided
    (it was read 21 and 15 before)."""
    alignment = align(nums("10项 2 0 0 21件 15"), 7, row_sum)
    assert values(alignment)[:4] == [10, 2, 0, 0]
    assert values(alignment)[4:] == ["?", "?", "?"]


def test_glued_digits_where_blanks_vanish_may_stand_for_fewer_values():
    """Table 2's 「021」 for three cells in a text whose blank cells leave no trace: 0, 2, 1 — or 0,
    blank, 21, or blank, 0, 21 …: table 2 has no sums, so no cell is certain."""
    run = [Token("num", "021", Cell("021", 1), value=21, glued=True)]
    assert values(align(run, 3, None)) == [0, 2, 1]
    assert values(align(run, 3, None, blanks_vanish=True)) == ["?", "?", "?"]
