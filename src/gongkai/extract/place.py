"""Placing a row's printed values into its cells (through :mod:`.align`), with units, notes and
the findings a row that cannot be placed with certainty deserves."""

from __future__ import annotations

import sys
from functools import cache
from itertools import combinations, pairwise
from typing import Final

from ..report import CellValue, Finding, Number
from ..template import TEMPLATE, TableShape
from .align import (
    MAX_CANDIDATES,
    Alignment,
    Part,
    RowCheck,
    align,
    cell_groups,
    completed_by_group_sums,
    completed_by_row_sum,
    entry_value,
    merge_alignments,
    wrapped_in_cell,
)
from .context import Chosen, Context, Pending, TextReading, add_finding, column_name, row_name
from .lexer import Token
from .segment import Segment


# ---------------------------------------------------------------------- placing values
def _slots(segment: Segment, shape: TableShape) -> list[str] | None:
    """The cell paths a segment's values go to, in printed order."""
    paths = _row_paths(segment.table, segment.key, shape.edition)
    return list(paths) if paths is not None else None


@cache
def _row_paths(table: int, key: str, edition: str) -> tuple[str, ...] | None:
    if table == 3:
        return tuple(f"applications.{key}.{c.key}" for c in TEMPLATE.application_columns)
    if table == 4:
        return tuple(f"review_litigation.{g.key}.{c.key}" for g in TEMPLATE.review_groups
                     for c in TEMPLATE.review_columns)
    for block in TEMPLATE.disclosure_blocks[edition]:  # type: ignore[index]
        for row in block.rows:
            if row.key == key:
                return tuple(f"active_disclosure.{row.key}.{c.key}" for c in block.columns)
    return None


def row_check(segment: Segment) -> RowCheck | None:
    """The row's own arithmetic, used to drop impossible readings of it."""
    if segment.table == 3:
        return _row_sum_possible
    if segment.table == 4:
        return _group_sums_possible
    return None


def _row_sum_possible(values: list[Number | None]) -> bool:
    """Table 3: six parts, then their total."""
    return _sum_possible(values, 0, 6)


def _group_sums_possible(values: list[Number | None]) -> bool:
    """Table 4: three groups of four parts, each followed by its total."""
    return _sum_possible(values, 0, 4) and _sum_possible(values, 5, 9) and _sum_possible(values, 10, 14)


_LARGEST_FLOAT: Final = int(sys.float_info.max)


def _sum_possible(values: list[Number | None], start: int, end: int) -> bool:
    """Could ``sum(values[start:end]) == values[end]`` hold, with None unknown and all values ≥ 0
    integers?"""
    # (one loop over the row itself, no slices, lists or generators: every reading of every row
    # is weighed here)
    total = values[end]
    known: Number = 0
    unknown = False
    for index in range(start, end):
        v = values[index]
        if v is None:
            unknown = True
        elif isinstance(v, int):
            # a count (most values): compared as a native int, and made a float only beyond a
            # float's range (where float() raises, as it did for every value before)
            if v < 0 or (v > _LARGEST_FLOAT and not float(v).is_integer()):
                return False
            known += v
        elif v < 0 or not float(v).is_integer():
            return False
        else:
            known += v
    if total is not None and (total < 0 or not float(total).is_integer()):
        return False
    # sides_possible((known, unknown), (total or 0, total is None)) written out: two tuples made
    # for every reading weighed (the sums float-typed as that call's parameters made them)
    left: float = known
    right: float = total or 0
    if not unknown and total is not None:
        return left == right
    if not unknown:
        return right <= left
    if total is not None:
        return left <= right
    return True


