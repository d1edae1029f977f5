"""Placing a row's printed values into its cells — only where it is certain.

A row may print exactly its cells, fewer (a lost column, collapsed blanks), more (layout
padding), or its numbers glued together (``713000074`` for 71, 3, 0, 0, 0, 0, 74). Each way of
reading it is a *candidate*; candidates the template's arithmetic rules out are dropped, and a
cell gets a value only when every remaining candidate gives it the same one. Everything else is
``missing`` with a finding — never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from math import comb
from typing import Final

from .lexer import Token

# A row with more readings than this stays undecided: the list would be cut short, and a value
# all the listed readings agree on might differ in one not listed. Real rows that arithmetic
# can settle have far fewer; the cap also bounds the time a pathological row costs.
MAX_CANDIDATES: Final = 2000
MAX_SPLIT_STEPS: Final = 200_000  # a row whose cuts cannot be enumerated within this stays undecided


@dataclass(frozen=True, slots=True)
class Part:
    """A number cut out of a run of glued digits."""

    token: Token
    text: str

    @property
    def value(self) -> int:
        return int(self.text)


Entry = Token | Part | None
Candidate = tuple[Entry, ...]
# checks a candidate's values (None = unknown) against the row's own arithmetic
RowCheck = Callable[[list[int | float | None]], bool]


def sides_possible(left: tuple[float, bool], right: tuple[float, bool]) -> bool:
    """Could sum(left) == sum(right) hold over non-negative terms? Each side is given as
    (sum of its known terms, whether any term is unknown)."""
    (known_left, open_left), (known_right, open_right) = left, right
    if not open_left and not open_right:
        return known_left == known_right
    if not open_left:
        return known_right <= known_left
    if not open_right:
        return known_left <= known_right
    return True


def entry_value(entry: Entry) -> int | float | None:
    if entry is None:
        return None
    if isinstance(entry, Part):
        return entry.value
    return entry.value if entry.kind == "num" else None


def entry_key(entry: Entry) -> tuple[object, ...]:
    """What a cell would hold: compared across candidates to decide certainty."""
    if entry is None or (not isinstance(entry, Part) and entry.kind == "unknown"):
        return ("missing",)
    if isinstance(entry, Part):
        return ("num", entry.value)
    if entry.kind == "num":
        return ("num", entry.value)
    return ("blank",)


@dataclass
class Alignment:
    entries: list[Entry | None]  # per slot: the agreed entry, or None where undecided/not printed
    decided: list[bool]  # per slot: every candidate agrees
    candidates: int
    split: bool  # run-together digits were split
    reason: str = ""  # why the row needed candidates at all
    found: list[Candidate] | None = None  # the candidates, kept while some slot is undecided


def _core(tokens: list[Token]) -> list[Token]:
    """Drop empty cells at both ends: in text layouts they are label or trailing padding."""
    start, end = 0, len(tokens)
    while start < end and tokens[start].kind == "empty":
        start += 1
    while end > start and tokens[end - 1].kind == "empty":
        end -= 1
    return tokens[start:end]


def runs_together(token: Token) -> bool:
    """Does a token show a text that runs values together (「02」, digits glued to a label)?"""
    return _needs_split(token) or (token.kind == "num" and token.glued)


def _needs_split(token: Token, check: RowCheck | None = None) -> bool:
    """A digit run that cannot be one number (a leading zero), or one glued to others where the
    row's arithmetic can verify a cut. Without arithmetic a glued run is not cut: any cut
    would be a guess."""
    raw = token.raw
    return (token.kind == "num" and raw.isdigit() and len(raw) > 1
            and (raw[0] == "0" or (token.glued and check is not None)))


def _splits(digits: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut ``digits`` into ``parts`` numbers without leading zeros."""
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield [digits]
        return
    if len(digits) < parts:
        return
    if digits[0] == "0":
        for rest in _splits(digits[1:], parts - 1):
            yield ["0", *rest]
        return
    for cut in range(1, len(digits) - parts + 2):
        for rest in _splits(digits[cut:], parts - 1):
            yield [digits[:cut], *rest]


