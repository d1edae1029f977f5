"""Rows that could be read several ways, settled by what else the document says: the template's
arithmetic over the other rows, and sentences of the narrative that state a cell."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ..report import CellValue, Number, Report
from ..template import TEMPLATE, Equation, equations
from .align import Candidate, align, entry_value, merge, sides_possible
from .context import (
    Chosen,
    Context,
    Pending,
    add_finding,
    breaks_printed,
    column_name,
    extend_message,
    row_name,
    table_of,
)
from .place import cell_value

if TYPE_CHECKING:
    from .meta import Meta
    from .narrative import NarrativeFact


def contradicts_printed(trial: dict[str, CellValue], context: Context) -> set[str]:
    """Inferred cells a row's printed values rule out. A row that printed k values for n cells
    has those k values in some n-slot placement, so its cells' values must be the printed ones
    (as a multiset) plus at most n - k others."""
    contradicted = {p for p in context.doubted if trial[p].status == "inferred"}
    for paths, printed, readings in context.unplaced:
        values = [trial[p].value if trial[p].status in ("read", "inferred") else None for p in paths]
        fitting = [reading for reading in readings
                   if all(v is None or r is None or v == r for v, r in zip(values, reading, strict=True))]
        if readings and (not fitting or (
                any(None not in reading for reading in readings)
                and all(None in reading for reading in fitting))):
            # no reading of the row's digits gives these values — or only readings that leave
            # those cells open (a blank the text dropped), where some reading prints every cell:
            # they fit only by printing nothing there (settle._rejected_unsoundly)
            contradicted.update(p for p in paths if trial[p].status == "inferred")
            continue
        if _zeros_filled_otherwise(trial, paths, printed, readings):
            contradicted.update(p for p in paths if trial[p].status == "inferred")
            continue
        if not printed:
            continue
        known = [v for v in values if v is not None]
        remaining = list(printed)
        extra = 0
        for value in known:
            if value in remaining:
                remaining.remove(value)
            else:
                extra += 1
        if extra > len(paths) - len(printed):
            contradicted.update(p for p in paths if trial[p].status == "inferred")
    return contradicted


def _zeros_filled_otherwise(trial: dict[str, CellValue], paths: list[str], printed: list[Number | None],
                            readings: list[tuple[Number | None, ...]]) -> bool:
    """Does a row that printed only 0s, fewer than its cells, have a cell the arithmetic filled
    with another value? Any of its 0s may stand in that cell, so the filling holds only if they
    stand elsewhere, which nothing showed: 「0 0」 printed for seven cells may be the 0 of
    商业企业 and of 总计, so a column sum that makes 商业企业 2 (in a report whose carried-forward
    is misprinted) fills nothing. (Where the readings are listed, those the row's sum allows, a
    filling some of them contradict stays allowed: the column sums chose among them.)"""
    if readings or not printed or any(v != 0 for v in printed):
        return False
    return any(trial[p].status == "inferred" and trial[p].value not in (None, 0) for p in paths)


def note_forced(context: Context) -> None:
    """An undecided row whose cells the arithmetic then forced is only worth a remark."""
    for finding in context.findings:
        if finding.rule in ("P-ALIGN", "P-SPLIT") and finding.cells and all(
                context.cells[p].status == "inferred" for p in finding.cells):
            finding.severity = "info"
            extend_message(finding, "forced")


def settle_by_arithmetic(context: Context) -> None:
    """Drop readings of ambiguous rows that contradict equations whose other terms are read.

    A row of run-together digits (or with a lost cell) may fit its own row sum in several ways;
    the column equations (T3-TOTAL, T3-BALANCE, T3-ROWSUM, T4-GROUPSUM) over the other rows'
    printed values usually leave one. Cells become certain only when all survivors agree.
    """
    if not context.pending:
        return  # (most reports: no ambiguous row, and the equations need not be gathered)
    system = equations(context.shape)
    broken = _broken_tables(system, context.cells)
    involving: dict[str, list[Equation]] = {}
    for equation in system:
        if table_of(equation) in broken:
            continue  # a table whose printed values break one of its sums: its sums are no guide
        for path in equation.paths:
            involving.setdefault(path, []).append(equation)
    changed = True
    while changed and context.pending:
        changed = False
        for pending in list(context.pending):
            found = pending.alignment.found or []
            if len({tuple(entry_value(e) or 0 for e in c) for c in found}) == 1:
                continue  # readings differ only in which cells are unprinted: no sum tells them apart
            survivors = [c for c in found if _consistent(c, pending.paths, context.cells, involving)]
            if not survivors or len(survivors) == len(found):
                continue
            survivors += _rejected_unsoundly(found, survivors, pending.paths, context.cells, involving,
                                             context.runs_together)
            if len(survivors) == len(found):
                continue
            changed = True
            rules = sorted({e.rule for p in pending.paths for e in involving.get(p, ())} - {"T3-ROWSUM"})
            settle_readings(pending, survivors, context, rules, "the column arithmetic")


def _broken_tables(system: Sequence[Equation], cells: dict[str, CellValue]) -> set[str]:
    """The tables with an equation whose terms are all read and that fails: the report's own sums
    are off there (an inconsistent report), and the misprint may sit in any of its cells, so
    none of that table's sums settles a reading."""
    return {table_of(equation) for equation in system if breaks_printed(cells, equation)}