def place(segment: Segment, context: Context) -> None:
    paths = _slots(segment, context.shape)
    if paths is None:
        add_finding(context, "T2-ROWSET", "other_edition", line=segment.label_line,
                    label=segment.label_text, key=segment.key, edition=context.shape.edition)
        return
    if segment.shared_label:
        add_finding(context, "P-ALIGN", "shared_label", cells=paths, line=segment.label_line,
                    row=row_name(segment), key=segment.key, label=segment.label_text)
        return
    tokens = segment.tokens
    first = segment.lines[0] if segment.exact and segment.table in (3, 4) and segment.lines else None
    if first is not None and len(first) >= len(paths) and (
            first[0].line == segment.label_line or (len(segment.lines) > 1 and len(first) == len(paths))):
        # a grid row holds its own values; later lines cannot shift them (nor a paragraph's
        # number after table 4's row of values, when no heading ended the table: 「…22 227」「222次」)
        tokens = first
    if segment.table == 2:
        tokens = _in_header_columns(tokens, segment.value_columns)
    if segment.exact:
        tokens = _one_value_per_cell(tokens, segment, context, len(paths))
    if segment.table == 2 and segment.exact is False:
        tokens = _trim_trailing_empties(tokens, len(paths))
    if segment.exact and len(tokens) > len(paths):
        # a grid: table 2's values follow its label — unless the row prints exactly one value per
        # cell among more columns (a header split over two cells 「本年」「收费金额」 made one more,
        # which the rows leave empty); tables 3 and 4 end in their value columns
        filled = [t for t in tokens if t.kind != "empty"]
        if segment.table != 2:
            tokens = tokens[-len(paths):]
        elif len(filled) == len(paths) and all(t.kind == "num" for t in filled):
            tokens = filled
        else:
            tokens = tokens[:len(paths)]
    rotated = None
    if segment.table == 3 and not segment.exact and tokens and tokens[0].line != tokens[-1].line:
        rotated = _total_printed_first(tokens, len(paths), segment)
        if rotated is not None and rotated[1]:
            tokens, rotated = rotated[0], None  # only the rotated reading keeps the row sum
    if segment.table in (3, 4) and rotated is None:
        if _plain_counts(tokens, len(paths)) and all(t.cell.confidence is None for t in tokens):
            # the common case: exactly one plain count per cell, nothing to weigh (an index, not
            # zip(strict=True): compiled, a call with a keyword goes through the generic call)
            for slot, path in enumerate(paths):
                token = tokens[slot]
                context.cells[path] = CellValue(token.value, "read", raw=token.raw, line=token.line,
                                                locator=token.cell.locator())
            return
        tokens = _counts_unsigned(tokens)
    groups = {3: [7], 4: [5, 5, 5]}.get(segment.table)  # parts then their total
    if segment.table in (3, 4) and not segment.exact:
        tokens = _cells_joined(_indentation_dropped(tokens), len(paths))
    alignment = align(tokens, len(paths), row_check(segment), exact=segment.exact, groups=groups,
                      delimited=segment.delimited, wraps=context.wraps and segment.table == 3,
                      guessed=segment.guessed,
                      blanks_vanish=context.blanks_vanish and segment.table in (2, 3),
                      runs_together=context.runs_together)
    if rotated is not None:
        # both orders break the row sum (or both keep it): only what both readings agree on stands
        alignment = merge_alignments(alignment, align(rotated[0], len(paths), row_check(segment),
                                                      groups=groups), len(paths))
    if segment.table == 3 and not segment.exact and tokens and tokens[0].line != tokens[-1].line:
        own = _next_rows_line(tokens)
        if own is not None:
            # 「4.无正当理由… 1 1 2」 then 「1 1 2」: each line sums like a row of its own, and the
            # second may be the next row's, printed above its wrapped label; both readings weigh
            alignment = merge_alignments(alignment, align(own, len(paths), row_check(segment),
                                                          groups=groups), len(paths))
        for variant in _blank_marks_anywhere(tokens, len(paths)):
            # 「无」 on a line of its own below the row's numbers: which cell it stands in, the
            # text does not say (a CJK glyph sits on another baseline than the digits)
            alignment = merge_alignments(alignment, align(variant, len(paths), row_check(segment),
                                                          groups=groups), len(paths))
    footer = _page_number_at_end(tokens, len(paths)) if segment.table == 3 and not segment.exact else None
    inside = _page_number_inside(tokens) if (
        footer is None and segment.table in (3, 4) and not segment.exact and context.runs_together) else None
    if inside is not None:
        alignment = merge_alignments(alignment, align(tokens[:inside] + tokens[inside + 3:], len(paths),
                                                      row_check(segment), groups=groups), len(paths))
    if footer is not None:
        # 「…310000031-3-」: a page's footer (「-3-」) run into the row's last digits reads as blank,
        # 3, blank too; the row is only as certain as both readings agree
        alignment = merge_alignments(alignment, align(tokens[:footer], len(paths), row_check(segment),
                                                      groups=groups), len(paths))
        if footer == 0:
            # nothing but the page number: the row's own values are elsewhere (after the page
            # header), so no sum may choose among readings of the page number
            alignment.found = None
            tokens = []
    entries, decided = alignment.entries, alignment.decided
    assert len(entries) == len(decided) == len(paths)  # (one per cell: the loops below index them)
    if alignment.split or alignment.reason or footer is not None or inside is not None:
        # readings weighed: note the cells decided, to take back those the row's own arithmetic
        # chose if the report's sums fail (settle.py weighs the text alone only then)
        chosen = [p for slot, p in enumerate(paths) if decided[slot] and entries[slot] is not None]
        if chosen:
            text = TextReading(tokens, segment.exact, groups, segment.delimited,
                               context.wraps and segment.table == 3, segment.guessed,
                               context.blanks_vanish and segment.table in (2, 3),
                               footer is not None or inside is not None)
            context.chosen.append(Chosen(segment, chosen, paths, None, text=text))
    for slot, path in enumerate(paths):
        entry = entries[slot]
        if decided[slot] and entry is not None:
            context.cells[path] = cell_value(path, entry, alignment, context)
    unplaced = [p for slot, p in enumerate(paths) if not decided[slot]]
    if unplaced and segment.table == 3:
        _fill_by_row_sum(segment, paths, tokens, alignment, context)
    elif unplaced and segment.table == 4:
        _fill_by_group_sums(segment, paths, tokens, alignment, context)
    undecided = [p for slot, p in enumerate(paths) if not alignment.decided[slot]]
    if unplaced:
        # the finding names every cell the printed values could not place; those the row sum
        # then fixed are marked inferred, and the finding says so (note_forced)
        finding = _undecided_finding(segment, paths, alignment, unplaced, context)
    if undecided:
        printed = [t.value for t in tokens if t.kind == "num"]
        readings = [tuple(map(entry_value, c)) for c in alignment.found or []]
        context.unplaced.append((paths, printed if not alignment.split else [], readings))
        if alignment.split and not readings and any(t.kind == "num" for t in tokens):
            # digits no reading could place (none fits, or too many do): the arithmetic must
            # not fill the row over what it printed
            context.doubted.update(undecided)
        if alignment.found and len(alignment.found) <= 5000:
            context.pending.append(Pending(segment, paths, alignment, finding))
    elif not tokens or all(t.kind == "empty" for t in tokens):
        # the row is printed with no values at all: its cells are blank, not lost
        for path in paths:
            context.cells[path] = CellValue(None, "blank", line=segment.label_line)