def _group_splits(digits: str, parts: int) -> Iterator[list[str]]:
    """Cuts of ``digits`` into ``parts`` numbers followed by their total (sum(parts) == total).

    The total is a suffix and no part exceeds it, which prunes almost every cut: a row of
    seven four-digit numbers is split in microseconds instead of enumerating 10^5 cuts."""
    for length in range(1, len(digits) - parts + 1):
        total_text = digits[-length:]
        if len(total_text) > 1 and total_text[0] == "0":
            continue
        total = int(total_text)
        for cut in _bounded_parts(digits[:-length], parts, total, length):
            yield [*cut, total_text]


def _bounded_parts(digits: str, parts: int, remaining: int, longest: int) -> Iterator[list[str]]:
    if parts == 1:
        if digits and (digits == "0" or digits[0] != "0") and int(digits) == remaining:
            yield [digits]
        return
    if digits[:1] == "0":
        for rest in _bounded_parts(digits[1:], parts - 1, remaining, longest):
            yield ["0", *rest]
        return
    for cut in range(1, min(longest, len(digits) - parts + 1) + 1):
        value = int(digits[:cut])
        if value > remaining:
            break
        for rest in _bounded_parts(digits[cut:], parts - 1, remaining - value, longest):
            yield [digits[:cut], *rest]


def _structured_splits(digits: str, groups: list[int]) -> Iterator[list[str]]:
    """Cuts of a whole row of glued digits into groups of (parts…, total)."""
    if len(groups) == 1:
        yield from _group_splits(digits, groups[0] - 1)
        return
    needed = sum(groups[1:])
    for end in range(groups[0], len(digits) - needed + 1):
        for head in _group_splits(digits[:end], groups[0] - 1):
            for rest in _structured_splits(digits[end:], groups[1:]):
                yield head + rest


def _split_candidates(core: list[Token], slots: int, check: RowCheck | None,
                      groups: list[int] | None = None) -> list[Candidate] | None:
    """Candidates from cutting glued digit runs so the row has exactly ``slots`` values; None
    when there are too many to weigh."""
    if groups and len(core) == 1 and _splittable(core[0]) and sum(groups) == slots:
        found: list[Candidate] = []
        for cut in _structured_splits(core[0].raw, groups):
            found.append(tuple(Part(core[0], text) for text in cut))
            if len(found) > MAX_CANDIDATES:
                return None  # too many readings to weigh: nothing about the row is certain
        return found
    fixed = sum(1 for t in core if not _splittable(t))
    splittable = [i for i, t in enumerate(core) if _splittable(t)]
    free = slots - fixed
    if not splittable or free < len(splittable):
        return []
    results: list[Candidate] = []
    steps = [0]

    def assign(k: int, remaining: int, chosen: dict[int, list[str]]) -> None:
        steps[0] += 1
        if len(results) > MAX_CANDIDATES or steps[0] > MAX_SPLIT_STEPS:
            return
        if k == len(splittable):
            if remaining:
                return
            entries: list[Entry] = []
            for i, token in enumerate(core):
                if i in chosen:
                    entries.extend(Part(token, text) for text in chosen[i])
                else:
                    entries.append(token)
            if check is None or check([entry_value(e) for e in entries]):
                results.append(tuple(entries))
            return
        index = splittable[k]
        digits = core[index].raw
        later = len(splittable) - k - 1
        for count in range(1, min(len(digits), remaining - later) + 1):
            for cut in _splits(digits, count):
                chosen[index] = cut
                assign(k + 1, remaining - count, chosen)
                if steps[0] > MAX_SPLIT_STEPS:
                    return
        chosen.pop(index, None)

    assign(0, free, {})
    if steps[0] > MAX_SPLIT_STEPS or len(results) > MAX_CANDIDATES:
        return None  # too many cuts to weigh: nothing about the row is certain
    return results


