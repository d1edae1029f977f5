"""Rows whose empty cells a converter dropped, settled by bounds the whole table's arithmetic puts
on every cell.

A row printing fewer values than cells (「298 64 8 32 11 413」 for seven cells; 「0 0 0」) has one
reading per way of placing its values among its cells, the rest printed empty. Its own sum often
leaves several; the other rows' sums rarely pin one cell exactly, because their own cells are open
too (a sparse table drops blanks in many rows). But every cell is a count, never negative, so each
equation bounds each of its terms by what the others can be: a column whose total is 1,782 and
whose other rows hold at least 1,779 leaves at most 3 for the rest. Those bounds, tightened over
all equations until nothing changes, drop every reading of a row that puts a value outside them;
what the surviving readings agree on is certain (:func:`.settle.settle_readings`), and the cells the
dropped blanks stood in are left to inference (F-ZERO / F-SOLVE), as before.

Sound as long as the report's own sums hold: the true reading's values always lie within the
bounds, so it is never dropped. Nothing is done for a table whose read values already break one
of its equations, nor when the bounds contradict each other (a misprint somewhere: no bound can
then be trusted). Only rows that dropped empty cells are narrowed this way, and rows read other
ways (split digit runs, wrapped numbers) lend only the bounds every count has: their readings
assume the row's printed sum holds, and bounds, unlike a search for whole solutions, would go on
narrowing other rows from a misprinted row's readings (a report of seed 37 with two misprinted
row sums had a neighbour row settled on 9 for 3129 that way).

:func:`settle_by_search` then weighs every ambiguous row at once, wrapped ones too: a reading
survives only as part of a whole combination that holds every sum, so a misprinted report, where
no combination holds, settles nothing.
"""

from __future__ import annotations

from typing import Final

from ..report import CellValue
from ..template import Equation, equations
from .align import Candidate, entry_value
from .context import Context, Pending, cannot_hold, table_of
from .settle import settle_readings

_OPEN: Final = float("inf")
_ROUNDS: Final = 60  # tightening passes; each narrows some bound or the loop ends
_TABLES: Final = frozenset({"applications", "review_litigation"})


def settle_by_bounds(context: Context) -> None:
    """Drop the readings of rows with vanished empty cells that the table's bounds exclude."""
    # (rows read other ways are left to settle_by_search: see the module's note)
    rows = [p for p in context.pending if p.alignment.found and p.alignment.reason == "fewer"
            and p.segment.table in (3, 4)]
    if not rows:
        return
    system = [e for e in equations(context.shape) if table_of(e) in _TABLES]
    broken = {table_of(e) for e in system if cannot_hold(context.cells, e)}
    system = [e for e in system if table_of(e) not in broken]
    rows = [p for p in rows if p.paths[0].split(".", 1)[0] not in broken]
    if not rows or not system:
        return
    bounds = _start(context.cells, system)
    found = {id(p): list(p.alignment.found or []) for p in rows}
    for _ in range(_ROUNDS):
        changed = False
        for pending in rows:
            kept = [c for c in found[id(pending)] if _fits(c, pending, bounds)]
            if not kept:
                return  # no reading fits: the sums do not hold together, nothing is trusted
            if len(kept) < len(found[id(pending)]):
                found[id(pending)] = kept
                changed = True
            hull = _narrowed(kept, pending, bounds)
            if hull is None:
                return
            changed |= hull
        tightened = _tighten(system, bounds)
        if tightened is None:
            return  # a bound crossed: the arithmetic contradicts itself
        if not changed and not tightened:
            break
    else:
        return  # still narrowing: too slow to trust an unfinished answer
    for pending in rows:
        survivors = found[id(pending)]
        everything = pending.alignment.found or []
        if all(any(e is None for e in c) for c in survivors) and any(
                all(e is not None for e in c) for c in everything if c not in survivors):
            # only readings that leave a cell open survived, over one printing every cell: nothing
            # could bound an open cell, so nothing showed the complete reading wrong in a report
            # whose sums may be off (settle._rejected_unsoundly)
            continue
        if len(survivors) < len(everything):
            rules = sorted({e.rule for e in system if any(p in e.paths for p in pending.paths)})
            settle_readings(pending, survivors, context, rules, "bounds the table's sums set on every cell")


def _start(cells: dict[str, CellValue], system: list[Equation]) -> dict[str, list[float]]:
    """Each cell's bounds before any equation: a known value, else any count."""
    bounds: dict[str, list[float]] = {}
    for equation in system:
        for path in equation.paths:
            if path in bounds:
                continue
            cell = cells[path]
            value = cell.value
            if value is not None and cell.status in ("read", "inferred"):
                bounds[path] = [float(value), float(value)]
            else:
                bounds[path] = [0.0, _OPEN]
    return bounds


def _fits(candidate: Candidate, pending: Pending, bounds: dict[str, list[float]]) -> bool:
    return _spans(candidate, pending, bounds) is not None