def _fill_by_row_sum(segment: Segment, paths: list[str], tokens: list[Token], alignment: Alignment,
                     context: Context) -> None:
    """Cells that every reading of the row gives one value once the row sum fills the reading's
    gap: ``inferred`` (which cell was printed empty is unknown, its value is not)."""
    check = row_check(segment)
    assert check is not None  # table 3 rows have their sum
    agreed = completed_by_row_sum(tokens, len(paths), alignment, check)
    _fill_agreed(segment, paths, agreed, alignment, context,
                 "every reading of the row's printed values, completed by its row sum (T3-ROWSUM)")


def _fill_agreed(segment: Segment, paths: list[str], agreed: list[int | None], alignment: Alignment,
                 context: Context, how: str) -> None:
    """The undecided cells that every reading, completed ``how``, gives one value: ``inferred``."""
    for slot, (path, value) in enumerate(zip(paths, agreed, strict=True)):
        if alignment.decided[slot] or value is None:
            continue
        alignment.decided[slot] = True
        rule = "F-ZERO" if value == 0 else "F-SOLVE"
        context.cells[path] = CellValue(value, "inferred", rule=rule, line=segment.label_line,
                                        note=f"{rule}: {how}, gives {value}")


def _fill_by_group_sums(segment: Segment, paths: list[str], tokens: list[Token], alignment: Alignment,
                        context: Context) -> None:
    """Table 4's cells that every placement of its printed values gives one value once each
    group's sum fills the placement's gaps: ``inferred``, as :func:`_fill_by_row_sum` does for a
    table-3 row."""
    lines = [t.line for t in tokens if t.kind == "num"]
    if any(b - a > 1 for a, b in pairwise(lines)):
        return  # values apart, other text between them: a text out of order may have lent them
    check = row_check(segment)
    assert check is not None  # table 4 has its group sums
    agreed = completed_by_group_sums(tokens, len(paths), alignment, check, len(TEMPLATE.review_columns))
    _fill_agreed(segment, paths, agreed, alignment, context,
                 "every placement of table 4's printed values, completed by its group sums (T4-GROUPSUM)")