def _split_with_gaps(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate] | None:
    """Cuts of a row's glued digits into fewer values than it has cells, placed with gaps (a text
    that drops blank cells drops their separators too); None when there are too many to weigh."""
    found: list[Candidate] = []
    steps = 0
    for count in range(slots - 1, len(core) - 1, -1):
        cuts = _split_candidates(core, count, None)
        if cuts is None:
            return None
        for cut in cuts:
            steps += comb(slots, count)
            if steps > MAX_SPLIT_STEPS:
                return None
            found += _placements([e for e in cut if e is not None], slots, check)
            if len(found) > MAX_CANDIDATES:
                return None
    return found


def _unit_dropped(token: Token) -> Token:
    """A count printed with its unit (「21件」) as its digits alone, to be cut like any run."""
    unit = token.unit
    if token.kind != "num" or not unit or not token.raw.endswith(unit):
        return token
    digits = token.raw[:-len(unit)].strip()
    if not digits.isdigit():
        return token
    return Token("num", digits, token.cell, value=token.value, glued=token.glued)


def _splittable(token: Token) -> bool:
    return token.kind == "num" and token.raw.isdigit()


def _placements(core: Sequence[Token | Part], slots: int, check: RowCheck | None) -> list[Candidate]:
    """Candidates placing fewer printed values than cells, in order, leaving gaps."""
    results = []
    for positions in combinations(range(slots), len(core)):
        entries: list[Entry] = [None] * slots
        for value, position in zip(core, positions, strict=True):
            entries[position] = value
        if check is None or check([entry_value(e) for e in entries]):
            results.append(tuple(entries))
    return results  # never cut short (at most C(15, 7) = 6,435 placements): a cut list could agree
    # on a cell that a reading left out would not


def _drops(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate] | None:
    """Candidates dropping surplus cells; empty cells go first, values only if they must. None
    when there are too many ways to drop to weigh them all."""
    excess = len(core) - slots
    empties = [i for i, t in enumerate(core) if t.kind == "empty"]
    pool = empties if len(empties) >= excess else range(len(core))
    if comb(len(pool), excess) > MAX_SPLIT_STEPS:
        return None
    results: list[Candidate] = []
    for dropped in combinations(pool, excess):
        gone = set(dropped)
        entries = tuple(t for i, t in enumerate(core) if i not in gone)
        if check is None or check([entry_value(e) for e in entries]):
            results.append(entries)
    return results  # never cut short, as with placements


MAX_WRAPPED: Final = 7  # numbers of a row wrapped onto the lines after it (each cell of table 3 may)


def _continues(first: str, piece: str) -> bool:
    """Can ``piece`` be the wrapped rest of a number whose first line printed ``first``? It is
    never wider than the first piece (they share one cell's width), and no number starts with a 0
    unless it is 0."""
    return first != "0" and len(piece) <= len(first)


def _wrapped(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate]:
    """Readings of a row printed on one line (or one value per line) with a few more digits on
    the lines below: the digits a narrow cell wrapped (「16 … 25」 over 「3 … 5」 is 163 … 255),
    each appended to one of the row's first values, left to right. Weighed beside dropping them:
    where both kinds of reading survive the arithmetic, the cells they disagree on stay
    undecided."""
    base = list(range(min(slots, len(core))))
    extra = list(range(len(base), len(core)))
    if (len(base) != slots or not extra or len(extra) > MAX_WRAPPED
            or core[extra[0]].line == core[base[-1]].line
            or not all(_splittable(core[i]) for i in (*base, *extra))):
        return []
    results: list[Candidate] = []
    for targets in combinations(base, len(extra)):  # the wrapped digits keep their order
        appended = dict(zip(targets, extra, strict=True))
        entries: list[Entry] = []
        for i in base:
            token = core[i]
            entries.append(Part(token, token.raw + core[appended[i]].raw) if i in appended else token)
        if check is None or check([entry_value(e) for e in entries]):
            results.append(tuple(entries))
    return results


