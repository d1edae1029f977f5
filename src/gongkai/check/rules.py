"""The within-report rules of template.md §5.1, expanded from ``template.yaml``.

Nothing here lists rules, rows or columns: equations, bounds and the table-2 heuristics come from
the YAML ``rules:`` entries (expanded once per layout and cached), cell kinds from the template's
columns, labels from :data:`TEMPLATE`. Per report the work is one pass over the layout's cells
(value kinds, missing and blank cells) and one over its ~50 equations.

``evaluate`` gives every rule instance with its status (for dashboards); ``check`` keeps only the
failures, as findings, and skips building results for what passed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any, Literal

from ..report import PRINTED_EMPTY, CellValue, Finding, Report
from ..template import TEMPLATE, Layout, bindings, equations, expand_terms, rule_applies
from ..template.model import Rule

__all__ = ["RuleResult", "cell_name", "check", "evaluate", "row_name", "show_value"]

Status = Literal["passed", "failed", "not_checkable"]
Binding = tuple[tuple[str, str], ...]


@dataclass(slots=True)
class RuleResult:
    """One instance of a rule on one report: which cells, their values, and the outcome.

    ``finding`` is set for failures: the message a clerk reads."""

    rule: str
    status: Status
    binding: Binding = ()
    cells: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    finding: Finding | None = None


# ---------------------------------------------------------------------------------- formatting
_TABLE_NAMES = {"active_disclosure": ("表二", "Table 2"), "applications": ("表三", "Table 3"),
                "review_litigation": ("表四", "Table 4")}
_TABLES = tuple(_TABLE_NAMES)
_FORMATS = ("2019", "2021")
_RULES = {rule.id: rule for rule in TEMPLATE.rules}
# The extractor's inference marks a cell forced over a printed blank with this phrase in its note
# (gongkai.extract.infer); C-BLANK still counts such cells as printed blank.
_BLANK_NOTE = PRINTED_EMPTY


def _number(value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def show_value(cell: CellValue | None, lang: str = "zh") -> str:
    """A cell's value as shown in a message; an inferred value says that it was inferred."""
    if cell is None or cell.value is None:
        return "空" if lang == "zh" else "blank"
    text = _number(cell.value)
    if cell.status == "inferred":
        text += "（推算）" if lang == "zh" else " (inferred)"
    return text


def _show_sum(cells: Sequence[CellValue], lang: str) -> str:
    total = sum(c.value for c in cells)  # type: ignore[misc]
    text = _number(total)
    if any(c.status == "inferred" for c in cells):
        text += "（含推算值）" if lang == "zh" else " (incl. inferred)"
    return text


def _values(paths: Sequence[str], cells: Sequence[CellValue | None]) -> dict[str, Any]:
    return {p: (c.value if c is not None else None) for p, c in zip(paths, cells, strict=True)}


def _numeric(cell: CellValue | None) -> bool:
    """The cell has a number (a blank, absent or garbled cell makes a rule not checkable)."""
    return cell is not None and isinstance(cell.value, int | float) and not isinstance(cell.value, bool)


def _first_line(cells: Iterable[CellValue | None]) -> int | None:
    """The source line of the first read cell (where a reader should look)."""
    for cell in cells:
        if cell is not None and cell.status == "read" and cell.line is not None:
            return cell.line
    return None


@cache
def _disclosure_labels(fmt: str) -> dict[str, str]:
    """Table 2 row and column labels as the format prints them (规范性文件 in 2019,
    行政规范性文件 in 2021; 处理决定数量 / 本年处理决定数量)."""
    labels: dict[str, str] = {}
    for block in TEMPLATE.disclosure_blocks[fmt]:  # type: ignore[index]
        for row in block.rows:
            labels[row.key] = row.label.text
            for column in block.columns:
                labels[f"{row.key}.{column.key}"] = column.label.text
    return labels