def _one_value_per_cell(tokens: list[Token], segment: Segment, context: Context, slots: int) -> list[Token]:
    """In a real grid a cell holds one value. A cell that reads as several (an OCR'd stamp rim
    「/0」) is unreadable: it keeps its place as one unknown cell instead of shifting the row —
    unless its pieces are a number the narrow cell wrapped onto lines (「189<br>50」, as
    pymupdf4llm prints 18950) and the row's own sums hold with every such cell joined."""
    result: list[Token] = []
    joined: list[Token] = []
    unreadable: list[Token] = []
    for group in cell_groups(tokens, grid_only=False):
        if sum(1 for t in group if t.kind in ("num", "blank")) > 1:
            result.append(Token("unknown", group[0].cell.text, group[0].cell))
            unreadable.append(result[-1])
            joined.append(wrapped_in_cell(group) or result[-1])
        else:
            result.extend(group)
            joined.extend(group)
    check = row_check(segment)
    row = joined[-slots:]
    if unreadable and check is not None and len(row) == slots and all(t.kind == "num" for t in row) and check(
            [t.value for t in row]):
        return joined
    for token in unreadable:
        add_finding(context, "P-CELL", "not_one_value", line=token.cell.line, row=row_name(segment),
                    key=segment.key, text=token.cell.text)
    return result


def _plain_counts(tokens: list[Token], slots: int) -> bool:
    """Exactly ``slots`` counts, each a plain unglued number (no unit, note, sign or leading 0)."""
    return len(tokens) == slots and all(
        t.kind == "num" and not t.glued and t.unit is None and t.note is None and t.raw.isdigit()
        and (len(t.raw) == 1 or t.raw[0] != "0") for t in tokens)


def _cells_joined(tokens: list[Token], slots: int) -> list[Token]:
    """A row of table cells (a markdown table under a header no one could read) with a cell
    holding a number wrapped onto lines (「134<br>3」): when joining each such cell's pieces leaves
    one token per cell, exactly as many as the row's cells, the row is read that way."""
    result: list[Token] = []
    joined_any = False
    for group in cell_groups(tokens):
        joined = wrapped_in_cell(group) if len(group) > 1 else None
        if joined is not None:
            result.append(joined)
            joined_any = True
        else:
            result.extend(group)
    return result if joined_any and slots in (len(result), len(_core_cells(result))) else tokens


def _core_cells(tokens: list[Token]) -> list[Token]:
    start, end = 0, len(tokens)
    while start < end and tokens[start].kind == "empty" and tokens[start].cell.text == "":
        start += 1
    return tokens[start:end]


def _page_number_at_end(tokens: list[Token], slots: int) -> int | None:
    """Where a row's values end in a footer's page number 「-3-」 (blank, number, blank from one
    text with nothing between; or 「- 3 -」 spaced, or 「1 / 5」, in a row too short without it), or
    None."""
    if len(tokens) < 3:
        return None
    dash, number, closing = tokens[-3:]
    if (len(tokens) < slots and dash.kind == "num" and number.kind == "blank" and number.raw in "/／"
            and closing.kind == "num" and dash.cell is number.cell is closing.cell
            and len(dash.raw) <= 3 and len(closing.raw) <= 3 and dash.raw.isdigit() and closing.raw.isdigit()
            and 0 < int(dash.raw) <= int(closing.raw)):
        return len(tokens) - 3  # 「1 / 5」: page 1 of 5, in a row too short without it
    if (dash.kind == "blank" and closing.kind == "blank" and number.kind == "num"
            and (number.glued or len(tokens) < slots) and (len(tokens) > 3 or not number.glued)
            and dash.raw in _DASHES and closing.raw in _DASHES and len(number.raw) <= 3
            and dash.cell is number.cell is closing.cell):
        return len(tokens) - 3
    return None