def settle_readings(pending: Pending, survivors: list[Candidate], context: Context, rules: list[str],
            how: str) -> None:
    """Keep the readings of an ambiguous row that survived the arithmetic: the cells they all
    agree on become certain (their note says how), and the row's finding names what is left."""
    alignment = merge(survivors, len(pending.paths), pending.alignment.split, pending.alignment.reason)
    settled = Chosen(pending.segment, [], pending.paths,
                     [tuple(map(entry_value, c)) for c in pending.alignment.found or []] or None)
    for path, entry, decided, was in zip(pending.paths, alignment.entries, alignment.decided,
                                         pending.alignment.decided, strict=True):
        if decided and not was and entry is not None:
            cell = cell_value(path, entry, alignment, context)
            cell.note = "; ".join(filter(None, [cell.note, f"reading settled by {how} ({', '.join(rules)})"]))
            context.cells[path] = cell
            settled.paths.append(path)
    pending.alignment = alignment
    undecided = [p for p, d in zip(pending.paths, alignment.decided, strict=True) if not d]
    if not undecided:
        context.findings.remove(pending.finding)
        context.pending.remove(pending)
        settled.finding = add_finding(
            context, "P-SETTLED", "arithmetic", cells=pending.paths, line=pending.segment.label_line,
            row=row_name(pending.segment), key=pending.segment.key, rules="、".join(rules),
            rules_en=", ".join(rules))
    else:
        pending.finding.cells = undecided
    if settled.paths:
        context.chosen.append(settled)


def doubt_choices_in_broken_tables(context: Context) -> None:
    """Take back the readings the arithmetic chose, in a table whose sums fail once they are in.

    A row of run-together digits (or one that lost a cell) that several readings fit is settled by
    the template's sums — sound only if the report keeps them. A report that breaks its own sums
    has a misprint somewhere, and a reading chosen to fit may be wrong in its place: 「4630010050」
    read 4, 6, 30, 0, 10, 0, 50 because 46 + 3 + 10 ≠ 50 broke the row sum as printed. Where a sum
    through the cells the arithmetic chose fails on the values read or forced, and another reading
    of the row the text allows keeps that sum, the sums contradict each other over the row: the
    cells it chose become missing, its row named in a finding. What the text alone decides stays.
    """
    if not context.chosen:
        return
    cells = context.cells
    by_path = _equations_by_path(context)
    touching = {id(e): e for chosen in context.chosen for p in chosen.paths for e in by_path.get(p, ())}
    broken = [e for e in touching.values() if not _may_hold(e, {}, cells, _READ_OR_FORCED)]
    if not broken:
        return
    for chosen in context.chosen:
        if chosen.text is not None:
            _weigh_text(chosen)
        if not any(_undone_by_another_reading(chosen, equation, cells) for equation in broken
                   if any(p in chosen.paths for p in equation.paths)):
            continue
        taken = [p for p in chosen.paths if cells[p].status in ("read", "inferred")]
        if not taken:
            continue
        for path in taken:
            cells[path] = CellValue(None, "missing", line=chosen.segment.label_line,
                                    note="the arithmetic chose this reading, but the table's sums fail")
        context.doubted.update(taken)
        if chosen.finding is not None and chosen.finding in context.findings:
            context.findings.remove(chosen.finding)
        add_finding(context, "P-SETTLED", "sums_fail", cells=taken, line=chosen.segment.label_line,
                    row=row_name(chosen.segment), key=chosen.segment.key,
                    names="、".join(column_name(p) for p in taken), undecided=len(taken))


