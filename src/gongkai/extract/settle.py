"""Rows that could be read several ways, settled by what else the document says: the template's
arithmetic over the other rows, and sentences of the narrative that state a cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..report import CellValue, Number, Report
from ..template import Equation, equations
from .align import Candidate, entry_value, merge, sides_possible
from .context import Context, add_finding, row_name
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
        if readings and not any(all(v is None or r is None or v == r for v, r in zip(values, reading,
                                                                                  strict=True))
                                for reading in readings):
            # no reading of the row's digits gives these values
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


def note_forced(context: Context) -> None:
    """An undecided row whose cells the arithmetic then forced is only worth a remark."""
    for finding in context.findings:
        if finding.rule in ("P-ALIGN", "P-SPLIT") and finding.cells and all(
                context.cells[p].status == "inferred" for p in finding.cells):
            finding.severity = "info"
            finding.message += "；这些单元格均已由勾稽关系推算得出"
            finding.message_en += "; the arithmetic forces all of them"


def settle_by_arithmetic(context: Context) -> None:
    """Drop readings of ambiguous rows that contradict equations whose other terms are read.

    A row of run-together digits (or with a lost cell) may fit its own row sum in several ways;
    the column equations (T3-TOTAL, T3-BALANCE, T3-ROWSUM, T4-GROUPSUM) over the other rows'
    printed values usually leave one. Cells become certain only when all survivors agree.
    """
    system = equations(context.layout)
    involving: dict[str, list[Equation]] = {}
    for equation in system:
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
            changed = True
            alignment = merge(survivors, len(pending.paths), pending.alignment.split,
                              pending.alignment.reason)
            rules = sorted({e.rule for p in pending.paths for e in involving.get(p, ())} - {"T3-ROWSUM"})
            for path, entry, decided, was in zip(pending.paths, alignment.entries, alignment.decided,
                                                 pending.alignment.decided, strict=True):
                if decided and not was and entry is not None:
                    cell = cell_value(path, entry, alignment, context)
                    cell.note = "; ".join(filter(None, [cell.note, "reading settled by the column "
                                                        f"arithmetic ({', '.join(rules)})"]))
                    context.cells[path] = cell
            pending.alignment = alignment
            undecided = [p for p, d in zip(pending.paths, alignment.decided, strict=True) if not d]
            if not undecided:
                context.findings.remove(pending.finding)
                context.pending.remove(pending)
                add_finding(context, "P-SETTLED", "info",
                            f"{row_name(pending.segment)}：数字排列有多种读法，依表内勾稽关系"
                            f"（{'、'.join(rules)}）唯一确定",
                            f"{pending.segment.key}: several readings of the printed digits; the table's "
                            f"arithmetic ({', '.join(rules)}) leaves exactly one",
                            cells=pending.paths, line=pending.segment.label_line)
            else:
                pending.finding.cells = undecided


def settle_by_narrative(context: Context, meta: Meta) -> None:
    """A sentence that states exactly one cell of an ambiguous row (「共收到政府信息公开申请71件」)
    drops the readings that contradict it. The cell's note quotes the sentence."""
    from .narrative import narrative_facts, settle_value

    probe = Report(agency=meta.agency, year=meta.year, template=context.layout.format, cells={},
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
        where = f"第{used[0].line}行" if used[0].line else "正文"
        for path, entry, decided, was in zip(pending.paths, alignment.entries, alignment.decided,
                                             pending.alignment.decided, strict=True):
            if decided and not was and entry is not None:
                cell = cell_value(path, entry, alignment, context)
                cell.note = "; ".join(filter(None, [cell.note, f"reading settled by the narrative "
                                                    f"(line {used[0].line}): {quote}"]))
                context.cells[path] = cell
        pending.alignment = alignment
        undecided = [p for p, d in zip(pending.paths, alignment.decided, strict=True) if not d]
        pending.finding.message += f"；正文（{where}「{quote}」）确定了其中部分读法"
        pending.finding.message_en += f"; the narrative (line {used[0].line}) settles part of it"
        pending.finding.cells = undecided
        if not undecided:
            context.findings.remove(pending.finding)
            context.pending.remove(pending)
            add_finding(context, "P-SETTLED", "info",
                        f"{row_name(pending.segment)}：数字排列有多种读法，依正文{where}「{quote}」唯一确定",
                        f"{pending.segment.key}: several readings of the printed digits; the narrative "
                        f"(line {used[0].line}) leaves exactly one", cells=pending.paths,
                        line=pending.segment.label_line)


def _consistent(candidate: Candidate, paths: list[str], cells: dict[str, CellValue],
                involving: dict[str, list[Equation]]) -> bool:
    """Could every equation touching the row hold with this reading and the read cells?"""
    trial = dict(zip(paths, map(entry_value, candidate), strict=True))
    for equation in {id(e): e for p in paths for e in involving.get(p, ())}.values():
        sides = []
        for side in (equation.left, equation.right):
            total: Number = 0
            open_ = False
            for path in side:
                value = trial[path] if path in trial else (
                    cells[path].value if cells[path].status == "read" else None)
                if value is None:
                    open_ = True
                else:
                    total += value
            sides.append((total, open_))
        if not sides_possible(*sides):
            return False
    return True