def fragments(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate]:
    """Readings of a row whose narrow cells wrapped their numbers, each cell's pieces printed one
    after the other, on lines of their own (pdftotext -raw, pymupdf: 「189」「50」「874」「2」 for
    18950, 8742) or side by side (pypdf): pieces next to each other joined, every piece used, so
    that ``slots`` numbers remain. A piece that wrapped is never longer than the first piece of
    its number (they share one cell's width), and no number starts with a 0 unless it is 0."""
    excess = len(core) - slots
    if excess <= 0 or not all(_splittable(t) for t in core):
        return []
    # pieces stand on consecutive lines, or side by side on one (pypdf: 「189 50 874 2 828 …」)
    gaps = [i for i in range(len(core) - 1) if core[i + 1].line - core[i].line in (0, 1)]
    if len(gaps) < excess or comb(len(gaps), excess) > MAX_SPLIT_STEPS:
        return []
    results: list[Candidate] = []
    for joined in combinations(gaps, excess):
        glue = set(joined)
        entries: list[Entry] = []
        pieces = [core[0].raw]
        possible = True
        for i in range(1, len(core) + 1):
            if i < len(core) and i - 1 in glue:
                if not _continues(pieces[0], core[i].raw):
                    possible = False
                    break
                pieces.append(core[i].raw)
                continue
            first = core[i - len(pieces)]
            entries.append(first if len(pieces) == 1 else Part(first, "".join(pieces)))
            if i < len(core):
                pieces = [core[i].raw]
        if possible and (check is None or check([entry_value(e) for e in entries])):
            results.append(tuple(entries))
            if len(results) > MAX_CANDIDATES:
                break
    return results


def centred(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate]:
    """Readings of a row whose numbers too wide for their cells wrapped onto two lines that sit
    centred on the row's middle line (pdfplumber, pdftotext -layout: 「189 874 228 320」 above
    「828 869 409」 and 「50 2 7 85」 below, for 18950 8742 828 869 2287 409 32085): the i-th piece
    above joins the i-th piece below, and the joined numbers keep their order among the middle
    line's. Which cells they are (and which were printed empty, when fewer numbers than cells
    remain), the text does not say: every such reading the row's sum allows is one, and the
    other rows' arithmetic weighs them (:mod:`.settle`)."""
    lines = sorted({t.line for t in core})
    if len(lines) != 3 or lines[2] - lines[0] != 2 or not all(_splittable(t) for t in core):
        return []
    above = [t for t in core if t.line == lines[0]]
    middle = [t for t in core if t.line == lines[1]]
    below = [t for t in core if t.line == lines[2]]
    wrapped = len(above)
    gaps = slots - wrapped - len(middle)  # cells printed empty (a converter drops them)
    if (wrapped != len(below) or gaps < 0 or core != above + middle + below
            or comb(slots, wrapped) * comb(slots - wrapped, gaps) > MAX_CANDIDATES):
        return []
    width = max(len(t.raw) for t in above)
    pairs = list(zip(above, below, strict=True))
    if not all(_continues(top.raw, bottom.raw) for top, bottom in pairs) or any(
            len(t.raw) > width for t in middle):
        return []  # a number printed whole is never wider than the line a piece wrapped from
    pieces = [Part(top, top.raw + bottom.raw) for top, bottom in pairs]
    results: list[Candidate] = []
    for chosen in combinations(range(slots), wrapped):
        where = set(chosen)
        rest = [slot for slot in range(slots) if slot not in where]
        for empty in combinations(rest, gaps):
            blank = set(empty)
            joined_entries = iter(pieces)
            single = iter(middle)
            entries: list[Entry] = [None if slot in blank else next(joined_entries) if slot in where
                                    else next(single) for slot in range(slots)]
            if check is None or check([entry_value(e) for e in entries]):
                results.append(tuple(entries))
    return results