def _equations_by_path(context: Context) -> dict[str, list[Equation]]:
    """The template's equations through each cell, once per table shape (most reports never ask)."""
    key = (context.shape.edition, context.shape.hybrid)
    found = _BY_PATH.get(key)
    if found is None:
        found = {}
        for equation in equations(context.shape):
            for path in equation.paths:
                found.setdefault(path, []).append(equation)
        _BY_PATH[key] = found
    return found


_BY_PATH: Final[dict[tuple[str, bool], dict[str, list[Equation]]]] = {}


def _weigh_text(chosen: Chosen) -> None:
    """Keep, of the cells decided, those no reading of the text alone decides, and note those
    readings."""
    text = chosen.text
    assert text is not None
    chosen.text = None
    loose = align(text.tokens, len(chosen.row), None, exact=text.exact, groups=text.groups,
                  delimited=text.delimited, wraps=text.wraps, guessed=text.guessed,
                  blanks_vanish=text.blanks_vanish)
    slots = {p: i for i, p in enumerate(chosen.row)}
    chosen.paths = [p for p in chosen.paths if text.every or not loose.decided[slots[p]]]
    chosen.readings = [tuple(map(entry_value, c)) for c in loose.found] if loose.found else None


def _undone_by_another_reading(chosen: Chosen, equation: Equation, cells: dict[str, CellValue]) -> bool:
    """Does a reading of the row the arithmetic rejected keep this equation, which the chosen one
    breaks, on values it prints (not on a cell it leaves open)? Then the sums contradict each
    other over this row. With the readings not listed (too many), any broken sum through the
    row is enough."""
    if chosen.readings is None:
        return True
    slots = {p: i for i, p in enumerate(chosen.row)}
    for reading in chosen.readings:
        if any(reading[slots[p]] is None for p in equation.paths if p in slots):
            continue
        if _may_hold(equation, dict(zip(chosen.row, reading, strict=True)), cells, _READ_OR_FORCED):
            return True
    return False


MAX_JOINT_SUMS: Final = 20_000  # partial sums one equation may track while weighing rows together

# an equation over pending rows: (its rule, the printed terms' signed sum, for each pending row
# the signed slots of its cells that the equation holds)
_Linked = tuple[str, Number, dict[int, list[tuple[int, int]]]]


def settle_jointly(context: Context) -> None:
    """Ambiguous rows weighed together, when no equation can narrow one of them alone because
    all its other open terms are ambiguous rows too (a table whose wide numbers all wrapped:
    rows 一, 二, 七 and 四 each have readings, and the column balance 一 + 二 = 七 + 四 links
    them). For each equation every row's reading must combine with some reading of each other
    row into a sum that holds; readings that cannot are dropped, over and over until nothing
    changes (generalised arc consistency). Cells become certain only where all survivors agree.
    Not done for a report whose printed sums fail elsewhere (its arithmetic cannot be trusted to
    choose), nor when any row would be left with no reading."""
    pendings = [p for p in context.pending if p.alignment.found]
    if len(pendings) < 2:
        return
    linked = _linked_equations(context, pendings)
    if linked is None:
        return
    found = [list(p.alignment.found or []) for p in pendings]
    changed = True
    while changed:
        changed = False
        for _rule, constant, rows in linked:
            contributions = {i: [_contribution(c, slots) for c in found[i]] for i, slots in rows.items()}
            supported = _supported(constant, contributions)
            if supported is None:
                continue
            for i, values in contributions.items():
                kept = [c for c, v in zip(found[i], values, strict=True) if v in supported[i]]
                if not kept:
                    return  # no reading of the row fits: the printed sums do not hold together
                if len(kept) < len(found[i]):
                    found[i] = kept
                    changed = True
    for i, (pending, survivors) in enumerate(zip(pendings, found, strict=True)):
        if len(survivors) < len(pending.alignment.found or []):
            rules = sorted({rule for rule, _, rows in linked if i in rows})
            settle_readings(pending, survivors, context, rules, "the arithmetic of the rows weighed together")


