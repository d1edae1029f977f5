"""Values the template's arithmetic forces (template.md §5.3), status ``inferred``.

Every equation of the table shape says sum(left) == sum(right) over non-negative counts. When one
side is fully known:

- F-ZERO: if the other side's known terms already reach it, its unknown terms are all 0;
- F-SOLVE: if exactly one term of the other side is unknown, it is the difference — accepted only
  when that is a non-negative integer (otherwise the checker reports the violation).

Read values are never replaced (F-NOOVERWRITE), and no equation is used that the printed
values break, or that shares a cell with one they break (a wrong inference is as bad as a
misread). The loop runs to a fixpoint, because each
forced value can complete another equation (a zero balance forces (七)总计, which forces the
outcome rows).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Final

from ..report import PRINTED_EMPTY, CellValue
from ..template import TEMPLATE, Equation, TableShape, equations
from .context import table_of

KNOWN: Final = ("read", "inferred")


Validator = Callable[[dict[str, CellValue]], set[str]]


def infer(cells: dict[str, CellValue], shape: TableShape, validate: Validator | None = None) -> int:
    """Fill forced cells in place; return how many were filled.

    An inferred value must agree with every equation it takes part in once that equation is
    complete. Where one does not, the report's own arithmetic around the cell is broken (a
    misprint somewhere), so the value is not trustworthy: the cell is left unfilled and the
    inference runs again without it. ``validate`` adds what else the document knows (the
    readings a row's printed values allow) and returns the inferred cells that contradict it.
    """
    touching = _touching(shape)
    system = _sound(cells, equations(shape), touching)
    blocked: set[str] = set()
    for _ in range(8):
        trial = dict(cells)
        forced = _fixpoint(trial, system, touching, blocked)
        if not forced:
            return 0
        checked = {id(e): e for p in forced for e in touching[p]}.values()
        contradicted = {p for e in checked if _broken(trial, e) for p in e.paths if p in forced}
        if validate is not None:
            contradicted |= validate(trial) & forced
        if not contradicted:
            break
        blocked |= contradicted
    else:
        trial = dict(cells)
        forced = _fixpoint(trial, system, touching, blocked)
    for path in forced:
        cells[path] = trial[path]
    return len(forced)


def _sound(cells: dict[str, CellValue], system: tuple[Equation, ...],
           touching: dict[str, tuple[Equation, ...]]) -> tuple[Equation, ...]:
    """The equations inference may use: none of a table whose printed values break one of its
    equations. Where a report's own sums fail, a misprint (or a misread) sits somewhere among
    their cells, and a value solved from them would carry it on."""
    broken = [e for e in system if _broken(cells, e)]
    if not broken:
        return system
    # the misprint may as well sit in a cell that was not read, where no equation shows it: a
    # table whose printed values break any of its sums lends none of them to inference
    unsound = {table_of(e) for e in broken}
    return tuple(e for e in system if table_of(e) not in unsound)


@cache
def _touching(shape: TableShape) -> dict[str, tuple[Equation, ...]]:
    """The equations each cell takes part in."""
    result: dict[str, list[Equation]] = {}
    for equation in equations(shape):
        for path in equation.paths:
            result.setdefault(path, []).append(equation)
    return {path: tuple(found) for path, found in result.items()}


def _broken(cells: dict[str, CellValue], equation: Equation) -> bool:
    """Can the equation no longer hold? Complete and unequal, or one side complete and already
    smaller than the other side's known terms (its unknown terms are counts, never negative)."""
    left, left_open = _known_sum(cells, equation.left)
    right, right_open = _known_sum(cells, equation.right)
    if not left_open and not right_open:
        return left != right
    if not left_open:
        return left < right
    if not right_open:
        return right < left
    return False


def _known_sum(cells: dict[str, CellValue], paths: tuple[str, ...]) -> tuple[float, bool]:
    """The sum of the known terms, and whether any term is unknown."""
    total = 0.0
    unknown = False
    for path in paths:
        cell = cells[path]
        value = cell.value
        if value is None or (cell.status != "read" and cell.status != "inferred"):
            unknown = True
        elif isinstance(value, int):
            total += value  # (the same float as float(value), without a generic call of float)
        else:
            total += float(value)
    return total, unknown


def _fixpoint(cells: dict[str, CellValue], system: tuple[Equation, ...],
              touching: dict[str, tuple[Equation, ...]], blocked: set[str]) -> set[str]:
    """Force cells until nothing changes; only equations touching a newly forced cell are
    looked at again. Returns the forced paths."""
    forced: set[str] = set()
    # (left and right apart: Equation.paths is a property of the interpreted template model)
    pending = [e for e in system if not (_all_known(cells, e.left) and _all_known(cells, e.right))]
    while pending:
        changed: list[str] = []
        for equation in pending:
            changed.extend(_apply(cells, equation, blocked))
        forced.update(changed)
        pending = list({id(e): e for p in changed for e in touching.get(p, ())}.values())
    return forced


def _apply(cells: dict[str, CellValue], equation: Equation, blocked: set[str]) -> list[str]:
    """F-ZERO / F-SOLVE on one equation; returns the paths it forced."""
    for known_side, other_side in ((equation.left, equation.right), (equation.right, equation.left)):
        if not _all_known(cells, known_side):
            continue
        unknown = [p for p in other_side if cells[p].status not in KNOWN]
        if not unknown or any(p in blocked for p in unknown):
            continue
        residual = sum(cells[p].value for p in known_side) - sum(  # type: ignore[misc]
            cells[p].value for p in other_side if cells[p].status in KNOWN)  # type: ignore[misc]
        if residual == 0:
            for path in unknown:
                _force(cells, path, 0, "F-ZERO", equation.rule, equation.binding)
            return unknown
        if len(unknown) == 1 and residual > 0 and float(residual).is_integer():
            _force(cells, unknown[0], int(residual), "F-SOLVE", equation.rule, equation.binding)
            return unknown
    return []


def _all_known(cells: dict[str, CellValue], paths: tuple[str, ...]) -> bool:
    for path in paths:
        cell = cells[path]
        if cell.value is None or (cell.status != "read" and cell.status != "inferred"):
            return False
    return True


def _force(cells: dict[str, CellValue], path: str, value: int, how: str, rule: str,
           binding: tuple[tuple[str, str], ...]) -> None:
    note = _force_note(how, rule, binding, cells[path].status == "blank")
    cells[path] = CellValue(value, "inferred", raw=None, line=None, rule=how, note=note)


def _force_note(how: str, rule: str, binding: tuple[tuple[str, str], ...], blank: bool) -> str:
    key = (how, rule, binding, blank)
    note = _FORCE_NOTES.get(key)
    if note is None:
        where = ", ".join(_binding_label(k, v) for k, v in binding)
        note = f"{how}: forced by {rule}" + (f" ({where})" if where else "")
        if blank:
            note += f"; {PRINTED_EMPTY}"
        _FORCE_NOTES[key] = note
    return note


# (a few hundred notes, each asked for again by every report forcing the same cell)
_FORCE_NOTES: Final[dict[tuple[str, str, tuple[tuple[str, str], ...], bool], str]] = {}


@cache  # a few dozen distinct bindings, asked for thousands of times
def _binding_label(name: str, value: str) -> str:
    if name == "column":
        return TEMPLATE.column_label("applications", value)
    if name == "row":
        return TEMPLATE.row_label(f"applications.{value}")
    if name == "group":
        return TEMPLATE.row_label(f"review_litigation.{value}")
    return value