def wrapped_in_cell(group: list[Token]) -> Token | None:
    """The number one cell's digit pieces make when joined (「189」「50」 → 18950, the cell's text
    its raw): each piece no wider than the first (they share the cell's width), the first no
    lone 0. None when the pieces cannot be one number."""
    if len(group) < 2 or not all(t.kind == "num" and t.raw.isdigit() for t in group):
        return None
    if group[0].cell is group[-1].cell and "\n" not in group[0].cell.text:
        return None  # pieces of one cell on one line are two values a converter put together
    if not all(_continues(group[0].raw, t.raw) for t in group[1:]):
        return None
    return Token("num", " ".join(t.raw for t in group), group[0].cell,
                 value=int("".join(t.raw for t in group)))


def cell_groups(tokens: list[Token], grid_only: bool = True) -> list[list[Token]]:
    """The tokens grouped by the cell they were read from, in order (``grid_only``: only cells of
    a table's grid group; a line of text is one cell whatever it holds)."""
    groups: list[list[Token]] = []
    for token in tokens:
        if groups and token.cell is groups[-1][0].cell and not (grid_only and token.cell.row is None):
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def in_cells(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate]:
    """The reading of a row of table cells some of which hold a number wrapped onto lines (a
    markdown cell 「189<br>50」, pymupdf4llm): the pieces of each cell joined, when that leaves
    one value per cell."""
    groups = cell_groups(core)
    if len(groups) != slots or len(groups) == len(core):
        return []
    entries: list[Entry] = []
    for group in groups:
        entry = group[0] if len(group) == 1 else wrapped_in_cell(group)
        if entry is None:
            return []
        entries.append(entry)
    if check is not None and not check([entry_value(e) for e in entries]):
        return []
    return [tuple(entries)]


def short_joined(core: list[Token], slots: int, check: RowCheck) -> list[Candidate]:
    """Readings of a row printing fewer numbers than cells, in a text whose narrow cells wrap
    numbers: one or two pairs of neighbouring numbers may be one number's pieces (「134 3」 for
    1343, the piece no wider than the first), the rest standing among printed-empty cells."""
    pairs = [i for i in range(len(core) - 1)
             if core[i + 1].line - core[i].line in (0, 1) and _splittable(core[i])
             and _splittable(core[i + 1]) and _continues(core[i].raw, core[i + 1].raw)]
    results: list[Candidate] = []
    for count in (1, 2):
        for chosen in combinations(pairs, count):
            if any(b - a < 2 for a, b in pairwise(chosen)):
                continue  # a piece belongs to one number
            starts = set(chosen)
            values: list[Token | Part] = []
            i = 0
            while i < len(core):
                if i in starts:
                    values.append(Part(core[i], core[i].raw + core[i + 1].raw))
                    i += 2
                else:
                    values.append(core[i])
                    i += 1
            if comb(slots, len(values)) * len(results) > MAX_SPLIT_STEPS:
                return results
            results += _placements(values, slots, check)
    return results


def joined(core: list[Token], slots: int, check: RowCheck | None) -> list[Candidate]:
    """The readings that join wrapped pieces of numbers, whichever way a converter prints them."""
    return (_wrapped(core, slots, check) + fragments(core, slots, check) + centred(core, slots, check)
            + in_cells(core, slots, check))