def _spans(candidate: Candidate, pending: Pending, bounds: dict[str, list[float]]
           ) -> list[tuple[float, float]] | None:
    """What each cell holds in this reading: a printed value exactly, an empty cell within its
    bounds and what the row's own sum leaves it (a reading with one part empty and its printed
    parts summing to the total makes that part 0; one with the total empty makes it the parts'
    sum). None when the reading puts a value outside its cell's bounds or cannot meet its sum."""
    spans: list[tuple[float, float]] = []
    for entry, path in zip(candidate, pending.paths, strict=True):
        value = entry_value(entry)
        span = bounds.get(path, [0.0, _OPEN])
        if value is None:
            spans.append((span[0], span[1]))
        elif span[0] <= value <= span[1]:
            spans.append((float(value), float(value)))
        else:
            return None
    size = _GROUP.get(pending.segment.table, 0)
    if not size or len(spans) % size:
        return spans
    for start in range(0, len(spans), size):
        for _ in range(2):  # the total from the parts, then each part from the total and the rest
            parts = spans[start:start + size - 1]
            low_sum, high_sum = sum(p[0] for p in parts), sum(p[1] for p in parts)
            total = spans[start + size - 1]
            total = (max(total[0], low_sum), min(total[1], high_sum))
            if total[0] > total[1]:
                return None
            spans[start + size - 1] = total
            for index in range(start, start + size - 1):
                low, high = spans[index]
                rest_high = sum(p[1] for i, p in enumerate(parts, start) if i != index)
                rest_low = low_sum - low
                low, high = max(low, total[0] - rest_high), min(high, total[1] - rest_low)
                if low > high:
                    return None
                spans[index] = (low, high)
    return spans


_GROUP: Final = {3: 7, 4: 5}  # table → cells of one sum: six parts and their total; four and theirs


def _narrowed(kept: list[Candidate], pending: Pending, bounds: dict[str, list[float]]) -> bool | None:
    """Each cell of the row bounded by what its surviving readings put there. True if a bound
    moved; None if one crossed."""
    moved = False
    all_spans = [_spans(c, pending, bounds) for c in kept]
    for slot, path in enumerate(pending.paths):
        span = bounds.get(path)
        if span is None:
            continue
        low, high = _OPEN, -_OPEN
        for spans in all_spans:
            if spans is None:
                continue
            low, high = min(low, spans[slot][0]), max(high, spans[slot][1])
        if low > span[0]:
            span[0], moved = low, True
        if high < span[1]:
            span[1], moved = high, True
        if span[0] > span[1]:
            return None
    return moved


def _tighten(system: list[Equation], bounds: dict[str, list[float]]) -> bool | None:
    """One pass over the equations: each term at most what the other side can reach less the
    least its own side's other terms hold, and at least the reverse. True if a bound moved;
    None if one crossed."""
    moved = False
    for equation in system:
        for side, other in ((equation.left, equation.right), (equation.right, equation.left)):
            other_low = sum(bounds[p][0] for p in other)
            other_high = sum(bounds[p][1] for p in other)
            side_low = sum(bounds[p][0] for p in side)
            side_high = sum(bounds[p][1] for p in side)
            for path in side:
                span = bounds[path]
                rest_low = side_low - span[0]
                rest_high = side_high - span[1] if span[1] != _OPEN else _rest(side, path, bounds)
                high = other_high - rest_low
                low = other_low - rest_high
                if high < span[1]:
                    span[1], moved = high, True
                if low > span[0]:
                    span[0], moved = low, True
                if span[0] > span[1]:
                    return None
                side_low = sum(bounds[p][0] for p in side)
                side_high = sum(bounds[p][1] for p in side)
    return moved


def _rest(side: tuple[str, ...], path: str, bounds: dict[str, list[float]]) -> float:
    """The most the side's terms other than ``path`` can hold (∞ − ∞ avoided)."""
    return sum(bounds[p][1] for p in side if p != path)


MAX_SEARCH_NODES: Final = 20_000  # readings tried while weighing every row at once; beyond: nothing


def settle_by_search(context: Context) -> None:
    """The ambiguous rows of tables 3 and 4 weighed all at once: every combination of their
    readings that the template's sums allow, found by a search that drops a partial combination
    as soon as some sum can no longer hold (whatever the rows not yet chosen and the cells left
    open turn out to be). A reading no combination uses is dropped; what the survivors agree on
    is certain. This settles what weighing one sum at a time cannot: rows whose wrapped first
    column could stand in any of the six parts of their own sum, which only the column sums of
    all rows together place. Given up (nothing changes) beyond a budget of readings tried, when
    no combination holds, or for a table whose read values break one of its sums. Each table
    is searched apart (no sum spans two tables), so one's readings do not multiply the other's."""
    for table, name in ((3, "applications"), (4, "review_litigation")):
        _search(context, table, name)


