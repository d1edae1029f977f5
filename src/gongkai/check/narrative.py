"""The narrative against the tables (rule C-TEXT): where a quantity that sections 一 and 六 state in
words (:mod:`gongkai.extract.narrative`) contradicts the tables, C-TEXT warns, quoting the sentence.

A contradiction is only reported when the stated number fits none of the table readings the words
could mean (e.g. 受理 may mean new applications or new + carried over).
"""

from __future__ import annotations

from ..extract.narrative import QUANTITIES, NarrativeFact, Quantity, narrative_facts, settle_value
from ..report import CellValue, Finding, Report
from ..template import TEMPLATE
from .rules import RuleResult, cell_name, cells_total, rule_finding, show_value

__all__ = ["QUANTITIES", "NarrativeFact", "Quantity", "narrative_facts", "settle_value", "text_results"]


def _english_label(path: str, edition: str | None) -> str:
    label = cell_name(path, edition)
    for names in TEMPLATE.tables.values():
        if label.startswith(names.zh):
            return f"{names.en.lower()} {label[len(names.zh):]}"
    return label


def _cells(report: Report, paths: tuple[str, ...]) -> list[CellValue] | None:
    """The cells at ``paths`` when every one has a value, else None."""
    cells = [c for c in (report.cells.get(p) for p in paths) if c is not None and c.value is not None]
    return cells if len(cells) == len(paths) else None


def _contradiction(quantity: Quantity, fact: NarrativeFact, cells: list[CellValue], edition: str | None
                   ) -> Finding:
    rule = TEMPLATE.rule("C-TEXT")
    paths = quantity.paths
    if len(paths) == 1:
        where, where_en = cell_name(paths[0], edition), _english_label(paths[0], edition)
        actual, actual_en = show_value(cells[0], "zh"), show_value(cells[0], "en")
    else:
        where = "、".join(cell_name(p, edition) for p in paths) + "之和"
        where_en = "the sum of " + " and ".join(_english_label(p, edition) for p in paths)
        total = show_value(CellValue(cells_total(cells), "read"), "zh")
        actual = f"{total}（" + "+".join(show_value(c, "zh") for c in cells) + "）"
        actual_en = f"{total} (" + " + ".join(show_value(c, "en") for c in cells) + ")"
    zh = rule.zh.format(sentence=fact.quote, quantity=quantity.zh, stated=fact.value,
                        where=where, actual=actual)
    en = rule.en.format(sentence=fact.quote, quantity_en=quantity.en, stated=fact.value,
                        where_en=where_en, actual_en=actual_en)
    return rule_finding(rule, zh, en, paths, {p: c.value for p, c in zip(paths, cells, strict=True)},
                        fact.line, fact.sentence)


def text_results(report: Report, facts: list[NarrativeFact] | None = None, *,
                 keep_all: bool = True) -> list[RuleResult]:
    """C-TEXT per stated quantity: passed when some statement agrees with a reading of the table,
    failed (with a finding quoting the first statement) when none does."""
    if facts is None:
        facts = narrative_facts(report)
    if not facts:
        return []
    results: list[RuleResult] = []
    for quantity in QUANTITIES.values():
        stated = [f for f in facts if f.quantity == quantity.key]
        if not stated:
            continue
        binding = (("quantity", quantity.key),)
        cells = _cells(report, quantity.paths)
        if cells is None:
            if keep_all:
                results.append(RuleResult("C-TEXT", "not_checkable", binding, quantity.paths,
                                          {p: report.value(p) for p in quantity.paths}))
            continue
        readings = [cells_total(cells)]
        for alternative in quantity.alternatives:
            found = _cells(report, alternative)
            if found is not None:
                readings.append(cells_total(found))
        values = {p: c.value for p, c in zip(quantity.paths, cells, strict=True)}
        if any(abs(f.value - r) < 1e-9 for f in stated for r in readings):
            if keep_all:
                results.append(RuleResult("C-TEXT", "passed", binding, quantity.paths, values))
            continue
        finding = _contradiction(quantity, stated[0], cells, report.template)
        results.append(RuleResult("C-TEXT", "failed", binding, quantity.paths, values, finding))
    return results