def candidates(tokens: list[Token], slots: int, check: RowCheck | None,
               exact: bool = False, groups: list[int] | None = None, delimited: bool = False,
               wraps: bool = False, blanks_vanish: bool = False,
               runs_together: bool = False) -> tuple[list[Candidate], bool, str]:
    """All readings of a row consistent with its arithmetic: (candidates, split?, reason).
    ``wraps``: the text wraps numbers elsewhere, so a row printing fewer numbers than cells may
    hold one's pieces too; ``blanks_vanish``: the text drops blank cells without a trace, so a run
    of glued digits may stand for fewer values than the row has cells; ``runs_together``: the
    text runs values together elsewhere, so a row printing fewer values than cells may have lost
    a separator rather than a cell."""
    if exact and len(tokens) == slots:
        return [tuple(tokens)], False, ""
    core = _core(tokens)
    if len(core) == slots and not any(_needs_split(t, check) for t in core):
        return [tuple(core)], False, ""
    if len(tokens) == slots and (delimited or _keeps_empty_cells(tokens, core)):
        return [tuple(tokens)], False, ""
    if not core:
        return [tuple([None] * slots)], False, ""
    if any(_needs_split(t, check) for t in core) or (
        # a lone long number may be a whole row glued together, but only arithmetic can say so
        check is not None and len(core) < slots
        and any(_splittable(t) and len(t.raw) > 1 for t in core) and _looks_run_together(core, slots)
    ):
        found = _split_candidates(core, slots, check, groups)
        if found and blanks_vanish:
            # (only beside cuts that fit without gaps: more readings may only take certainty away)
            with_gaps = _split_with_gaps(core, slots, check)
            found = None if with_gaps is None else found + with_gaps
        if found and check is not None:
            found = _with_complete_rejected(found, core, slots, groups)
        if found:
            return found, True, "split"
        # glued digits no cut fits (the report's sums are off), or too many cuts fit: nothing
        # about the row is certain
        return [], True, "split-none" if found is not None else "split-many"
    if len(core) < slots:
        found = _placements(core, slots, check)
        bare = [_unit_dropped(t) for t in core]  # 「2」「1件」 run together read 「21件」
        if check is not None and any(_splittable(t) and len(t.raw) > 1 for t in bare):
            # fewer values than cells: an empty cell left out, or two values whose separator a
            # conversion lost (「210 0 0 0 0 21」 may be 21, 0 …): both kinds of reading stand
            splits = _split_candidates(bare, slots, check)
            if splits is None:
                return [], False, "fewer"
            found += splits
            # a lost separator and a vanished empty cell in one row (「66 2 3 2 275」 for 66, –, 2,
            # 3, 2, 2, 75; table 4's 「21 0 1 4 2 2 3 1 8 0 0 0 0」 for 2, 1, 0, 1, 4, …, –, 0, 0):
            # a row printing fewer values than cells lost a cell somewhere, in any text. Without
            # these readings the arithmetic may settle on a wrong one, the right one never weighed
            with_gaps = _split_with_gaps(bare, slots, check)
            if with_gaps is None:
                return [], False, "fewer"
            seen = {tuple(map(entry_key, c)) for c in found}
            found += [c for c in with_gaps if tuple(map(entry_key, c)) not in seen]
        if wraps and check is not None:
            found += short_joined(core, slots, check)
        if found and check is not None and runs_together:
            found = _with_complete_rejected(found, bare if any(
                _splittable(t) and len(t.raw) > 1 for t in bare) else core, slots, None)
        return found or _placements(core, slots, None), False, "fewer"
    if len(core) > slots:
        found = _drops(core, slots, check)
        if found is None:  # far more values than cells: nothing about the row is certain
            return [], False, "more"
        found += joined(core, slots, check)
        if not found and check is not None:
            # no reading holds the row's sum: which number is extra is unknown, and two equal
            # neighbours would make every unchecked reading agree on a cell by chance (「… 5 5 …」
            # where a wrapped row's pieces stand, not an extra number)
            return [], False, "more"
        return found, False, "more"
    return [tuple(core)], False, ""


def _with_complete_rejected(found: list[Candidate], core: list[Token], slots: int,
                            groups: list[int] | None) -> list[Candidate]:
    """The readings that fit, plus the readings printing a value in every cell that the row's sum
    rejected, when every reading that fits leaves a cell open (a cell the text is supposed to
    have dropped). Such a reading fits only because its open cell lets any sum hold; in a report
    that breaks its own sums (「315 11 2 51」 for 31, 5, 11, 2 and a total of 51) the complete
    reading is as likely, and nothing about the row is certain."""
    if any(all(e is not None for e in c) for c in found):
        return found
    complete = _split_candidates(core, slots, None, groups)
    if not complete:
        return found
    seen = {tuple(map(entry_key, c)) for c in found}
    return found + [c for c in complete if tuple(map(entry_key, c)) not in seen]


