"""Tables printed in fixed-width columns, as text browsers and converters lay them out (w3m, lynx,
elinks, links2, inscriptis, pandoc's plain text): a row's values stand under their columns, and an
empty cell is only spaces. Split at its spaces, such a row loses its empty cells (「3 0 3」 for
3, 0, –, –, –, –, 3); read by position it keeps them.

The columns are found from the rows themselves: the values of a block of rows start (or end, or
centre) at a few shared positions, in display columns (a CJK character is two wide, as the
converters count it). A block becomes a table only where every value of every row falls on one of
those positions and no two on the same one; anything less is left to the ordinary reading.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from typing import Final

from .page_grid import cluster

# a line worth looking at: two values apart by a run of spaces (most text has none, and costs one search)
_VALUE_MARKS: Final = "/—-－无"  # what a value cell may print besides digits (blank marks)
_VALUE_CHARACTER: Final = "[\\d" + re.escape(_VALUE_MARKS) + "]"
SPACED_VALUES: Final = re.compile(_VALUE_CHARACTER + " {2,}" + _VALUE_CHARACTER)
_VALUE: Final = re.compile(r"(?:\d+(?:[.,]\d+)*|[/／—\-－–]{1,3}|无)")  # (a longer run of dashes is a rule)
_MIN_ROWS: Final = 4  # rows of values a block needs before its columns are believed
_MAX_GAP: Final = 4  # lines without values (blank, a wrapped label) a block may hold between two rows
_TOLERANCE: Final = 1  # display columns a value may stand off its column's position


def has_spaced_values(text: str) -> bool:
    """``SPACED_VALUES.search(text)``, found from the runs of two spaces or more: the pattern, with
    no literal to start from, tries every character of the text (a third of the text reader's
    time). Where it finds nothing, no table in the text is laid out in columns."""
    start = text.find("  ")
    while start >= 0:
        end = start + 2
        while end < len(text) and text[end] == " ":
            end += 1
        if end == len(text):
            return False
        before, after = text[start - 1] if start else "", text[end]
        # (a run found by find() starts where the previous one ended, or after a non-space)
        if before and (before.isdecimal() or before in _VALUE_MARKS) and (
                after.isdecimal() or after in _VALUE_MARKS):
            return True
        start = text.find("  ", end)
    return False


def display_width(character: str) -> int:
    """Columns a character takes in fixed-width text: a CJK (wide or full-width) character two."""
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


class _Line:
    """A line's runs of non-space characters, with their display columns."""

    __slots__ = ("runs", "values")

    def __init__(self, line: str) -> None:
        self.runs: list[tuple[int, int, str]] = []  # (start, end, text) in display columns
        column = 0
        start = -1
        text: list[str] = []
        for character in line:
            if character == " " or character == "\u3000" or character == "\t":
                if start >= 0:
                    self.runs.append((start, column, "".join(text)))
                    start, text = -1, []
                column += 8 - column % 8 if character == "\t" else display_width(character)
                continue
            if start < 0:
                start = column
            text.append(character)
            column += display_width(character)
        if start >= 0:
            self.runs.append((start, column, "".join(text)))
        # the values: the runs after the last run of words (a row's label comes first)
        first = len(self.runs)
        while first > 0 and _VALUE.fullmatch(self.runs[first - 1][2]):
            first -= 1
        self.values = self.runs[first:]


def _columns_of(block: list[_Line]) -> tuple[str, list[int]] | None:
    """How the block's values line up ("start", "end" or "centre") and their columns; None when
    they do not line up."""
    best: tuple[str, list[int]] | None = None
    widest = max(len(line.values) for line in block)
    for mode in ("start", "end", "centre"):
        positions = [_position(run, mode) for line in block for run in line.values]
        anchors = [int(a) for a in cluster([float(p) for p in positions], _TOLERANCE)]
        if len(anchors) < widest or len(anchors) > widest + 2 or any(
                b - a <= 2 * _TOLERANCE for a, b in pairwise(anchors)):
            continue  # (columns so close that a value could stand on two are no columns)
        if best is None or len(anchors) < len(best[1]):
            best = (mode, anchors)
    return best


def _position(run: tuple[int, int, str], mode: str) -> int:
    start, end, _text = run
    if mode == "start":
        return start
    if mode == "end":
        return end
    return (start + end) // 2


def _place(line: _Line, mode: str, anchors: list[int]) -> list[str] | None:
    """The line's values by column ("" where a column is empty); None when one stands off every
    column, two share one, or they would change order."""
    cells = [""] * len(anchors)
    last = -1
    for run in line.values:
        position = _position(run, mode)
        column = next((i for i, a in enumerate(anchors) if abs(a - position) <= _TOLERANCE), None)
        if column is None or column <= last:
            return None
        cells[column] = run[2]
        last = column
    return cells


def aligned_rows(lines: list[str]) -> dict[int, list[str]]:
    """Line index → the row's cells (its words first, then one cell a column), for the lines of
    tables printed in fixed-width columns. Lines not in such a table are not in the result."""
    result: dict[int, list[str]] = {}
    block: list[tuple[int, _Line]] = []
    gap = 0
    for index, text in enumerate(lines):
        line = _Line(text) if SPACED_VALUES.search(text) or (block and text.strip()) else None
        if line is not None and (len(line.values) >= 2 or (block and line.values)):
            block.append((index, line))
            gap = 0
            continue
        gap += 1
        if block and (gap > _MAX_GAP or (line is not None and _ends_block(line))):
            result.update(_block_rows(block))
            block = []
    if block:
        result.update(_block_rows(block))
    return result


def _ends_block(line: _Line) -> bool:
    """A line of words that no row of values prints: a header (several words apart) or prose."""
    return len(line.runs) >= 3 or any(len(text) > 30 for _start, _end, text in line.runs)


def _block_rows(block: list[tuple[int, _Line]]) -> dict[int, list[str]]:
    if len(block) < _MIN_ROWS:
        return {}
    lines = [line for _index, line in block if len(line.values) >= 2]
    if len(lines) < _MIN_ROWS:
        return {}
    found = _columns_of(lines)
    if found is None:
        return {}
    mode, anchors = found
    placed: dict[int, list[str]] = {}
    for index, line in block:
        cells = _place(line, mode, anchors)
        if cells is None and len(line.values) < 2:
            continue  # a lone number off the columns (a page number): not the table's
        if cells is None:
            return {}  # one row that does not line up: the block is no fixed-width table
        words = " ".join(run[2] for run in line.runs[:len(line.runs) - len(line.values)])
        placed[index] = [words, *cells] if words else cells
    if all(all(cells) for cells in placed.values()):
        return {}  # no empty cell anywhere: splitting at spaces reads it as well
    return placed