def row_name(table: str, row: str, fmt: str | None) -> str:
    """A row's label for people, in the report's format."""
    if table == "active_disclosure" and fmt in _FORMATS:
        return _disclosure_labels(fmt).get(row, row)  # type: ignore[arg-type]
    return TEMPLATE.row_label(f"{table}.{row}")


def cell_name(path: str, fmt: str | None) -> str:
    """A cell's label for people: 表三「(一)予以公开」「自然人」, 表二「行政许可」「本年处理决定数量」."""
    table, row, column = path.split(".")
    if table == "active_disclosure" and fmt in _FORMATS:
        labels = _disclosure_labels(fmt)  # type: ignore[arg-type]
        return f"表二「{labels.get(row, row)}」「{labels.get(f'{row}.{column}', column)}」"
    return TEMPLATE.cell_label(path)


def _binding_labels(binding: Binding, table: str, fmt: str) -> dict[str, str]:
    """Labels for the placeholders a rule message may use ({column_label}, {row_label}, …)."""
    labels: dict[str, str] = {}
    for name, value in binding:
        if name == "column":
            labels["column_label"] = TEMPLATE.column_label(table, value)
        elif name in ("row", "part"):
            labels[f"{name}_label"] = row_name(table, value, fmt)
        elif name == "group":
            labels["group_label"] = row_name("review_litigation", value, fmt)
    return labels