def _keeps_empty_cells(tokens: list[Token], core: list[Token]) -> bool:
    """Does a row printing exactly its number of cells show that its layout keeps empty cells
    (an empty cell between values, or several at its edges)? Then every cell is where it
    stands. One trailing empty after a row that lost a column (seed 001) is not enough."""
    interior = any(t.kind == "empty" for t in core)
    return interior or len(tokens) - len(core) >= 2


def _looks_run_together(core: list[Token], slots: int) -> bool:
    """Digits glued to labels or to each other, or one long run standing for a whole row."""
    if any(t.glued for t in core):
        return True
    digits = sum(len(t.raw) for t in core if _splittable(t))
    return len(core) == 1 and digits >= slots


def align(tokens: list[Token], slots: int, check: RowCheck | None, exact: bool = False,
          groups: list[int] | None = None, delimited: bool = False, wraps: bool = False,
          guessed: bool = False, blanks_vanish: bool = False, runs_together: bool = False) -> Alignment:
    """``delimited``: the row's cells stand between pipes, so an empty one is a real cell;
    ``guessed``: a converter guessed the grid from a PDF's text, so none is."""
    printed = [t for t in tokens if t.kind != "empty"]
    if not exact and len(printed) == 1 and _all_zeros(printed[0]):
        # a row printed as one run of zeros (「000000」) can only be single 0s, one per cell —
        # however many; a run beside other values keeps its place among their readings
        tokens = list(_zeros(printed[0]))
    elif not exact and len(printed) < len(tokens) and len({t.line for t in tokens}) == 1 and (
            guessed or len({id(t.cell) for t in printed}) < len(printed)):
        # a grid a converter guessed from a PDF's text (markitdown: 「| 0 | 0 0 | 0 |  | 0 0 |」,
        # two values in one cell), whose empty cells are none of the form's (unless a wrapped
        # number's pieces above and below the row stand for one: their gap is where it goes)
        tokens = printed
        delimited = False
    core = _core(tokens) if not exact else tokens
    positional = len(tokens) == slots and (exact or delimited or _keeps_empty_cells(tokens, core))
    zeros = all(t.kind == "num" and t.value == 0 and not _needs_split(t) for t in core)
    if not positional and 0 < len(core) < slots and zeros:
        # zeros fit every placement, so no sum can tell where the gaps are: all undecided
        return Alignment([None] * slots, [False] * slots, comb(slots, len(core)), False, "fewer")
    found, split, reason = candidates(tokens, slots, check, exact, groups, delimited, wraps, blanks_vanish,
                                      runs_together)
    return merge(found, slots, split, reason)


def _all_zeros(token: Token) -> bool:
    raw = token.raw
    return token.kind == "num" and len(raw) > 1 and raw.isdigit() and raw.count("0") == len(raw)


def _zeros(token: Token) -> tuple[Token, ...]:
    return tuple(Token("num", "0", token.cell, value=0, glued=True) for _ in token.raw)


def merge_alignments(first: Alignment, second: Alignment, slots: int) -> Alignment:
    """The row read two ways that the text cannot choose between: every reading of both, cells
    decided only where all agree (no readings at all on one side: nothing is decided)."""
    readings: list[Candidate] = []
    for alignment in (first, second):
        if alignment.found is not None:
            readings += alignment.found
        elif all(alignment.decided):
            readings.append(tuple(alignment.entries))
        else:
            return Alignment([None] * slots, [False] * slots, 0, first.split or second.split,
                             first.reason or second.reason)
    return merge(readings, slots, first.split or second.split, first.reason or second.reason)