def _search(context: Context, table: int, name: str) -> None:
    rows = [p for p in context.pending if p.alignment.found and p.segment.table == table]
    if len(rows) < 2:
        return
    system = [e for e in equations(context.shape) if table_of(e) == name]
    broken = {table_of(e) for e in system if cannot_hold(context.cells, e)}
    system = [e for e in system if table_of(e) not in broken]
    rows = [p for p in rows if p.paths[0].split(".", 1)[0] not in broken]
    if len(rows) < 2 or not system:
        return
    rows.sort(key=lambda p: len(p.alignment.found or []))
    owner = {path: (i, slot) for i, p in enumerate(rows) for slot, path in enumerate(p.paths)}
    cells = context.cells
    # each equation as: constant, open terms on the + and − sides, and per row its signed slots
    linked: list[tuple[float, bool, bool, dict[int, list[tuple[int, int]]]]] = []
    for equation in system:
        constant = 0.0
        free_plus = free_minus = False
        terms: dict[int, list[tuple[int, int]]] = {}
        for sign, side in ((1, equation.left), (-1, equation.right)):
            for path in side:
                if path in owner:
                    i, slot = owner[path]
                    terms.setdefault(i, []).append((slot, sign))
                elif cells[path].value is not None and cells[path].status in ("read", "inferred"):
                    constant += sign * float(cells[path].value or 0)
                elif sign > 0:
                    free_plus = True
                else:
                    free_minus = True
        if terms:
            linked.append((constant, free_plus, free_minus, terms))
    found = [list(p.alignment.found or []) for p in rows]
    # each candidate's share of each equation: (value, open on +, open on −)
    shares: list[list[list[tuple[float, bool, bool]]]] = []  # [row][equation][candidate]
    for i in range(len(rows)):
        per_equation: list[list[tuple[float, bool, bool]]] = []
        for _constant, _fp, _fm, terms in linked:
            slots = terms.get(i)
            per_equation.append([_share(c, slots) for c in found[i]] if slots else [])
        shares.append(per_equation)
    count = len(rows)
    # for each depth, what the rows from there on can add to each equation at least and at most
    low_after = [[0.0] * len(linked) for _ in range(count + 1)]
    high_after = [[0.0] * len(linked) for _ in range(count + 1)]
    for depth in range(count - 1, -1, -1):
        for e in range(len(linked)):
            options = shares[depth][e]
            low, high = 0.0, 0.0
            if options:
                low = min(v - (_OPEN if fm else 0.0) for v, _fp, fm in options)
                high = max(v + (_OPEN if fp else 0.0) for v, fp, _fm in options)
            low_after[depth][e] = low_after[depth + 1][e] + low
            high_after[depth][e] = high_after[depth + 1][e] + high
    touching = [[e for e in range(len(linked)) if shares[i][e]] for i in range(count)]
    sums = [c for c, _fp, _fm, _t in linked]
    open_plus = [fp for _c, fp, _fm, _t in linked]
    open_minus = [fm for _c, _fp, fm, _t in linked]
    used: list[set[int]] = [set() for _ in range(count)]
    chosen = [0] * count
    nodes = [0]  # readings tried (a list: the nested search adds to it)

    def feasible(depth: int, e: int, plus: bool, minus: bool) -> bool:
        low = sums[e] + low_after[depth + 1][e] - (_OPEN if minus else 0.0)
        high = sums[e] + high_after[depth + 1][e] + (_OPEN if plus else 0.0)
        return low <= 0.0 <= high

    def search(depth: int, plus: list[bool], minus: list[bool]) -> bool:
        """Every combination from this row on; False once the budget is spent."""
        if depth == count:
            for i in range(count):
                used[i].add(chosen[i])
            return True
        for index in range(len(found[depth])):
            nodes[0] += 1
            if nodes[0] > MAX_SEARCH_NODES:
                return False
            ok = True
            for e in touching[depth]:
                value, fp, fm = shares[depth][e][index]
                sums[e] += value
                if not feasible(depth, e, plus[e] or fp, minus[e] or fm):
                    ok = False
            finished = True
            if ok:
                chosen[depth] = index
                new_plus = list(plus)
                new_minus = list(minus)
                for e in touching[depth]:
                    _v, fp, fm = shares[depth][e][index]
                    new_plus[e] = new_plus[e] or fp
                    new_minus[e] = new_minus[e] or fm
                finished = search(depth + 1, new_plus, new_minus)
            for e in touching[depth]:
                sums[e] -= shares[depth][e][index][0]
            if not finished:
                return False
        return True

    if not search(0, open_plus, open_minus):
        return  # too many combinations to weigh them all: nothing is settled
    if any(not u for u in used):
        return  # no combination holds: the sums do not hold together
    for i, pending in enumerate(rows):
        if len(used[i]) < len(found[i]):
            survivors = [c for index, c in enumerate(found[i]) if index in used[i]]
            rules = sorted({e.rule for e in system if any(p in e.paths for p in pending.paths)})
            settle_readings(pending, survivors, context, rules,
                    "every combination of the rows' readings the sums allow")


def _share(candidate: Candidate, slots: list[tuple[int, int]]) -> tuple[float, bool, bool]:
    value = 0.0
    plus = minus = False
    for slot, sign in slots:
        v = entry_value(candidate[slot])
        if v is None:
            if sign > 0:
                plus = True
            else:
                minus = True
        else:
            value += sign * float(v)
    return value, plus, minus