_DASHES: Final = "-－—–"


def _indentation_dropped(tokens: list[Token]) -> list[Token]:
    """A row printed one value per line, each line indented with tabs (lxml's text_content of a
    page whose HTML indents its cells: 「\t\t\t\t0」): the empty cells before each line's one value
    are indentation, not cells of the form. Only where every line of the row is so printed (an
    empty cell alone on its line, a cell-per-line text's blank line, stays a cell)."""
    if len(tokens) < 2 or tokens[0].kind != "empty" or tokens[0].line == tokens[-1].line:
        return tokens
    lines: dict[int, list[Token]] = {}
    for token in tokens:
        lines.setdefault(token.line, []).append(token)
    if len(lines) < 3 or not all(
            len(line) == 1 or (line[-1].kind != "empty" and all(t.kind == "empty" for t in line[:-1]))
            for line in lines.values()):
        return tokens
    return [t for line in lines.values() for t in (line if len(line) == 1 else line[-1:])]


def _total_printed_first(tokens: list[Token], slots: int, segment: Segment
                         ) -> tuple[list[Token], bool] | None:
    """A row whose last cells print on one line (its label's first, mostly) and the others on the
    line below: the official form's 总计 column is top-aligned, so where a label wraps to three
    lines a PDF's text reads 「（二）部分公开（区分处理的，只计这一情 38」 then 「34 0 0 1 2 1」
    (or the total's 「无」 alone above the row's six 0s). Returns the reading with the first
    line's values last, and whether the row sum settles on it (the
    positional reading breaking the sum, the rotated one keeping it); None when the row is not
    printed that way or the positional reading alone keeps the sum. A row printing fewer values
    than cells (a converter that drops blank cells) is weighed both ways."""
    printed = [t for t in tokens if t.kind != "empty"]
    if not 2 <= len(printed) <= slots or any(t.kind not in ("num", "blank") for t in printed):
        return None
    first = [t for t in printed if t.line == printed[0].line]
    rest = printed[len(first):]
    if not 1 <= len(first) <= 2 or printed[:len(first)] != first or len({t.line for t in rest}) != 1:
        return None
    check = row_check(segment)
    if check is None:
        return None
    rotated = rest + first
    # where the first line is the label's or holds only blank marks, the form's layout is the
    # likely one; elsewhere (a wide number wrapped centred on its row: 「299 … 395」 above the row's
    # values) only a row sum that settles on the rotated reading speaks for it
    likely = first[0].line == segment.label_line or all(t.kind == "blank" for t in first)
    if len(printed) < slots:
        # (a blank cell dropped too: which sum holds, only the readings tell)
        return (rotated, False) if likely else None
    positional_holds = check([t.value if t.kind == "num" else None for t in printed])
    rotated_holds = check([t.value if t.kind == "num" else None for t in rotated])
    if rotated_holds and not positional_holds:
        return rotated, True
    if (positional_holds and not rotated_holds) or not likely:
        return None
    return rotated, False


def _next_rows_line(tokens: list[Token]) -> list[Token] | None:
    """The row's first line, when the row's values stand on two lines that each print two or
    more numbers summing like a row (the last the sum of the others), or None."""
    first = [t for t in tokens if t.line == tokens[0].line]
    second = tokens[len(first):]
    if len({t.line for t in second}) != 1:
        return None
    for line in (first, second):
        values = [t.value for t in line if t.kind == "num"]
        if len(values) < 2 or len(values) != len(line) or any(v is None for v in values) or (
                sum(v or 0 for v in values[:-1]) != values[-1]):
            return None
    return first


