"""Doubtful OCR readings are never ``read`` (report-json.md: a reading that is not certain is
``missing``).

A cell read by OCR carries the recogniser's confidence in its locator (the lowest character
score in the cell). After extraction, such a cell becomes ``missing`` — its reading kept in
``raw``, a note, and a ``P-OCR`` finding naming the cell and what it probably is — when

* its confidence is below :data:`DOUBTFUL_BELOW`; or
* the arithmetic of its table fails, and one typical misread of that one cell explains it: read
  the cell as printed with a digit dropped or doubled (OCR loses or repeats a glyph, 「218」 read
  「18」, 「0」 read 「10」), or with one of the look-alike digits 1↔7, 0↔8, 3↔8, 5↔6, 6↔8
  swapped, and every equation of the table holds. Look-alike swaps are only suspected when the
  recogniser was not sure of the cell (below :data:`SURE`): a confident reading whose swap
  would balance the table is more likely the report's own misprint, which the checker reports.

A cell the arithmetic inferred from a doubtful one is undone too (back to blank or missing): its
value rested on a reading that is not certain. Whatever is left broken is the report's own
error, and the checker blames the report for it (T3-/T4- findings).

This replaces the earlier ``P-OCR`` warning that kept a low-confidence value as ``read``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from ..report import PRINTED_EMPTY, CellValue, Finding
from ..template import TEMPLATE, Equation, TableShape, equations
from .context import new_finding

__all__ = ["DOUBTFUL_BELOW", "SURE", "doubt_ocr_readings", "misreads"]

# below this confidence an OCR'd cell is not taken as read (RapidOCR scores clean printed digits
# above 0.95; the misreads measured by bench/ocr.py score lower — see docs/benchmarks.md)
DOUBTFUL_BELOW: Final = 0.9
# at or above this, a look-alike digit swap is not suspected (see the module docstring)
SURE: Final = 0.99
_LOOK_ALIKE: Final = {"1": "7", "7": "1", "0": "8", "8": "036", "3": "8", "5": "6", "6": "58"}
_MAX_DIGITS: Final = 7  # a count in these tables: longer readings are not searched


def misreads(raw: str, *, swaps: bool = True) -> dict[int, str]:
    """What a printed count may really be when OCR read it as ``raw``: each value with how the
    reading would have gone wrong."""
    digits = raw.strip()
    if not digits.isdigit() or len(digits) > _MAX_DIGITS:
        return {}
    read_value = int(digits)
    found: dict[int, str] = {}

    def add(text: str, how: str) -> None:
        if text and (text == "0" or not text.startswith("0")):
            value = int(text)
            if value != read_value:
                found.setdefault(value, how)

    for i in range(len(digits)):  # OCR added a glyph (「0」 read 「10」, a doubled digit)
        add(digits[:i] + digits[i + 1:], "extra")
    for i in range(len(digits) + 1):  # OCR dropped a glyph (「218」 read 「18」)
        for d in "0123456789":
            add(digits[:i] + d + digits[i:], "dropped")
    if swaps:
        for i, ch in enumerate(digits):
            for other in _LOOK_ALIKE.get(ch, ""):
                add(digits[:i] + other + digits[i + 1:], "look-alike")
    return found


def _confidence(cell: CellValue) -> float | None:
    if cell.status != "read" or not cell.locator:
        return None
    confidence = cell.locator.get("confidence")
    return float(confidence) if confidence is not None else None


def _read_values(cells: dict[str, CellValue]) -> dict[str, float]:
    """The values printed and read. Inferred values are left out of the arithmetic here: they were
    forced from the read ones, so a misread would have spread into them."""
    return {p: float(c.value) for p, c in cells.items() if c.status == "read" and c.value is not None}


def _holds(values: dict[str, float], eq: Equation, override: tuple[str, float] | None = None) -> bool | None:
    """Does the equation hold (None: a term is unknown)?"""
    total = 0.0
    for sign, paths in ((1, eq.left), (-1, eq.right)):
        for path in paths:
            value = override[1] if override and override[0] == path else values.get(path)
            if value is None:
                return None
            total += sign * value
    return abs(total) < 1e-9


def _solved(values: dict[str, float], eq: Equation, path: str) -> int | None:
    """The value of ``path`` that makes ``eq`` hold, if it is a count."""
    others = 0.0
    for sign, paths in ((1, eq.left), (-1, eq.right)):
        for p in paths:
            if p == path:
                own = sign
            elif p in values:
                others += sign * values[p]
            else:
                return None
    value = -others / own
    return int(value) if value >= 0 and value == int(value) else None


def _table(path: str) -> str:
    return path.split(".", 1)[0]


def doubt_ocr_readings(cells: dict[str, CellValue], shape: TableShape | None,
                       findings: list[Finding]) -> list[str]:
    """Turn the doubtful OCR readings among ``cells`` into ``missing`` (in place), replacing
    earlier P-OCR findings about them with one each; return the doubted paths."""
    ocr_cells = {p: c for p, c in cells.items() if _confidence(c) is not None}
    if not ocr_cells:
        return []
    doubted: dict[str, tuple[str, str, dict[int, str]]] = {}  # path -> (zh reason, en reason, probable)
    for path, cell in ocr_cells.items():
        confidence = _confidence(cell)
        if confidence is not None and confidence < DOUBTFUL_BELOW:
            doubted[path] = (*TEMPLATE.message("P-OCR", "low_confidence", confidence=confidence), {})
    system = equations(shape) if shape else ()
    after_low = _undo(cells, doubted, system)
    if system:
        for path, (zh, en, probable) in _arithmetic_doubts(after_low, system, ocr_cells).items():
            doubted[path] = (zh, en, probable)
    if not doubted:
        findings[:] = [f for f in findings if f.rule != "P-OCR" or not set(f.cells) <= set(ocr_cells)]
        return []
    for path, cell in _undo(cells, doubted, system).items():
        cells[path] = cell
    _replace_findings(findings, cells, doubted)
    return sorted(doubted)


def _undo(cells: dict[str, CellValue], doubted: dict[str, tuple[str, str, dict[int, str]]],
          system: Iterable[Equation]) -> dict[str, CellValue]:
    """``cells`` with the doubted readings missing and every inference that rested on them
    (through equations, transitively) undone."""
    result = dict(cells)
    for path, (_, en, probable) in doubted.items():
        cell = cells[path]
        guess = f"; probably {', '.join(str(v) for v in probable)}" if probable else ""
        note = f"OCR read {cell.raw!r}, not certain ({en}{guess}): check it on the page"
        result[path] = CellValue(None, "missing", raw=cell.raw, line=cell.line, locator=cell.locator,
                                 note="; ".join(n for n in (cell.note, note) if n))
    system = tuple(system)
    frontier = set(doubted)
    while frontier:
        touched = {p for eq in system if frontier & set(eq.paths) for p in eq.paths}
        frontier = set()
        for path in touched:
            forced = result.get(path)
            if forced is not None and forced.status == "inferred":
                over_blank = bool(forced.note and PRINTED_EMPTY in forced.note)
                result[path] = CellValue(None, "blank" if over_blank else "missing", raw=None,
                                         line=forced.line, locator=forced.locator,
                                         note="not inferred: the arithmetic rests on a doubtful OCR reading")
                frontier.add(path)
    return result


def _arithmetic_doubts(cells: dict[str, CellValue], system: tuple[Equation, ...],
                       ocr_cells: dict[str, CellValue]) -> dict[str, tuple[str, str, dict[int, str]]]:
    """OCR'd cells of a table whose arithmetic fails that one typical misread of the cell would
    make hold — the whole table, every checkable equation of it. A cell the recogniser was not
    sure of (below :data:`SURE`) is also suspected when the value the failing equation solves
    for makes the table hold (a seal or a smudge makes any digit of anything)."""
    doubts: dict[str, tuple[str, str, dict[int, str]]] = {}
    values = _read_values(cells)
    by_table: dict[str, list[Equation]] = {}
    for eq in system:
        by_table.setdefault(_table(eq.left[0]), []).append(eq)
    for table_equations in by_table.values():
        broken = [eq for eq in table_equations if _holds(values, eq) is False]
        if not broken:
            continue
        # one misread of the cell has to explain every failure of the table
        suspects = set.intersection(*(set(eq.paths) for eq in broken)) & set(ocr_cells) & set(values)
        for path in sorted(suspects):
            cell = cells[path]
            unsure = (_confidence(ocr_cells[path]) or 0.0) < SURE
            touching = [eq for eq in table_equations if path in eq.paths]
            options = misreads(cell.raw or "", swaps=unsure)
            if unsure:
                for eq in broken:
                    solved = _solved(values, eq, path)
                    if solved is not None and solved != values[path]:
                        options.setdefault(solved, "arithmetic")
            probable = {value: how for value, how in options.items()
                        if all(_holds(values, eq, (path, value)) is not False for eq in touching)}
            if not probable:
                continue
            names = "、".join(_rule_name(eq) for eq in broken)
            zh, en = TEMPLATE.message("P-OCR", "sums_fail", names=names, count=len(broken),
                                      probable="或".join(str(v) for v in probable),
                                      probable_en=" or ".join(str(v) for v in probable))
            doubts[path] = (zh, en, probable)
    return doubts


def _rule_name(eq: Equation) -> str:
    binding = dict(eq.binding)
    if "column" in binding:
        return f"{eq.rule}「{TEMPLATE.column_label('applications', binding['column'])}」列"
    if "row" in binding:
        return f"{eq.rule}「{TEMPLATE.row_label('applications.' + binding['row'])}」行"
    if "group" in binding:
        return f"{eq.rule}「{TEMPLATE.row_label('review_litigation.' + binding['group'])}」"
    return eq.rule


def _replace_findings(findings: list[Finding], cells: dict[str, CellValue],
                      doubted: dict[str, tuple[str, str, dict[int, str]]]) -> None:
    # the extractor's own P-OCR (a low-confidence value kept as read) is superseded by these
    findings[:] = [f for f in findings if f.rule != "P-OCR"]
    for path, (zh, en, probable) in sorted(doubted.items()):
        cell = cells[path]
        page = (cell.locator or {}).get("page")
        where_zh, where_en = TEMPLATE.message("P-OCR", "on_page", page=page) if page else ("", "")
        guess_zh, guess_en = TEMPLATE.message(
            "P-OCR", "probably", probable="或".join(str(v) for v in probable),
            probable_en=" or ".join(str(v) for v in probable)) if probable else ("", "")
        values: dict[str, object] = {"raw": cell.raw}
        if probable:
            values["probable"] = sorted(probable)
        confidence = (cell.locator or {}).get("confidence")
        if confidence is not None:
            values["confidence"] = confidence
        finding = new_finding("P-OCR", "doubtful", cells=[path], line=cell.line,
                              cell=TEMPLATE.cell_label(path), path=path, raw=cell.raw, where=where_zh,
                              where_en=where_en, reason=zh, reason_en=en, guess=guess_zh, guess_en=guess_en)
        finding.values, finding.evidence = values, cell.raw
        findings.append(finding)