def _linked_equations(context: Context, pendings: list[Pending]) -> list[_Linked] | None:
    """The equations whose every term is read or belongs to an ambiguous row; None when one whose
    terms are all read fails (the report's own sums are off: nothing is weighed)."""
    owner = {path: (i, slot) for i, p in enumerate(pendings) for slot, path in enumerate(p.paths)}
    cells = context.cells
    linked: list[_Linked] = []
    for equation in equations(context.shape):
        constant: Number = 0
        rows: dict[int, list[tuple[int, int]]] = {}
        open_term = False
        for sign, side in ((1, equation.left), (-1, equation.right)):
            for path in side:
                if path in owner:
                    i, slot = owner[path]
                    rows.setdefault(i, []).append((slot, sign))
                elif cells[path].status == "read" and cells[path].value is not None:
                    constant += sign * (cells[path].value or 0)
                else:
                    open_term = True
        if open_term:
            continue
        if not rows:
            if constant != 0:
                return None
            continue
        if len(rows) > 1:
            linked.append((equation.rule, constant, rows))
    return linked


def _contribution(candidate: Candidate, slots: list[tuple[int, int]]) -> Number | None:
    total: Number = 0
    for slot, sign in slots:
        value = entry_value(candidate[slot])
        if value is None:
            return None
        total += sign * value
    return total


def _supported(constant: Number, contributions: dict[int, list[Number | None]]
               ) -> dict[int, set[Number]] | None:
    """For each row, the contributions that some choice of the other rows' completes to a sum of
    0 with ``constant``; None when a row's reading leaves a term open or the sums grow too many."""
    order = list(contributions)
    choices: list[set[Number]] = []
    for i in order:
        values = contributions[i]
        if any(v is None or not float(v).is_integer() for v in values):
            return None
        choices.append({v for v in values if v is not None})
    # reachable partial sums from the left (constant included) and from the right
    forward: list[set[Number]] = [{constant}]
    for options in choices[:-1]:
        forward.append({f + v for f in forward[-1] for v in options})
        if len(forward[-1]) > MAX_JOINT_SUMS:
            return None
    backward: list[set[Number]] = [{0}]
    for options in reversed(choices[1:]):
        backward.insert(0, {b + v for b in backward[0] for v in options})
        if len(backward[0]) > MAX_JOINT_SUMS:
            return None
    supported: dict[int, set[Number]] = {}
    for position, i in enumerate(order):
        before, after = forward[position], backward[position]
        supported[i] = {v for v in choices[position] if any(-(f + v) in after for f in before)}
    return supported


def settle_by_narrative(context: Context, meta: Meta) -> None:
    """A sentence that states exactly one cell of an ambiguous row (「共收到政府信息公开申请71件」)
    drops the readings that contradict it. The cell's note quotes the sentence."""
    from .narrative import narrative_facts, settle_value

    probe = Report(agency=meta.agency, year=meta.year, template=context.shape.edition, cells={},
                   sections=meta.sections, section_lines=meta.section_lines)
    facts = narrative_facts(probe)
    if not facts:
        return
    for pending in list(context.pending):
        found = pending.alignment.found or []
        survivors = found
        used: list[NarrativeFact] = []
        for index, path in enumerate(pending.paths):
            stated = settle_value(facts, path)
            if stated is None or pending.alignment.decided[index]:
                continue
            narrowed = [c for c in survivors if entry_value(c[index]) == stated]
            if narrowed and len(narrowed) < len(survivors):
                survivors = narrowed
                used.extend(f for f in facts if f.paths == (path,))
        if not used:
            continue
        alignment = merge(survivors, len(pending.paths), pending.alignment.split, pending.alignment.reason)
        quote = used[0].quote
        where, where_en = ("", "") if not used[0].line else TEMPLATE.message(
            "P-SETTLED", "narrative_line", line=used[0].line)
        for path, entry, decided, was in zip(pending.paths, alignment.entries, alignment.decided,
                                             pending.alignment.decided, strict=True):
            if decided and not was and entry is not None:
                cell = cell_value(path, entry, alignment, context)
                cell.note = "; ".join(filter(None, [cell.note, f"reading settled by the narrative "
                                                    f"(line {used[0].line}): {quote}"]))
                context.cells[path] = cell
        pending.alignment = alignment
        undecided = [p for p, d in zip(pending.paths, alignment.decided, strict=True) if not d]
        extend_message(pending.finding, "narrative_part", where=where, where_en=where_en, quote=quote)
        pending.finding.cells = undecided
        if not undecided:
            context.findings.remove(pending.finding)
            context.pending.remove(pending)
            add_finding(context, "P-SETTLED", "narrative", cells=pending.paths,
                        line=pending.segment.label_line, row=row_name(pending.segment),
                        key=pending.segment.key, where=where, where_en=where_en, quote=quote)