def merge(found: list[Candidate], slots: int, split: bool, reason: str) -> Alignment:
    """Cells every reading agrees on are decided; with no reading at all (none fits, or too many
    to weigh) none is."""
    if len(found) == 1:
        only = found[0]
        return Alignment(list(only), [True] * slots, 1, split, reason)
    entries: list[Entry | None] = []
    decided: list[bool] = []
    for slot in range(slots):
        # (every reading's key equal to the first's: one key in all, without a set per slot)
        agreed = bool(found)
        if agreed:
            key = entry_key(found[0][slot])
            for k in range(1, len(found)):
                if entry_key(found[k][slot]) != key:
                    agreed = False
                    break
        if agreed:
            entries.append(found[0][slot])
            decided.append(True)
        else:
            entries.append(None)
            decided.append(False)
    return Alignment(entries, decided, len(found), split, reason, found)


def completed_by_row_sum(tokens: list[Token], slots: int, alignment: Alignment,
                         check: RowCheck) -> list[int | None]:
    """For a row whose cells before the last sum to the last (table 3): the value each slot
    holds in every reading of the row once the row sum fills that reading's gap, or None where
    readings differ or a gap stays open. Six 0s printed for seven cells: whichever cell is the
    empty one, the sum makes it 0, so all seven are 0."""
    found = alignment.found
    if found is None:
        core = _core(tokens)
        if alignment.reason != "fewer" or not core or len(core) >= slots:
            return [None] * slots
        if all(t.kind == "num" and t.value == 0 for t in core):
            # zeros only (align's shortcut): one gap, and the sum makes it 0 wherever it is;
            # two or more, and one of them may be the total, which nothing then fixes
            return [0] * slots if len(core) == slots - 1 else [None] * slots
        found = _placements(core, slots, check)
    if not found or len(found) > MAX_CANDIDATES:
        return [None] * slots
    agreed: list[int | None] = []
    for number, candidate in enumerate(found):
        completed = _complete_sum([entry_value(e) for e in candidate])
        if completed is None:
            return [None] * slots
        if number == 0:
            agreed = completed
        else:
            agreed = [a if a is not None and a == c else None for a, c in zip(agreed, completed, strict=True)]
    return agreed


def _complete_sum(values: list[int | float | None]) -> list[int | None] | None:
    """Parts and their total with the gaps the sum fixes filled in (non-negative integers);
    None when some gap stays open or the reading breaks the sum."""
    parts, total = values[:-1], values[-1]
    if any(v is not None and not float(v).is_integer() for v in values):
        return None
    known = sum(int(v) for v in parts if v is not None)
    gaps = [i for i, v in enumerate(parts) if v is None]
    filled = [int(v) if v is not None else None for v in values]
    if total is None:
        if gaps:
            return None
        filled[-1] = known
    elif known == total:
        for i in gaps:
            filled[i] = 0
    elif len(gaps) == 1 and total > known:
        filled[gaps[0]] = int(total) - known
    else:
        return None
    return filled


def completed_by_group_sums(tokens: list[Token], slots: int, alignment: Alignment, check: RowCheck,
                            group: int) -> list[int | None]:
    """For a row of groups, each of ``group`` cells whose parts sum to the last (table 4: three
    groups of four results and their total), printing fewer values than cells (a converter
    dropped the empty ones): the value each slot holds in every placement of the printed values
    the group sums allow, once each group's sum fills that placement's gaps; None where
    placements differ or a gap stays open. Fourteen 0s printed for fifteen cells: whichever cell
    is the empty one, its group's sum makes it 0. A placement whose group keeps a gap open
    leaves that group's cells open, never the others'."""
    found = alignment.found
    if found is None:
        core = _core(tokens)
        if alignment.reason != "fewer" or not core or len(core) >= slots:
            return [None] * slots
        found = _placements(core, slots, check)
    if not found or len(found) > MAX_CANDIDATES or slots % group:
        return [None] * slots
    agreed: list[int | None] = []
    for number, candidate in enumerate(found):
        values = [entry_value(e) for e in candidate]
        completed: list[int | None] = []
        for start in range(0, slots, group):
            filled = _complete_sum(values[start:start + group])
            completed.extend(filled if filled is not None else [None] * group)
        if number == 0:
            agreed = completed
        else:
            agreed = [a if a is not None and a == c else None for a, c in zip(agreed, completed, strict=True)]
    return agreed