def _blank_marks_anywhere(tokens: list[Token], slots: int) -> list[list[Token]]:
    """A row printing its numbers on one line and one to three blank marks (「无」「—」) alone on the
    next, as many as its cells in all: the row with the marks put at every other place (the
    reading as printed, marks last, is the caller's)."""
    last = tokens[-1].line
    marks = [t for t in tokens if t.line == last]
    values = [t for t in tokens if t.line != last]
    if (len(tokens) != slots or not 1 <= len(marks) <= 3 or any(t.kind != "blank" for t in marks)
            or len({t.line for t in values}) != 1 or tokens[:len(values)] != values
            or any(t.kind != "num" for t in values)):
        return []
    variants = []
    for places in combinations(range(slots), len(marks)):
        rest = iter(values)
        mark = iter(marks)
        variant = [next(mark) if i in places else next(rest) for i in range(slots)]
        if variant != tokens:
            variants.append(variant)
    return variants


def _page_number_inside(tokens: list[Token]) -> int | None:
    """Where a page's footer 「—2—」 stands between a row's digits (「393—2—001346」: a page break
    fell inside a row of a text that runs its values together), or None. It reads as blank, 2,
    blank just as well, so both readings are weighed."""
    for i in range(1, len(tokens) - 3):
        dash, number, closing = tokens[i], tokens[i + 1], tokens[i + 2]
        if (dash.kind == "blank" and closing.kind == "blank" and number.kind == "num"
                and dash.raw in _DASHES and closing.raw in _DASHES and len(number.raw) <= 3
                and number.raw.isdigit() and tokens[i - 1].kind == "num" and tokens[i + 3].kind == "num"
                and dash.cell is number.cell is closing.cell):
            return i
    return None


def _counts_unsigned(tokens: list[Token]) -> list[Token]:
    """Tables 3 and 4 hold counts, never negative: a dash before a number there is a blank
    cell (「715--2280」 is 71, 5, –, –, 2, 2, 80), not a minus sign."""
    result: list[Token] = []
    for token in tokens:
        if token.kind == "num" and token.raw[:1] in "-－" and token.value is not None:
            result.append(Token("blank", token.raw[0], token.cell))
            result.append(Token("num", token.raw[1:], token.cell, value=-token.value, unit=token.unit,
                                note=token.note, glued=True))
        else:
            result.append(token)
    return result


def _in_header_columns(tokens: list[Token], columns: frozenset[int]) -> list[Token]:
    """A table-2 row of a text table under a header that names its columns: the values in those
    columns. A cell outside them must be empty, or repeat the cell before it (a merged cell
    written twice); otherwise the header is no guide and the row is left as printed."""
    if not columns:
        return tokens
    by_column = {t.cell.column: t for t in tokens if t.cell.row is not None}
    for column, token in by_column.items():
        if column in columns or column < min(columns) or token.kind == "empty":
            continue
        before = by_column.get(column - 1)
        if before is None or before.raw != token.raw:
            return tokens
    return [t for t in tokens if t.cell.row is None or t.cell.column in columns]


def _trim_trailing_empties(tokens: list[Token], slots: int) -> list[Token]:
    """Table 2 rows pad single-value rows with empty cells (``行政许可 | 31 | | |``)."""
    while len(tokens) > slots and tokens and tokens[-1].kind == "empty":
        tokens = tokens[:-1]
    return tokens


def cell_value(path: str, entry: Token | Part, alignment: Alignment, context: Context) -> CellValue:
    token: Token = entry.token if isinstance(entry, Part) else entry
    if not isinstance(entry, Part) and token.kind == "unknown":
        return CellValue(None, "missing", line=token.line, locator=token.cell.locator(),
                         note=f"the cell prints {token.raw!r}, which is not one value")
    if not isinstance(entry, Part) and token.kind != "num":
        return CellValue(None, "blank", raw=token.raw or None, line=token.line,
                         locator=token.cell.locator())
    value = entry_value(entry)
    raw = entry.text if isinstance(entry, Part) else token.raw
    notes = []
    if not isinstance(entry, Part) and " " in token.raw:
        notes.append(f"joined from the pieces the cell wrapped onto lines ({token.raw!r})")
    if isinstance(entry, Part):
        # a Part longer than its first token joins the pieces a narrow cell wrapped onto lines
        how = (f"joined from pieces wrapped onto several lines, the first {token.raw!r} on line {token.line}"
               if len(entry.text) > len(token.raw) else f"cut from the run-together digits {token.raw!r}")
        notes.append(how + (" (the only reading the row's arithmetic allows)" if alignment.candidates == 1
                            else " (all readings the arithmetic allows agree on it)"))
    elif alignment.candidates > 1:
        notes.append(f"position certain: all {alignment.candidates} readings of the row agree")
    if token.note:
        notes.append(f"the cell also prints {token.note!r}")
        add_finding(context, "P-NOTE", "value_taken", cells=[path], line=token.line,
                    cell=TEMPLATE.cell_label(path), path=path, raw=token.raw, value=value)
    if _cell_kind(path) == "amount" and value is not None:
        value = _amount(path, token, value, notes, context)
    # an OCR'd digit the recogniser was unsure of becomes missing after extraction, with its P-OCR
    # finding (extract/ocr_doubt.py): the confidence travels in the locator
    return CellValue(value, "read", raw=raw, line=token.line, locator=token.cell.locator(),
                     note="; ".join(notes) or None)