# ---------------------------------------------------------------------------------- value kinds
def _is_count(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return v >= 0
    return isinstance(v, float) and v.is_integer() and v >= 0


def _is_signed(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def _is_amount(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    return math.isfinite(v) and v >= 0


# cell kind (template columns) → (value rule id, predicate); the rule text lives in the YAML
_VALUE_RULES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "count": ("N-INT", _is_count),
    "signed": ("N-CHANGE", _is_signed),
    "amount": ("N-AMOUNT", _is_amount),
}


# ---------------------------------------------------------------------------------- the plan
@dataclass(frozen=True, slots=True)
class _Equation:
    rule: Rule
    binding: Binding
    left: tuple[str, ...]
    right: tuple[str, ...]
    labels: dict[str, str]
    paths: tuple[str, ...]
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # path → value map → the terms' values
    n_left: int


@dataclass(frozen=True, slots=True)
class _Bound:
    """``part <= sum(limit)``, evaluated only where ``unless`` (an equation) is not checkable."""

    rule: Rule
    binding: Binding  # the rule's own binding (shared with ``unless``)
    part: str
    part_key: str
    limit: tuple[str, ...]
    labels: dict[str, str]
    unless: str | None


@dataclass(frozen=True, slots=True)
class _AtLeast:
    rule: Rule
    binding: Binding
    big: str
    small: str
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class _CellCheck:
    index: int  # position in the layout's reading order
    path: str
    table: str
    row: str
    column: str
    value_rule: Rule
    predicate: Callable[[Any], bool]
    structural: bool  # counts for S-TABLES / C-BLANK (hybrid: the unprinted other_* rows do not)


@dataclass(frozen=True, slots=True)
class _Plan:
    layout: Layout
    equations: tuple[_Equation, ...]
    bounds: tuple[_Bound, ...]
    at_least: tuple[_AtLeast, ...]
    cells: tuple[_CellCheck, ...]
    by_path: dict[str, _CellCheck]
    nones: dict[str, None]  # every layout path → None: the base of a report's value map
    paths: frozenset[str]
    table_sizes: dict[str, int]  # structural cells per table
    row_keys: tuple[str, ...]  # table-3 rows the layout prints


def _table_of(path: str) -> str:
    return path.split(".", 1)[0]


@cache
def _plan(layout: Layout) -> _Plan:
    """Everything about a layout that does not depend on the report, computed once."""
    eqs: list[_Equation] = []
    for eq in equations(layout):
        rule = TEMPLATE.rule(eq.rule)
        paths = eq.left + eq.right  # every equation has at least two terms: a tuple comes back
        eqs.append(_Equation(rule, eq.binding, eq.left, eq.right,
                             _binding_labels(eq.binding, _table_of(eq.left[0]), layout.format), paths,
                             itemgetter(*paths), len(eq.left)))
    bounds: list[_Bound] = []
    at_least: list[_AtLeast] = []
    for rule in TEMPLATE.rules:
        if not rule_applies(rule, layout):
            continue
        if rule.kind == "bound":
            for binding in bindings(rule, layout):
                key = tuple(binding.items())
                limit = expand_terms(rule.spec["limit"], binding, layout)
                for part in expand_terms(rule.spec["parts"], binding, layout):
                    part_key = part.split(".")[1]
                    full = (*key, ("part", part_key))
                    bounds.append(_Bound(rule, key, part, part_key, limit,
                                         _binding_labels(full, _table_of(part), layout.format),
                                         rule.spec.get("only_when_unchecked")))
        elif rule.kind == "at_least":
            for binding in bindings(rule, layout):
                key = tuple(binding.items())
                big = rule.spec["big"].format(**binding)
                small = rule.spec["small"].format(**binding)
                at_least.append(_AtLeast(rule, key, big, small,
                                         _binding_labels(key, _table_of(big), layout.format)))
    value_rules = {kind: (TEMPLATE.rule(rid), pred) for kind, (rid, pred) in _VALUE_RULES.items()}
    unprinted = set()
    if layout.hybrid:
        # the hybrid prints （六） as one row; its absent 2021 items are T3-ROWSET's business
        unprinted = {r.key for r in TEMPLATE.application_rows if r.group == "other_handling"}
    cells: list[_CellCheck] = []
    sizes = dict.fromkeys(_TABLES, 0)
    for index, path in enumerate(TEMPLATE.cell_paths(layout)):
        table, row, column = path.split(".")
        rule, pred = value_rules[TEMPLATE.cell_kind(path)]
        structural = not (table == "applications" and row in unprinted)
        sizes[table] += structural
        cells.append(_CellCheck(index, path, table, row, column, rule, pred, structural))
    return _Plan(layout, tuple(eqs), tuple(bounds), tuple(at_least), tuple(cells),
                 {c.path: c for c in cells}, dict.fromkeys(TEMPLATE.cell_paths(layout)),
                 frozenset(TEMPLATE.cell_paths(layout)), sizes,
                 TEMPLATE.application_row_keys(layout))


# ---------------------------------------------------------------------------------- findings
def _finding(rule: Rule, zh: str, en: str, cells: Sequence[str], values: dict[str, Any],
             line: int | None, evidence: str | None = None) -> Finding:
    return Finding(rule=rule.id, severity=rule.severity, message=zh, message_en=en,  # type: ignore[arg-type]
                   cells=list(cells), values=values, line=line, evidence=evidence)


def _equation_finding(eq: _Equation, found: list[CellValue]) -> Finding:
    n_left = len(eq.left)
    texts = {}
    for lang in ("zh", "en"):
        shown = [show_value(c, lang) for c in found]
        context = dict(eq.labels, sum_left=_show_sum(found[:n_left], lang),
                       sum_right=_show_sum(found[n_left:], lang))
        template = eq.rule.zh if lang == "zh" else eq.rule.en
        texts[lang] = template.format(*shown, **context)
    paths = eq.paths
    return _finding(eq.rule, texts["zh"], texts["en"], paths,
                    {p: c.value for p, c in zip(paths, found, strict=True)}, _first_line(found))


# ---------------------------------------------------------------------------------- row summaries
def _short_row(table: str, row: str, fmt: str) -> str:
    """A compact row name for lists: 「(四)1.本机关不掌握相关政府信息」, 「行政强制」."""
    if table == "applications":
        spec = next(r for r in TEMPLATE.application_rows if r.key == row)
        group = next((g for g in TEMPLATE.application_groups if g.key == spec.group), None)
        prefix = group.marker if group is not None and group.parent else ""
        text = f"{prefix}{spec.marker}{spec.label.text}"
    else:
        text = row_name(table, row, fmt)
    return text if len(text) <= 16 else text[:15] + "…"


def _column_name(table: str, row: str, column: str, fmt: str) -> str:
    if table == "active_disclosure":
        return _disclosure_labels(fmt).get(f"{row}.{column}", column)
    return TEMPLATE.column_label(table, column)


_MAX_ITEMS = 8
_ROW_GROUP = {r.key: r.group for r in TEMPLATE.application_rows}


def _rows_detail(table: str, checks: list[_CellCheck], plan: _Plan, whole: tuple[str, str]
                 ) -> tuple[str, str]:
    """Name the affected rows of one table (zh, en), summarised: whole table, whole groups,
    whole rows, or a row's columns."""
    if len(checks) == plan.table_sizes[table]:
        return whole
    per_row: dict[str, list[str]] = {}
    for c in checks:
        per_row.setdefault(c.row, []).append(c.column)
    row_size: dict[str, int] = {}
    for c in plan.cells:
        if c.table == table and c.structural:
            row_size[c.row] = row_size.get(c.row, 0) + 1
    full = {r for r, cols in per_row.items() if len(cols) == row_size[r]}
    # a table-3 group whose every item row is affected is named once, where its first row is
    whole_groups: dict[str, tuple[str, int]] = {}  # first row → (group name, rows)
    done: set[str] = set()
    if table == "applications":
        for group in TEMPLATE.application_groups:
            if not group.parent:
                continue
            members = [r for r in plan.row_keys if r in row_size and _ROW_GROUP.get(r) == group.key]
            if len(members) > 1 and all(m in full for m in members):
                whole_groups[members[0]] = (f"{group.marker}{group.label.text}", len(members))
                done.update(members)
    items_zh: list[str] = []
    items_en: list[str] = []
    for row, cols in per_row.items():
        if row in whole_groups:
            name, count = whole_groups[row]
            items_zh.append(f"「{name}」（全部{count}行）")
            items_en.append(f"「{name}」 (all {count} rows)")
        if row in done:
            continue
        name = _short_row(table, row, plan.layout.format)
        if row in full:
            items_zh.append(f"「{name}」")
            items_en.append(f"「{name}」")
        else:
            names = [_column_name(table, row, col, plan.layout.format) for col in cols]
            items_zh.append(f"「{name}」的" + "".join(f"「{n}」" for n in names) + "列")
            items_en.append(f"「{name}」 (column{'s' if len(names) > 1 else ''} {', '.join(names)})")
    extra = len(items_zh) - _MAX_ITEMS
    zh = "、".join(items_zh[:_MAX_ITEMS]) + (f"等{len(items_zh)}项" if extra > 0 else "")
    en = ", ".join(items_en[:_MAX_ITEMS]) + (f" and {extra} more" if extra > 0 else "")
    return zh, en


# ---------------------------------------------------------------------------------- evaluation
def _evaluate(report: Report, keep_all: bool) -> list[RuleResult]:
    results: list[RuleResult] = []
    add = results.append
    # an unknown template (or a 2019 "hybrid") has no tables to check; the narrative still counts
    layout = Layout(report.template, report.hybrid) if report.template in _FORMATS and not (  # type: ignore[arg-type]
        report.hybrid and report.template != "2021") else None
    if layout is not None:
        _structure(report, layout, keep_all, results)
    _sections(report, keep_all, results)
    if layout is not None:
        plan = _plan(layout)
        cells = report.cells
        values = _cells_pass(report, plan, keep_all, results)
        unchecked: set[tuple[str, Binding]] = set()
        for eq in plan.equations:
            terms = eq.values(values)
            n_left = eq.n_left
            try:
                difference = None if None in terms else sum(terms[:n_left]) - sum(terms[n_left:])
            except TypeError:  # a non-number (N-INT says so): the equation cannot be evaluated
                difference = None
            if difference is None:
                unchecked.add((eq.rule.id, eq.binding))
                if keep_all:
                    add(RuleResult(eq.rule.id, "not_checkable", eq.binding, eq.paths,
                                   dict(zip(eq.paths, terms, strict=True))))
            elif difference > 1e-9 or difference < -1e-9:
                finding = _equation_finding(eq, [cells[p] for p in eq.paths])
                add(RuleResult(eq.rule.id, "failed", eq.binding, eq.paths, finding.values, finding))
            elif keep_all:
                add(RuleResult(eq.rule.id, "passed", eq.binding, eq.paths,
                               dict(zip(eq.paths, terms, strict=True))))
        for bound in plan.bounds:
            if bound.unless is not None and (bound.unless, bound.binding) not in unchecked:
                continue  # the equation itself was checked: a bound would only repeat it
            _bound(bound, cells, keep_all, results)
        for rule in plan.at_least:
            _at_least(rule, cells, keep_all, results)
    from .narrative import text_results  # late: narrative builds on this module

    results.extend(text_results(report, keep_all=keep_all))
    return results


def _bound(bound: _Bound, cells: dict[str, CellValue], keep_all: bool, results: list[RuleResult]) -> None:
    paths = (bound.part, *bound.limit)
    found = [cells.get(p) for p in paths]
    binding = (*bound.binding, ("part", bound.part_key))
    if not all(_numeric(c) for c in found):
        if keep_all:
            results.append(RuleResult(bound.rule.id, "not_checkable", binding, paths, _values(paths, found)))
        return
    known: list[CellValue] = found  # type: ignore[assignment]
    values = {p: c.value for p, c in zip(paths, known, strict=True)}
    if known[0].value <= sum(c.value for c in known[1:]) + 1e-9:  # type: ignore[operator, misc]
        if keep_all:
            results.append(RuleResult(bound.rule.id, "passed", binding, paths, values))
        return
    texts = [
        (bound.rule.zh if lang == "zh" else bound.rule.en).format(
            show_value(known[0], lang), **bound.labels, limit=_show_sum(known[1:], lang))
        for lang in ("zh", "en")
    ]
    finding = _finding(bound.rule, texts[0], texts[1], paths, values, _first_line(known))
    results.append(RuleResult(bound.rule.id, "failed", binding, paths, values, finding))


def _at_least(rule: _AtLeast, cells: dict[str, CellValue], keep_all: bool, results: list[RuleResult]) -> None:
    paths = (rule.big, rule.small)
    big, small = cells.get(rule.big), cells.get(rule.small)
    if big is None or small is None or not (_numeric(big) and _numeric(small)):
        if keep_all:
            results.append(RuleResult(rule.rule.id, "not_checkable", rule.binding, paths,
                                      {rule.big: big.value if big else None,
                                       rule.small: small.value if small else None}))
        return
    values = {rule.big: big.value, rule.small: small.value}
    if big.value >= small.value:
        if keep_all:
            results.append(RuleResult(rule.rule.id, "passed", rule.binding, paths, values))
        return
    texts = [(rule.rule.zh if lang == "zh" else rule.rule.en).format(
        show_value(big, lang), show_value(small, lang), **rule.labels) for lang in ("zh", "en")]
    finding = _finding(rule.rule, texts[0], texts[1], paths, values, _first_line((big, small)))
    results.append(RuleResult(rule.rule.id, "failed", rule.binding, paths, values, finding))


def _cells_pass(report: Report, plan: _Plan, keep_all: bool, results: list[RuleResult]
                ) -> dict[str, Any]:
    """One pass over the report's cells: value kinds (N-*), missing (S-TABLES) and blank (C-BLANK)
    cells. Returns path → value for every layout path (None where absent)."""
    cells = report.cells
    values: dict[str, Any] = plan.nones.copy()
    missing: dict[str, list[_CellCheck]] = {t: [] for t in _TABLES}
    blank: dict[str, list[_CellCheck]] = {t: [] for t in _TABLES}
    by_path = plan.by_path
    for path, cell in cells.items():
        values[path] = value = cell.value
        status = cell.status
        # the common case: a printed non-negative integer satisfies every value rule
        if status == "read" and type(value) is int and value >= 0 and not keep_all:
            continue
        check_ = by_path.get(path)
        if check_ is None:
            continue  # not a cell of this layout (T3-ROWSET looks at those)
        if check_.structural:
            if status == "missing":
                missing[check_.table].append(check_)
            elif status == "blank" or (status == "inferred" and cell.note and _BLANK_NOTE in cell.note):
                blank[check_.table].append(check_)
        if value is None:
            continue
        if check_.predicate(value):
            if keep_all:
                results.append(RuleResult(check_.value_rule.id, "passed", (("cell", check_.path),),
                                          (check_.path,), {check_.path: value}))
            continue
        rule = check_.value_rule
        texts = []
        for lang in ("zh", "en"):
            raw = cell.raw if cell.status == "read" and cell.raw else show_value(cell, lang)
            label = cell_name(check_.path, plan.layout.format)
            texts.append((rule.zh if lang == "zh" else rule.en).format(cell_label=label, raw=raw))
        finding = _finding(rule, texts[0], texts[1], (check_.path,), {check_.path: value},
                           cell.line if cell.status == "read" else None)
        results.append(RuleResult(rule.id, "failed", (("cell", check_.path),), (check_.path,),
                                  {check_.path: value}, finding))
    if len(cells) != len(by_path) or len(values) != len(by_path):
        # some layout cells are absent from the report (or others present): absent ones are missing
        for check_ in plan.cells:
            if check_.structural and check_.path not in cells:
                missing[check_.table].append(check_)
    _table_findings(plan, cells, missing, blank, keep_all, results)
    return values


def _table_findings(plan: _Plan, cells: dict[str, CellValue], missing: dict[str, list[_CellCheck]],
                    blank: dict[str, list[_CellCheck]], keep_all: bool, results: list[RuleResult]) -> None:
    """S-TABLES and C-BLANK: one finding per table, naming the affected rows."""
    for rule_id, groups, whole in (("S-TABLES", missing, ("整表缺失", "the whole table is absent")),
                                   ("C-BLANK", blank, ("整表空白", "the whole table is blank"))):
        rule = _RULES[rule_id]
        for table in _TABLES:
            affected = groups[table]
            binding = (("table", table),)
            if not affected:
                if keep_all:
                    results.append(RuleResult(rule_id, "passed", binding))
                continue
            affected.sort(key=lambda c: c.index)  # reading order of the tables
            paths = tuple(c.path for c in affected)
            zh_detail, en_detail = _rows_detail(table, affected, plan, whole)
            zh_table, en_table = _TABLE_NAMES[table]
            zh = rule.zh.format(table=zh_table, count=len(paths), detail=zh_detail)
            en = rule.en.format(table=en_table, count=len(paths), detail=en_detail)
            values = {p: None for p in paths} if rule_id == "S-TABLES" else {
                p: (cells[p].value if p in cells else None) for p in paths}
            finding = _finding(rule, zh, en, paths, values,
                               _first_line(cells.get(p) for p in paths))
            results.append(RuleResult(rule_id, "failed", binding, paths, values, finding))


def _structure(report: Report, layout: Layout, keep_all: bool, results: list[RuleResult]) -> None:
    """S-TEMPLATE-YEAR and T3-ROWSET."""
    rule = _RULES["S-TEMPLATE-YEAR"]
    year = report.year
    expected = None
    if year is not None:
        expected = "2021" if year >= 2021 else "2019" if year in (2019, 2020) else None
    if expected is None:
        if keep_all:
            results.append(RuleResult(rule.id, "not_checkable"))
    elif expected != layout.format:
        args = {"year": year, "template": layout.format, "expected": expected}
        finding = _finding(rule, rule.zh.format(**args), rule.en.format(**args), (), {}, None)
        results.append(RuleResult(rule.id, "failed", finding=finding))
    elif keep_all:
        results.append(RuleResult(rule.id, "passed"))

    rule = _RULES["T3-ROWSET"]
    details_zh: list[str] = []
    details_en: list[str] = []
    printed = _plan(layout).paths
    official = set(TEMPLATE.official_row_keys(layout.format))
    if layout.hybrid:
        items = [r for r in TEMPLATE.application_rows if r.group == "other_handling"]
        group = next(g for g in TEMPLATE.application_groups if g.key == "other_handling")
        one_row = f"{group.marker}{group.label.text}"
        names = "".join(f"「{r.marker}{r.label.text[:12]}…」" if len(r.label.text) > 12
                        else f"「{r.marker}{r.label.text}」" for r in items)
        details_zh.append(f"「{one_row}」印成带数值的一行（2019年格式的写法），没有{layout.format}年格式的"
                          f"{len(items)}个子项{names}")
        details_en.append(f"「{one_row}」 is printed as one row with values (the 2019 way) instead of "
                          f"the {layout.format} format's {len(items)} items")
    # rows of the other format that carry values (an extractor or a hand-built report put them)
    foreign = sorted({p.split(".")[1] for p, c in report.cells.items()
                      if p.startswith("applications.") and p not in printed and c.value is not None}
                     - official) if len(report.cells) > len(printed) else []
    if foreign:
        names = "、".join(f"「{_short_row('applications', r, layout.format)}」" for r in foreign)
        details_zh.append(f"含有不属于该格式的行{names}")
        details_en.append("rows that the format does not have: " + ", ".join(
            f"「{_short_row('applications', r, layout.format)}」" for r in foreign))
    if details_zh:
        args_zh = {"template": layout.format, "detail": "；".join(details_zh)}
        args_en = {"template": layout.format, "detail": "; ".join(details_en)}
        finding = _finding(rule, rule.zh.format(**args_zh), rule.en.format(**args_en), (), {}, None)
        results.append(RuleResult(rule.id, "failed", finding=finding))
    elif keep_all:
        results.append(RuleResult(rule.id, "passed"))


def _sections(report: Report, keep_all: bool, results: list[RuleResult]) -> None:
    """S-SECTIONS: headings 一…六 missing. A report that carries no section information at all
    (e.g. rebuilt from nested JSON) is not checkable rather than missing everything."""
    rule = _RULES["S-SECTIONS"]
    if not report.sections and not report.section_lines:
        if keep_all:
            results.append(RuleResult(rule.id, "not_checkable"))
        return
    present = set(report.sections) | set(report.section_lines)
    absent = [s.number for s in TEMPLATE.sections if s.key not in present]
    if not absent:
        if keep_all:
            results.append(RuleResult(rule.id, "passed"))
        return
    finding = _finding(rule, rule.zh.format(numbers="、".join(absent)),
                       rule.en.format(numbers=", ".join(absent)), (), {}, None)
    results.append(RuleResult(rule.id, "failed", (("sections", ",".join(absent)),), finding=finding))


def evaluate(report: Report) -> list[RuleResult]:
    """Every rule instance of template.md §5.1 (and C-BLANK, C-TEXT) with its status."""
    return _evaluate(report, keep_all=True)


def check(report: Report) -> list[Finding]:
    """The findings of every within-report rule: what failed, in words a clerk understands."""
    return [r.finding for r in _evaluate(report, keep_all=False) if r.finding is not None]