def _consistent(candidate: Candidate, paths: list[str], cells: dict[str, CellValue],
                involving: dict[str, list[Equation]]) -> bool:
    """Could every equation touching the row hold with this reading and the read cells?"""
    trial = dict(zip(paths, map(entry_value, candidate), strict=True))
    return all(_may_hold(equation, trial, cells) for equation in _touching(paths, involving))


def _touching(paths: list[str], involving: dict[str, list[Equation]]) -> list[Equation]:
    return list({id(e): e for p in paths for e in involving.get(p, ())}.values())


def _may_hold(equation: Equation, trial: dict[str, Number | None], cells: dict[str, CellValue],
              counted: tuple[str, ...] = ("read",)) -> bool:
    """Could the equation hold with the row's values in ``trial`` and the cells elsewhere whose
    status is ``counted`` (the others unknown, never negative)?"""
    sides = []
    for side in (equation.left, equation.right):
        total: Number = 0
        open_ = False
        for path in side:
            value = trial[path] if path in trial else (
                cells[path].value if cells[path].status in counted else None)
            if value is None:
                open_ = True
            else:
                total += value
        sides.append((total, open_))
    return sides_possible(sides[0], sides[1])


# what a sum is checked on once extraction is done: the values read and those forced
_READ_OR_FORCED: Final = ("read", "inferred")


def _holds_closed(equation: Equation, trial: dict[str, Number | None], cells: dict[str, CellValue]) -> bool:
    """Does the equation hold with every term known: the row's from ``trial``, the others read?"""
    values = [trial[p] if p in trial else (cells[p].value if cells[p].status == "read" else None)
              for p in equation.paths]
    if any(v is None for v in values):
        return False
    return _may_hold(equation, trial, cells)


def _holds_on_row(equation: Equation, trial: dict[str, Number | None], cells: dict[str, CellValue]) -> bool:
    """May the equation hold, with every term of the row's own known?"""
    known = all(trial[p] is not None for p in equation.paths if p in trial)
    return known and _may_hold(equation, trial, cells)


def _rejected_unsoundly(found: list[Candidate], survivors: list[Candidate], paths: list[str],
                        cells: dict[str, CellValue], involving: dict[str, list[Equation]],
                        strict: bool) -> list[Candidate]:
    """Rejected readings that print a value in every cell, where no sum that rejects one holds for
    the survivors on the values they print: they survived only by leaving a cell open (a blank
    the text is supposed to have dropped), so nothing could break them. ``strict`` (a text that
    runs values together, where a row may have lost separators as well as cells): the sum must
    hold with every term known, other rows' too (「122 0 110 16」 for 12, 2, 0, 1, 1, 0, 16 kept
    122 against a total row still undecided). In a report whose own sums are off at that cell,
    the complete reading is as likely: 「103 80 02 1114」 is 103, 8, 0, 0, 2, 1, 114 in a report
    that carries 4 forward it never received, not 103, 8, –, 0, 0, 2, 1114."""
    kept = [dict(zip(paths, map(entry_value, c), strict=True)) for c in survivors]
    reinstated = []
    for candidate in found:
        if candidate in survivors or any(e is None for e in candidate):
            continue
        trial = dict(zip(paths, map(entry_value, candidate), strict=True))
        if not any(not _may_hold(equation, trial, cells)
                   and all(_holds_closed(equation, s, cells) if strict else _holds_on_row(equation, s, cells)
                           for s in kept)
                   for equation in _touching(paths, involving)):
            reinstated.append(candidate)
    return reinstated