def _cell_kind(path: str) -> str:
    """TEMPLATE.cell_kind, remembered: the template model runs interpreted, and every value placed asks."""
    kind = _CELL_KINDS.get(path)
    if kind is None:
        kind = _CELL_KINDS[path] = TEMPLATE.cell_kind(path)
    return kind


_CELL_KINDS: Final[dict[str, str]] = {}


def _amount(path: str, token: Token, value: float, notes: list[str], context: Context) -> float:
    """Money in 万元: 元 divided by 10000; a bare procurement amount has no unit to go by."""
    if token.unit == "元":
        notes.append("printed in 元, converted to 万元")
        return round(value / 10000, 6)
    if token.unit is None and path.startswith("active_disclosure.procurement"):
        notes.append("no unit printed: taken as 万元")
        add_finding(context, "P-UNIT", "no_unit", cells=[path], line=token.line,
                    cell=TEMPLATE.cell_label(path), path=path, raw=token.raw)
    return value


def _undecided_finding(segment: Segment, paths: list[str], alignment: Alignment,
                       undecided: list[str], context: Context) -> Finding:
    row = row_name(segment)
    printed = " ".join(t.raw or "□" for t in segment.tokens if t.kind != "empty") or "（无）"
    names = "、".join(column_name(p) for p in undecided)
    if alignment.split:
        case = {"split-none": "none_fits", "split-many": "too_many"}.get(alignment.reason, "several")
        return add_finding(context, "P-SPLIT", case, cells=undecided, line=segment.label_line, row=row,
                           key=segment.key, printed=printed, names=names, undecided=len(undecided),
                           most=MAX_CANDIDATES, ways=alignment.candidates)
    count = sum(1 for t in segment.tokens if t.kind != "empty")
    finding = add_finding(context, "P-ALIGN", "count", cells=undecided, line=segment.label_line, row=row,
                          key=segment.key, printed=printed, names=names, undecided=len(undecided),
                          slots=len(paths), count=count)
    if count < len(paths):
        context.short_rows[id(finding)] = (finding, count)  # merge_short_rows: one finding for many
    return finding


def duplicate_finding(context: Context, first: Segment, second: Segment) -> None:
    a = [t.raw for t in first.tokens if t.kind != "empty"]
    b = [t.raw for t in second.tokens if t.kind != "empty"]
    if a != b:
        add_finding(context, "P-DUPLICATE", "differs", line=second.label_line, row=row_name(first),
                    key=first.key, first=first.label_line, second=second.label_line)


def cell_count(segment: Segment, shape: TableShape) -> int:
    """How many cells the row has in this table shape (0: none, a row of the other edition)."""
    return len(_slots(segment, shape) or ())


def row_keys(shape: TableShape) -> tuple[str, ...]:
    # by (edition, hybrid): the template's own cache hashes the TableShape, whose generated
    # __hash__ runs interpreted, and every segment asks
    where = (shape.edition, shape.hybrid)
    keys = _ROW_KEYS.get(where)
    if keys is None:
        keys = _ROW_KEYS[where] = TEMPLATE.application_row_keys(shape)
    return keys


_ROW_KEYS: Final[dict[tuple[str, bool], tuple[str, ...]]] = {}


OTHER_ITEMS: Final = ("other_no_correction", "other_unpaid_fee", "other_other")
