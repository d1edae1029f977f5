"""Layouts that can only be read with the whole table in view: labels printed apart from their
values, table 4 under an unreadable header, and numbers no row can take."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from itertools import pairwise
from typing import Any, Final

from ..document import Cell
from ..report import CellValue, Number
from ..template import TEMPLATE, Equation, TableShape, equations
from .align import MAX_WRAPPED, Part, centred, entry_key, entry_value, joined, short_joined, wrapped_in_cell
from .context import Context, add_finding, breaks_printed, cannot_hold, row_name
from .lexer import Token
from .place import row_check
from .segment import Segment, Segmentation, slots_hint


# ---------------------------------------------------------------------- layouts needing the whole table
def pair_detached_values(segments: list[Segment]) -> list[Segment]:
    """Labels detached from their values (a block of k labels, then a block of k value rows, as
    PDF-to-markdown conversions make): give the i-th value row to the i-th label. When the
    counts differ, which row is whose cannot be known: the rows are placed nowhere."""
    result = list(segments)
    assigned: set[int] = set()  # rows given a value row already (perhaps an all-blank one)
    for index, segment in enumerate(result):
        lines = [line for line in segment.lines if line[0].line != segment.label_line]
        if segment.table != 3 or not lines:
            continue
        if len(lines) == 1:
            # one row of values under the last of a table of labels that printed no values (a page
            # break cut the table of value rows after it): whose row it is cannot be known
            table = segment.label_table
            if table is None or lines[0][0].cell.table == table or sum(
                    1 for t in lines[0] if t.kind != "empty") < 2:
                continue
            run = _bare_labels_before(result, index, assigned, label_table=table)
            if not run:
                continue
        else:
            if any(sum(1 for t in line if t.kind != "empty") < 2 and len(line) < 2 for line in lines):
                continue  # one value per line is a one-cell-per-line layout, not detached rows
            run = _bare_labels_before(result, index, assigned)
            if len(run) == len(lines) - 1:
                for owner, line in zip([*run, segment], lines, strict=True):
                    owner.lines = [line]
                    assigned.add(id(owner))
                continue
            if not run:
                continue
        segment.lines = []  # k bare labels, m ≠ k + 1 value rows: no pairing is certain
        segment.detached_mismatch = (len(run) + 1, len(lines))
        assigned.update(id(owner) for owner in [*run, segment])
    return result


def _bare_labels_before(result: list[Segment], index: int, assigned: set[int], *,
                        label_table: int | None = None) -> list[Segment]:
    """The table-3 labels right before ``index`` that took no values and were given none, in
    order; the （六） group label, which takes no values of its own, left out. With ``label_table``:
    labels of that text table that took nothing but empty cells beside the label (the label
    columns a row leaves empty, 「|  | （六）其他处理 |  |」)."""
    def bare(label: Segment) -> bool:
        if label_table is None:
            return not label.filled
        return label.label_table == label_table and all(
            t.kind == "empty" and t.line == label.label_line for line in label.lines for t in line)

    run: list[Segment] = []
    j = index - 1
    while j >= 0 and result[j].table == 3 and bare(result[j]) and id(result[j]) not in assigned:
        if not result[j].maybe_group:
            run.insert(0, result[j])
        j -= 1
    return run


_FEWEST_GAPS: Final = 6  # gaps between a row's values it takes to tell a text's convention for blank lines


def empty_cells_from_blank_lines(seg: Segmentation, content_lines: set[int]) -> None:
    """Text that prints a table one cell per line shows an empty cell as a blank line (LibreOffice's
    text export: 「0」「0」「0」「」「0」…), or, where a blank line follows every cell (mammoth,
    docx2txt), as two more. Which convention a text keeps its rows tell: the usual gap between
    two values of a row. Blank lines before a row's first value (after its label or header) and
    between its values then become its empty cells; those after its last value say nothing (the
    next row's cells of labels), nor does a gap the convention cannot divide; and only where the
    convention makes most rows exactly as wide as the form's (never in a PDF's drawing order)."""
    rows: list[tuple[Segment, list[int | None]]] = []
    seen: Counter[int] = Counter()
    printed = sorted(content_lines)
    for segment in seg.segments:
        if segment.table not in (3, 4) or segment.exact or not segment.lines or any(
                len(line) != 1 for line in segment.lines):
            continue
        first = segment.lines[0][0].line
        above = bisect_left(printed, first)
        gaps: list[int | None] = [first - printed[above - 1] - 1 if above else None]  # before the first
        for (before,), (after,) in pairwise(segment.lines):
            between = range(before.line + 1, after.line)
            gaps.append(None if any(line in content_lines for line in between) else len(between))
        seen.update(g for g in gaps[1:] if g is not None)
        rows.append((segment, gaps))
    usual = 0 if seen[0] >= seen[1] else 1
    if seen[usual] < _FEWEST_GAPS or not any(g > usual for g in seen if (g - usual) % (usual + 1) == 0):
        return  # (no row shows an empty cell between its values: blank lines are the page's structure)
    filled: list[tuple[Segment, list[int]]] = []
    exact = 0
    for segment, gaps in rows:
        if any(g is not None and (g < usual or (g - usual) % (usual + 1)) for g in gaps):
            return  # a gap the convention cannot divide: the text does not keep it (a generator's)
        counts = [0 if g is None else (g - usual) // (usual + 1) for g in gaps]
        cells = len(segment.lines) + sum(counts)
        if cells <= slots_hint(segment):  # (fewer: empty cells at its end, which say nothing)
            filled.append((segment, counts))
            exact += cells == slots_hint(segment)
    # a sparse table (many rows end in empty cells, which say nothing) where no row overflows
    # needs fewer rows the convention makes exact
    fits_all = len(filled) == len(rows)
    if exact < (0.4 if fits_all else 0.6) * len(rows):
        return  # the convention explains too few rows (a PDF's drawing order has blank lines anywhere)
    for segment, counts in filled:
        lines: list[list[Token]] = []
        for line, count in zip(segment.lines, counts, strict=True):
            lines += [[Token("empty", "", Cell("", line[0].line - count + k))] for k in range(count)]
            lines.append(line)
        segment.lines = lines


def pair_values_printed_above(seg: Segmentation) -> None:
    """A table-3 row whose tall label cell puts its values' line above the label's (pdfplumber:
    「0 0 0 0 0 0 0」 then 「1.属于国家秘密」): a full line of values no row took, right above a
    row that printed none, takes it — when the nearest row above it has values of its own and
    nothing but words stands between it and the label, and no such line follows the label (a
    run of labels and then of values, a PDF's drawing order, pairs nothing here)."""
    if not any(s.table == 3 for s in seg.segments):
        return
    orphan_lines: dict[int, list[Token]] = {}
    for token in seg.orphans:
        if token.kind == "num":
            orphan_lines.setdefault(token.line, []).append(token)
    if not orphan_lines:
        return
    # every line that holds a label or a row's values: what a value line may not be paired across
    label_lines = {s.label_line: s for s in seg.segments}
    value_lines = {t.line for s in seg.segments for t in s.tokens if t.kind == "num"}
    marks = sorted({*label_lines, *value_lines, *orphan_lines})
    for segment in seg.segments:
        if segment.table != 3 or segment.filled or segment.exact or segment.maybe_group:
            continue
        at = marks.index(segment.label_line)
        above = marks[at - 1] if at > 0 else None
        below = marks[at + 1] if at + 1 < len(marks) else None
        before = marks[at - 2] if at > 1 else None
        if above is None or above not in orphan_lines or len(orphan_lines[above]) != slots_hint(segment) or (
                above in label_lines or below in orphan_lines):
            continue
        owner = label_lines.get(before) if before is not None else None
        if before is None or (owner is not None and not owner.filled) or (
                owner is None and before not in value_lines):
            continue  # the line before the values is a bare label's (or nothing): not certain
        segment.lines = [orphan_lines.pop(above)]
        taken = {id(t) for t in segment.lines[0]}
        seg.orphans = [t for t in seg.orphans if id(t) not in taken]


MAX_WRAPPED_PIECES: Final = 8  # pieces of wrapped numbers a row may take from the lines after it


def rejoin_wrapped_rows(seg: Segmentation) -> None:
    """Rows whose narrow cells wrapped their numbers, each number's pieces one per line
    (pdftotext -raw, pymupdf: 「189」「50」「874」「2」…): the segmenter closes the row at its
    seventh number and leaves the pieces after it unplaced. They join the row when they stand on
    the lines right after its values, before the next label, the row as read breaks its own
    sum, and exactly one way of joining the pieces of consecutive lines, all of them used, makes
    the sums hold. Otherwise they stay unplaced (and the row is doubted as before)."""
    segments = seg.segments
    for index, segment in enumerate(segments):
        check = row_check(segment)
        if segment.exact or check is None or not segment.lines:
            continue
        tokens = segment.tokens
        slots = slots_hint(segment)
        end = segments[index + 1].label_line if index + 1 < len(segments) else None
        last = tokens[-1].line
        pieces: list[Token] = []
        for token in seg.orphans:
            if token.line <= tokens[-1].line:
                continue
            if (end is not None and token.line >= end) or token.line > last + 1 or token.kind != "num":
                break
            pieces.append(token)
            last = token.line
        if not pieces or len(pieces) > MAX_WRAPPED_PIECES:
            continue
        values = [t for t in tokens if t.kind != "empty"]
        if len(values) == slots and check([entry_value(t) for t in values]):
            continue  # the row holds as read: what follows is not its
        readings = {tuple(map(entry_key, c)) for c in joined(values + pieces, slots, check)}
        if len(readings) != 1:
            continue
        for token in pieces:
            segment.add(token)
            seg.orphans.remove(token)


def rejoin_centred_rows(seg: Segmentation) -> None:
    """Rows whose wide numbers wrapped onto two lines centred on the row (pdfplumber, pdftotext
    -layout: 「189 874 228 320」 / label 「828 869 409」 / 「50 2 7 85」): the line of pieces above the
    label is left unplaced, or taken by the row before as its last line. It joins the row when it
    holds numbers only, the row as read breaks its own sum, the row before (if it took the line)
    holds its sum without it, and the pieces join the row's in some way its sum allows
    (:func:`.align.centred`; which way, the other rows' arithmetic decides)."""
    segments = seg.segments
    for index, segment in enumerate(segments):
        check = row_check(segment)
        if segment.table != 3 or segment.exact or check is None or not segment.lines:
            continue
        line = segment.label_line - 1
        width = slots_hint(segment)
        values = [t for t in segment.tokens if t.kind != "empty"]
        if len(values) == width and check([entry_value(t) for t in values]):
            continue  # the row holds as read
        above = [t for t in seg.orphans if t.line == line]
        donor: Segment | None = None
        if not above and index and segments[index - 1].table == 3 and segments[index - 1].lines:
            before = segments[index - 1]
            kept = [t for t in before.tokens if t.line != line and t.kind != "empty"]
            before_check = row_check(before)
            # the row before keeps its own line, whole (its sum holds) or short of a printed-empty
            # cell or two; the pieces' line is the one right above this row's label
            if (before.label_line < line and before.lines[-1][0].line == line
                    and width - 2 <= len(kept) <= width and before_check is not None
                    and before_check([entry_value(t) for t in kept] + [None] * (width - len(kept)))):
                above, donor = list(before.lines[-1]), before
        if not above or any(t.kind != "num" for t in above):
            continue
        core = above + values
        handed_on: list[Token] = []
        if not centred(core, width, check):
            # the row's last line may be the next row's pieces above its label (two wrapped rows
            # one after the other): without it, do this row's pieces join?
            last = segment.lines[-1]
            following = segments[index + 1] if index + 1 < len(segments) else None
            if (following is None or following.table != 3 or len(segment.lines) < 3
                    or last[0].line != following.label_line - 1 or any(t.kind != "num" for t in last)):
                continue
            kept = [t for t in values if t.line != last[0].line]
            if not centred(above + kept, width, check):
                continue
            handed_on = list(last)
        if donor is not None:
            donor.lines.pop()
        else:
            for token in above:
                seg.orphans.remove(token)
        segment.lines.insert(0, above)
        if handed_on:
            segment.lines.pop()
            seg.orphans.extend(handed_on)  # the next row's, to take as its own line above


def rejoin_trailing_pieces(seg: Segmentation, line_texts: dict[int, str] | None = None) -> None:
    """Numbers a table-3 row's label owns that the segmenter left over: a row printing its
    values one per line (or a few a line) closes once it holds as many numbers as cells, so in a
    text that wraps wide numbers (「121」「2」 for 1212) the row's last numbers, on the lines right
    after, before the next label, are left unplaced. Between one label and the next, every number
    is the row's: they are given back to it where some join of the pieces holds the row's sum,
    and its readings (checked by its sum and the table's) decide, or leave it undecided. Only
    lines of nothing but numbers, each right below the last and running up to the next label,
    count (with ``line_texts``, the text of each line: a few lines of a tall group label's pieces,
    「无法提」「供」, may stand between, as a PDF prints a label centred beside its rows); not where
    the row read by position holds its sum (the leftovers are then more likely a page number)."""
    numbers = [t for t in seg.orphans if t.kind == "num"]
    if not numbers:
        return
    ordered = sorted(seg.segments, key=lambda s: s.label_line)
    by_line: dict[int, list[Token]] = {}
    for token in seg.orphans:
        by_line.setdefault(token.line, []).append(token)
    labels = {s.label_line for s in ordered}
    for index, segment in enumerate(ordered):
        if segment.table != 3 or segment.exact or not segment.lines or index + 1 >= len(ordered):
            continue
        next_label = ordered[index + 1].label_line
        line = max(t.line for t in segment.tokens) + 1
        taken: list[list[Token]] = []
        texts = line_texts or {}
        while (line < next_label and line not in by_line and line not in labels and line_texts is not None
               and (line not in texts or _label_piece(texts[line]))):
            line += 1  # a group label's piece (or a line joined to one), between a row's values and the rest
        while line < next_label and line in by_line and all(
                t.kind == "num" and t.raw.isdigit() for t in by_line[line]):
            taken.append(by_line[line])
            line += 1
        if not taken or line != next_label or len(taken) > MAX_WRAPPED:
            continue  # the leftovers do not run up to the next label: not plainly this row's
        printed = [t.value for t in segment.tokens if t.kind == "num"]
        check = row_check(segment)
        if check is None or (len(printed) == slots_hint(segment) and check(printed)):
            continue  # read by position the row holds its sum: the leftovers are something else
        material = [t for t in segment.tokens if t.kind != "empty"] + [t for row in taken for t in row]
        if not joined(material, slots_hint(segment), check):
            continue  # no join of the pieces holds the row's sum: they stay unplaced, and say so
        for row in taken:
            segment.lines.append(row)
            for token in row:
                seg.orphans.remove(token)


_LABEL_PIECE: Final = 6  # characters at most in a piece of a label a tall cell wrapped (「无法提」)


def _label_piece(text: str) -> bool:
    """A short line of Chinese characters and brackets only: a piece of a label, no value."""
    text = text.strip()
    return 0 < len(text) <= _LABEL_PIECE and all("\u4e00" <= c <= "\u9fff" or c in "（）()" for c in text)


def rejoin_rows_split_by_a_page(seg: Segmentation) -> None:
    """A table row whose wide numbers wrapped across a page break (pymupdf4llm: 「171 | 939 | … |
    292」 ends one page's table, 「| 7 | | … | 2 |」 starts the next): the pieces in the first row
    after it join the numbers in the same columns, counted from the right (tables 3 and 4 end in
    their value columns), when the row as printed breaks its sum and the joined row holds it."""
    segments = seg.segments
    for index, segment in enumerate(segments):
        check = row_check(segment)
        if segment.table != 3 or check is None or not segment.lines:
            continue
        row = segment.lines[-1]
        values = [t for t in segment.tokens if t.kind != "empty"]
        if (any(t.cell.row is None for t in row) or len(values) != slots_hint(segment)
                or check([entry_value(t) for t in values])):
            continue
        end = segments[index + 1].label_line if index + 1 < len(segments) else None
        following = [t for t in seg.orphans if t.line > row[-1].line and (end is None or t.line < end)]
        if not following:
            continue
        next_row = [t for t in following if t.line == following[0].line]
        pieces = [t for t in next_row if t.kind != "empty"]
        if not pieces or any(t.cell.row is None or not (t.kind == "num" and t.raw.isdigit()) for t in next_row
                             if t.kind != "empty"):
            continue
        right, next_right = max(t.cell.column for t in row), max(t.cell.column for t in next_row)
        by_offset = {right - t.cell.column: t for t in values}
        joined_tokens: dict[int, Token] = {}
        for piece in pieces:
            owner = by_offset.get(next_right - piece.cell.column)
            token = wrapped_in_cell([owner, piece]) if owner is not None else None
            if owner is None or token is None:
                break
            joined_tokens[id(owner)] = token
        else:
            if check([entry_value(joined_tokens.get(id(t), t)) for t in values]):
                segment.lines = [[joined_tokens.get(id(t), t) for t in line] for line in segment.lines]
                for token in next_row:
                    seg.orphans.remove(token)


def table4_from_orphans(seg: Segmentation, segments: list[Segment], context: Context) -> None:
    """Table 4 with an unreadable header (seed 000): a row of 15 values after table 3."""
    if any(s.table == 4 and s.filled for s in segments):
        return
    last_t3 = max((s.label_line for s in segments if s.table == 3), default=None)
    if last_t3 is None:
        return
    after = [t for t in seg.orphans if t.line > last_t3]
    by_line: dict[int, list[Token]] = {}
    for token in after:
        by_line.setdefault(token.line, []).append(token)
    for line, tokens in by_line.items():
        values = [t for t in tokens if t.kind != "empty"]
        above, below = by_line.get(line - 1, []), by_line.get(line + 1, [])
        if 0 < len(above) == len(below) < len(values) and len(values) + len(above) == 15 and centred(
                above + values + below, 15, None):
            # wide numbers wrapped onto two lines centred on the row (pdftotext -layout)
            segment = Segment(4, "data", line)
            segment.lines += [above, values, below]
            segments.append(segment)
        elif _short_table4_line(segments, by_line, line, values):
            # a row printing fewer values than cells under table 4's own header: the converter
            # dropped its empty cells; placed like any short row (its group sums decide, or not)
            segment = Segment(4, "data", line)
            segment.lines.append(values)
            segments.append(segment)
        elif len(values) in (15, 16) or (len(tokens) == 15 and values):
            tokens = values if len(values) in (15, 16) else tokens
            segment = Segment(4, "data", line)
            segment.lines.append(tokens)
            wrapped = [t for t in by_line.get(line + 1, []) if t.kind == "num"]
            if 0 < len(wrapped) <= MAX_WRAPPED:
                segment.lines.append(wrapped)  # digits a narrow cell wrapped onto the next line
            segments.append(segment)
        else:
            continue
        # the header's own rows printed no values: these are theirs, not blanks beside them
        segments[:] = [s for s in segments if s is segment or s.table != 4 or s.filled]
        for token in (t for row in segment.lines for t in row):
            seg.orphans.remove(token)
        count = sum(len(row) for row in segment.lines)
        add_finding(context, "P-TABLE4", "by_position", line=line, count=count)
        return


_SHORT_TABLE4: Final = 10  # fewer values than this on table 4's line: too few to tell from stray numbers


def _short_table4_line(segments: list[Segment], by_line: dict[int, list[Token]], line: int,
                       values: list[Token]) -> bool:
    """Is ``line`` table 4's only row of values, printing fewer than its 15 cells: the one line
    of unplaced numbers below the table's recognised header (a table-4 segment that took
    nothing), every token a plain count?"""
    headers = [s.label_line for s in segments if s.table == 4 and not s.filled]
    return (bool(headers) and line > max(headers) and _SHORT_TABLE4 <= len(values) < 15
            and all(t.kind == "num" and t.raw.isdigit() for t in values)
            and [n for n in by_line if n > max(headers)] == [line])


def report_orphans(seg: Segmentation, context: Context) -> None:
    values = [t for t in seg.orphans if t.kind == "num"]
    if not values:
        return
    seg.orphans = values
    lines = sorted({t.line for t in values})
    shown = " ".join(t.raw for t in values[:20]) + (" …" if len(values) > 20 else "")
    add_finding(context, "P-ORPHAN", "unplaced", line=lines[0], count=len(values), shown=shown,
                lines="、".join(map(str, lines[:8])), lines_en=", ".join(map(str, lines[:8])))


def note_rows_among_orphans(seg: Segmentation, placed: list[Segment], context: Context) -> None:
    """A row's worth of numbers no row took (seven on one line, their sum holding), among table
    3's rows, while a row of it was never found (its label garbled: Debian's html2text cuts
    Chinese characters apart, 「（二）部分公开（区分处理的，只�262��33��2形�4�…」). Those numbers may
    be that row's: the arithmetic may fill its cells only with one of them
    (settle.contradicts_printed) — not with 3 and 312 where it printed 2 and 311, in a report
    whose sums are off."""
    rows = [s for s in placed if s.table == 3]
    if not rows or not seg.orphans:
        return
    # (anywhere: the lost row may be the table's first, its values before any label found)
    by_line: dict[int, list[Number | None]] = {}
    for token in seg.orphans:
        if token.kind == "num" and token.value is not None:
            by_line.setdefault(token.line, []).append(token.value)
    orphan_rows = [tuple(values) for values in by_line.values()
                   if len(values) == 7 and sum(v or 0 for v in values[:-1]) == values[-1]]
    if not orphan_rows:
        return
    found = {s.key for s in rows}
    for key in TEMPLATE.application_row_keys(context.shape):
        if key not in found:
            paths = [p for p in context.cells if p.startswith(f"applications.{key}.")]
            context.unplaced.append((paths, [], orphan_rows))


_SCATTERED: Final = 3  # table 4's values on more lines than this: not one row of values


def doubt_detached_rows(seg: Segmentation, placed: list[Segment], context: Context) -> None:
    """Labels above their values in text whose table grid a PDF converter guessed (markitdown,
    pdfminer): such converters print a row's label and the values beside it in whatever order
    their text boxes come, so values below a label may be the next row's. Rows of tables 2 and 3
    that took their values from lines below the label are left undecided."""
    if not seg.untrusted_grid:
        return
    cells = context.cells
    for segment in placed:
        if segment.exact or segment.table not in (2, 3) or not segment.lines or any(
                line[0].line == segment.label_line for line in segment.lines):
            continue
        paths = [p for p in cells if p.startswith(_TABLE_KEY[segment.table] + segment.key + ".")]
        _undecide(paths, segment.label_line, context, "guessed_grid", segment)


_TABLE_KEY: Final = {2: "active_disclosure.", 3: "applications."}


def _doubt_table2(ordered: list[Segment], context: Context) -> None:
    """A table-2 row taking its values one per line below its label, right after a row that
    took none, while numbers are unplaced: the values of both rows printed a column at a time
    (pdfminer: 「规章」「行政规范性文件」 then 0 0 0 5 0 5). Table 2 has no sums to say which
    is whose: the row is undecided."""
    cells = context.cells
    for index, segment in enumerate(ordered):
        if segment.table != 2 or segment.exact or not _after_bare_labels(ordered, index, least=1):
            continue
        paths = [p for p in cells if p.startswith(f"active_disclosure.{segment.key}.")]
        _undecide(paths, segment.label_line, context, "by_column", segment)


def _doubt_table4(placed: list[Segment], context: Context) -> None:
    """Table 4 read by position from out-of-order text — its values scattered one or two to a
    line between fragments of its header — whose group sums then fail: more likely fifteen
    numbers from anywhere than a report's error; its cells become missing. A row of values on
    one line keeps what it printed (the checker reports a report's own sums)."""
    if not any(s.table == 4 and not s.exact and len(s.lines) > _SCATTERED for s in placed):
        return
    groups = [e for e in equations(context.shape) if e.rule == "T4-GROUPSUM"]
    cells = context.cells
    if not any(breaks_printed(cells, e) for e in groups):
        return
    paths = [p for e in groups for p in e.paths]
    line = next((cells[p].line for p in paths if cells[p].line is not None), None)
    _undecide(paths, line, context, "table4_disordered")


def doubt_table4_among_its_header(seg: Segmentation, placed: list[Segment], context: Context) -> None:
    """Table 4's values printed among the pieces of its header — a PDF's text in drawing order
    (pdfminer, pdftotext without ``-layout``: 「其他结果 尚未审结 结果纠正 20 90 32 结果维持 125」)
    — say nothing of their columns by their order. A group keeps only what no order can change:
    its total, when the four others are equal and sum to it. When numbers of the tables are left
    unplaced, even which group a value belongs to is unknown, and no group is kept."""
    header = seg.table4_header_lines
    table4 = [s for s in placed if s.table == 4 and not s.exact]
    lines = [t.line for s in table4 for t in s.tokens if t.kind == "num"]
    if not lines or not any(min(lines) < line < max(lines) for line in header):
        return
    unplaced = any(t.kind == "num" for t in seg.orphans)
    cells = context.cells
    for equation in (e for e in equations(context.shape) if e.rule == "T4-GROUPSUM"):
        paths = list(equation.paths)
        parts = [cells[p].value for p in equation.right]
        if not unplaced and all(cells[p].status == "read" for p in paths) and len(set(parts)) == 1 and (
                sum(v or 0 for v in parts) == sum(cells[p].value or 0 for p in equation.left)):
            continue
        group = dict(equation.binding)["group"]
        _undecide(paths, min(lines), context, "table4_among_header",
                  group=TEMPLATE.row_label(f"review_litigation.{group}"), group_en=group)


def _undecide(paths: list[str], line: int | None, context: Context, case: str,
              segment: Segment | None = None, printed: list[Number | None] | None = None,
              **values: Any) -> None:
    """Cells read from text too disordered to trust: missing, with the finding (P-ALIGN's ``case``
    in template.yaml, naming ``segment``'s row), and what they printed (``printed``, else the
    values read into them) kept so that the arithmetic cannot fill them over it (context.unplaced)."""
    cells = context.cells
    if printed is None:
        printed = [cells[p].value for p in paths if cells[p].status == "read"]
    if not printed:
        return
    for path in paths:
        cells[path] = CellValue(None, "missing", line=line)
    context.unplaced.append((paths, printed, []))
    row = {"row": row_name(segment), "key": segment.key} if segment is not None else {}
    add_finding(context, "P-ALIGN", case, cells=paths, line=line, **row, **values)


def doubt_rows_out_of_order(placed: list[Segment], context: Context) -> None:
    """Table-3 labels printed out of the form's order: pdftotext's default mode prints a table a
    column at a time (「2.重复申请 2 …5.要求行政机关确认…已 2」, then 「2 1 0 1 0」, the next
    column's, then 「1.信访举报投诉类申请」), so the values beside such labels are not their rows'.
    Every row between where a label stands and where the form puts it is undecided, and the
    arithmetic fills none of it."""
    order = {key: i for i, key in enumerate(TEMPLATE.application_row_keys(context.shape))}
    # (a label printed twice, or a piece of another read as one, 「（六）其他」: the row placed last
    # is the one whose values stand, and a label with no values says nothing of the order)
    last = {s.key: s for s in placed if s.table == 3 and not s.exact and s.key in order and s.filled}
    rows = sorted(last.values(), key=lambda s: s.label_line)
    span: set[int] = set()
    highest = -1
    for segment in rows:
        at = order[segment.key]
        if at < highest:
            span.update(range(at, highest + 1))
        highest = max(highest, at)
    for segment in rows:
        if order[segment.key] in span:
            paths = [p for p in context.cells if p.startswith(f"applications.{segment.key}.")]
            context.doubted.update(paths)
            _undecide(paths, segment.label_line, context, "out_of_order", segment)


def _after_bare_labels(ordered: list[Segment], index: int, least: int = 2) -> bool:
    """Did this row take its values one per line below its label, right after two or more rows
    of the same table that took none (labels in one run, values after: a PDF's drawing order)?"""
    segment = ordered[index]
    # (a line of empty cells alone, a markdown row's 「|||」 cut from its label, holds no value)
    lines = [line for line in segment.lines if any(t.kind != "empty" for t in line)]
    if not lines or any(len(line) != 1 or line[0].line == segment.label_line for line in lines):
        return False
    bare = 0
    for before in reversed(ordered[:index]):
        if before.table != segment.table or before.filled:
            break
        bare += 0 if before.maybe_group else 1
    return bare >= least


def _row_sums(shape: TableShape) -> dict[str | None, Equation]:
    """Table 3's row sums (T3-ROWSUM) by row key (made once per shape, keyed by its two fields:
    TableShape's generated hash runs interpreted)."""
    key = (shape.edition, shape.hybrid)
    found = _ROW_SUMS.get(key)
    if found is None:
        found = {dict(e.binding).get("row"): e for e in equations(shape) if e.rule == "T3-ROWSUM"}
        _ROW_SUMS[key] = found
    return found


_ROW_SUMS: Final[dict[tuple[str, bool], dict[str | None, Equation]]] = {}


def doubt_rows_beside_wrapped_pieces(seg: Segmentation, placed: list[Segment], context: Context) -> None:
    """In a text whose wide numbers wrap (:attr:`Context.wraps`), a table-3 row read by position
    that breaks its own sum is more likely a wrapped number's pieces read as values than a
    misprint when its numbers span two lines, follow or precede a line of numbers alone (pdfplumber
    puts the lower pieces on the row's own line; markitdown's guessed grid the last digits on a
    line of their own below), or fit the sum once neighbours are joined (pypdf:
    「417 4 828 35 47 521 2」 for 4174 … 5212): its cells become ``missing`` with the reason. Rows
    that hold their sum, and rows of a real grid, keep what they printed."""
    row_sums = _row_sums(context.shape)
    number_lines = {t.line for t in seg.orphans if t.kind == "num"}
    for segment in placed:
        for line in segment.lines:
            if line and line[0].line != segment.label_line and all(t.kind in ("num", "empty") for t in line):
                number_lines.add(line[0].line)
    label_lines = sorted(s.label_line for s in placed)
    cells = context.cells
    # a table whose rows print one number fewer than cells, most of them: its total column empty
    widths = [sum(1 for t in s.tokens if t.kind == "num") for s in placed if s.table == 3 and s.tokens]
    no_totals = sum(1 for w in widths if w == len(TEMPLATE.application_columns) - 1) * 2 > len(widths)
    for segment in placed:
        equation = row_sums.get(segment.key)
        if segment.table != 3 or (segment.exact and not seg.untrusted_grid) or equation is None:
            continue  # (a grid a PDF converter guessed splits a wrapped number over its rows)
        # the row's sum first: most rows hold it, and the rest of the weighing is not needed (two
        # loops, not generators of sums)
        parts: Any = 0
        for path in equation.left:
            parts += cells[path].value or 0
        total: Any = 0
        for path in equation.right:
            total += cells[path].value or 0
        if parts == total:
            continue
        paths = list(equation.paths)
        numbers = [t for t in segment.tokens if t.kind == "num"]
        spans_lines = len({t.line for t in numbers}) > 1
        # blank cells count 0 where the row's numbers span lines: a grid a converter guessed leaves
        # the columns of a wrapped row's other lines empty (「233 … 301」 over 「146 27 85 322 103」)
        readable = {"read", "blank"} if spans_lines else {"read"}
        statuses = {cells[p].status for p in paths}
        if not statuses <= readable or "read" not in statuses or parts == total:
            continue
        check = row_check(segment)
        last = max((t.line for t in numbers), default=segment.label_line)
        next_label = next((line for line in label_lines if line > last), last + 1)
        if not context.wraps:
            # no row printed more numbers than cells (a blank total column leaves room for a
            # wrapped number's pieces: 「138」「3」「48 12 20 43 7」, or pypdf's 「138 3 48 12 20 43
            # 7」, for 1383, 48 … 7, –): only a row that reads right once two neighbours are joined.
            # Numbers each in a grid cell were never run together; numbers one per line (PyMuPDF)
            # count only where the table leaves its totals empty, and a joined reading that leaves
            # the total empty fits any row, so it counts only there too.
            shared_cells = len({id(t.cell) for t in numbers}) < len(numbers)
            lines_of_text = all(t.cell.row is None for t in numbers)  # (not a table's grid cells)
            joined_readings = short_joined(numbers, len(paths), check) if (
                (shared_cells or (no_totals and lines_of_text)) and check is not None) else []
            widest = max((len(t.raw) for t in numbers), default=0)
            if any((reading[-1] is not None or no_totals) and _wrapped_like(reading, widest)
                   for reading in joined_readings):
                _undecide(paths, segment.label_line, context, "wrapped_numbers", segment)
            continue
        if spans_lines or segment.label_line - 1 in number_lines or any(
                last < line < next_label for line in number_lines) or (
                check is not None and short_joined(numbers, len(paths), check)):
            # (the last: joining neighbouring numbers as a wrapped number's pieces fits the sum)
            _undecide(paths, segment.label_line, context, "wrapped_numbers", segment)


def doubt_table4_beside_wrapped_pieces(placed: list[Segment], context: Context) -> None:
    """Table 4's one row of values read by position that breaks one of its group sums (every cell
    of the group read) while a line of several numbers stands beside a lone one (「0 0 0 0 7 1 0 2
    0 3 89 17 12」, then 「15」 and 「0」: 150 wrapped in its narrow cell, beside a cell printed
    empty): a wrapped number's pieces taken for values and an empty cell
    dropped shift every value after them, so none of the row is trusted. Its cells become
    ``missing`` with the reason (a fresh seed's report gave 3 to 11 silent errors per converter
    here). Other rows, and rows of a real grid, keep what they printed, errors included (the
    checker blames the report)."""
    cells = context.cells
    for segment in placed:
        if segment.table != 4 or segment.exact:
            continue
        per_line = Counter(t.line for t in segment.tokens if t.kind == "num")
        # a line of several numbers beside a lone one: a wrapped number's piece (a text printing
        # every value on a line of its own, or all on one, shows nothing; joining neighbours
        # that mends a group fits a report's own misprint by chance too often to tell)
        lone_piece = len(per_line) > 1 and 1 in per_line.values() and max(per_line.values()) > 1
        groups = _table4_groups()
        broken = sum(1 for group in groups if _group_breaks(cells, group))
        if broken and lone_piece:
            _undecide(_table4_paths(), segment.label_line, context, "wrapped_numbers", segment)


def _table4_paths() -> list[str]:
    return [p for group in _table4_groups() for p in group]


def _table4_groups() -> list[list[str]]:
    """Table 4's groups, each its four results and then their total."""
    return [[f"review_litigation.{g.key}.{c.key}" for c in TEMPLATE.review_columns]
            for g in TEMPLATE.review_groups]


def _group_breaks(cells: dict[str, CellValue], group: list[str]) -> bool:
    """Are all the group's cells read, and do its parts miss its total?"""
    if not all(cells[p].status == "read" and cells[p].value is not None for p in group):
        return False
    return sum(cells[p].value or 0 for p in group[:-1]) != (cells[group[-1]].value or 0)


def _wrapped_like(reading: tuple[Any, ...], widest: int) -> bool:
    """Are the joined numbers of a reading what a narrow cell wraps: a first piece of two digits
    or more, as wide as the widest number the row prints whole (it filled its cell)?"""
    firsts = [e.token.raw for e in reading if isinstance(e, Part)]
    return bool(firsts) and all(len(raw) >= 2 and len(raw) >= widest for raw in firsts)


def _holds(cells: dict[str, CellValue], equation: Equation) -> bool:
    """Does the equation hold on values all read from the source?"""
    return all(cells[p].status == "read" for p in equation.paths) and not breaks_printed(cells, equation)


def _followed_by_orphans(segment: Segment, ordered: list[Segment], index: int,
                         orphan_numbers: list[int]) -> int:
    """How many numbers no row took stand after the row's values and before the next label?"""
    values = [t.line for t in segment.tokens if t.kind != "empty"]
    if not values:
        return 0
    last = max(values)
    following = ordered[index + 1].label_line if index + 1 < len(ordered) else last + 10_000
    return sum(1 for line in orphan_numbers if last < line < following)


def _overfull(segment: Segment, ordered: list[Segment], index: int, orphan_numbers: list[int]) -> bool:
    """Do fewer numbers than a row's width that no row took follow the row's values (a whole row's
    worth is the next row with its label lost)? A page number or a page header cut a token per
    line (「1」「/」「4」, 「—」「1」「—」) lands there, and the row's own values may have been read
    around it."""
    return 0 < _followed_by_orphans(segment, ordered, index, orphan_numbers) < slots_hint(segment)


def _doubt_short_rows_after_bare_labels(ordered: list[Segment], context: Context) -> None:
    """A table-3 row that takes fewer values than its cells one per line below its label, right
    after a row that printed its label only: the values may be that row's (labels printed apart
    from their values, the empty cells gone), so neither row's cells are certain."""
    cells = context.cells
    for index, segment in enumerate(ordered):
        if (segment.table != 3 or segment.exact or len(segment.tokens) >= slots_hint(segment)
                or not _after_bare_labels(ordered, index, least=1) or ordered[index - 1].tokens):
            continue  # (a row whose empty cells show, or after one that printed them, is laid out)
        paths = [p for p in cells if p.startswith(f"applications.{segment.key}.")]
        printed: list[Number | None] = [t.value for t in segment.tokens
                                        if t.kind == "num" and t.value is not None]
        if not printed:
            continue
        # an ambiguous reading of the row is no longer weighed by the arithmetic either: this
        # finding says why its cells are missing instead of the reading's
        for pending in [p for p in context.pending if p.segment is segment]:
            context.pending.remove(pending)
            if pending.finding in context.findings:
                context.findings.remove(pending.finding)
        _undecide(paths, segment.label_line, context, "by_column", segment, printed=printed)


def doubt_disordered_rows(seg: Segmentation, placed: list[Segment], context: Context) -> None:
    """Numbers no row could take mean the text came out of order (a PDF dumped in its drawing
    order: labels in one run, values in column-major blocks). Rows placed from such text by
    position alone are then only as good as their own arithmetic: a table-3 row whose printed
    values break its row total is more likely misread than misprinted, and a row that got no
    values may have had them among the unplaced numbers. Both become ``missing``; rows read from
    a real grid keep what they printed, errors included (the checker reports those)."""
    _doubt_short_rows_after_bare_labels(sorted(placed, key=lambda s: s.label_line), context)
    if not any(t.kind == "num" for t in seg.orphans):
        return
    row_sums = _row_sums(context.shape)
    orphan_numbers = [t.line for t in seg.orphans if t.kind == "num"]
    orphan_lines = set(orphan_numbers)
    cells = context.cells
    ordered = sorted(placed, key=lambda s: s.label_line)
    # every label as printed, a row's second printing too (placed keeps one of each): the label
    # right before a row may be such a repeat (「(七)总计」 again beside 「四、结转…」)
    labels_printed = sorted(seg.segments, key=lambda s: s.label_line)
    printed_at = {id(s): i for i, s in enumerate(labels_printed)}
    _doubt_table4(ordered, context)
    _doubt_table2(ordered, context)
    for index, segment in enumerate(ordered):
        if segment.exact or segment.table != 3 or segment.key not in row_sums:
            continue
        previous = ordered[index - 1].label_line if index else 0  # the label line of the row before
        equation = row_sums[segment.key]
        paths = equation.paths
        statuses = {cells[p].status for p in paths}
        if statuses == {"blank"} and all(cells[p].raw is None for p in paths):
            case = "disordered_no_values"
        elif cannot_hold(cells, equation):
            case = "disordered_total"
        elif statuses & {"read", "inferred"} and (_after_bare_labels(ordered, index) or any(
                _after_bare_labels(labels, at, least=1)
                and _followed_by_orphans(segment, labels, at, orphan_numbers) > 0
                for labels, at in ((ordered, index), (labels_printed, printed_at.get(id(segment))))
                if at is not None)):
            # the last of a run of labels printed with no values, then values one per line: the
            # first numbers of a column-major block, not this row's
            case = "disordered_column"
        elif "read" in statuses and any(previous < line < segment.label_line for line in orphan_lines) and (
                all(cells[p].line != segment.label_line for p in paths if cells[p].status == "read")):
            # a PDF dump can print a tall row's values just above its label: numbers left over
            # right before a bare label may be its own as well as the line after it
            case = "disordered_both_sides"
        elif "read" in statuses and not _holds(cells, equation) and _overfull(
                segment, ordered, index, orphan_numbers):
            case = "overfull"
        else:
            continue
        for path in paths:
            cells[path] = CellValue(None, "missing", line=segment.label_line)
        printed = [t.value for t in segment.tokens if t.kind == "num" and not t.glued]
        if printed:
            # values the row printed but that cannot be trusted where they stand: whatever the
            # arithmetic fills in must still hold them all (as with any row left undecided)
            context.unplaced.append((list(paths), printed, []))
        add_finding(context, "P-ALIGN", case, cells=list(paths), line=segment.label_line,
                    row=row_name(segment), key=segment.key)
