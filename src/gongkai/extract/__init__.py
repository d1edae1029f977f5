"""Finding the template's tables in a document and placing every printed number in its cell.

Stages, each inspectable on its own:

1. :mod:`.lexer` — cell text → tokens (numbers, blanks, labels, headings, prose);
2. :mod:`.segment` — tokens → segments: the values printed for each template row;
3. :mod:`.align` — a segment → cell values, only where every reading consistent with the
   template's arithmetic agrees;
4. :mod:`.infer` — cells the arithmetic forces (F-ZERO, F-SOLVE);
5. :mod:`.meta` — agency, year, title, sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from ..document import Document
from ..errors import ParseError
from ..report import CellValue, Finding, Report
from ..template import TEMPLATE, Layout, equations
from .align import Alignment, Candidate, Part, RowCheck, align, entry_value, merge
from .infer import infer
from .lexer import Token
from .meta import read_meta
from .segment import Segment, Segmentation, Segmenter

__all__ = ["extract", "segment_document"]


def segment_document(document: Document) -> Segmentation:
    return Segmenter().run(document)


@dataclass
class _Pending:
    """A row whose values could be read more than one way: settled later by other rows."""

    segment: Segment
    paths: list[str]
    alignment: Alignment
    finding: Finding


@dataclass
class _Context:
    layout: Layout
    cells: dict[str, CellValue]
    findings: list[Finding]
    pending: list[_Pending] = field(default_factory=list)
    # rows whose printed values could not all be placed: (cell paths, printed values, readings)
    unplaced: list[tuple[list[str], list, list[tuple]]] = field(default_factory=list)


def extract(document: Document) -> Report:
    """The report in a document: every template cell with its status, plus parse findings."""
    seg = segment_document(document)
    if not seg.tables_seen:
        raise ParseError(document.name, "no statistics table of a 政府信息公开工作年度报告 found "
                                        "(not an annual report, or its tables are unreadable)")
    meta = read_meta(document)
    sub_rows = any(s.key in _OTHER_ITEMS for s in seg.segments)
    for segment in seg.segments:
        if segment.maybe_group:
            # （六）其他处理 is the group label of rows 1-3 when they are printed, else the row itself
            segment.maybe_group = sub_rows
    segments = _with_values_redistributed(seg.segments)
    layout = _decide_layout(seg, segments, meta.year)
    cells = {path: CellValue(None, "missing") for path in TEMPLATE.cell_paths(layout)}
    context = _Context(layout, cells, [])
    _fill_table4_from_orphans(seg, segments, context)
    seen: dict[tuple[int, str], Segment] = {}
    for segment in segments:
        if segment.maybe_group:
            continue  # （六）其他处理 as the group label of the 2021 rows
        if segment.detached_mismatch:
            labels, rows = segment.detached_mismatch
            _finding(context, "P-ALIGN", "warning",
                     f"{_row_name(segment)}等 {labels} 行的行名与数值分开印刷，但数值有 {rows} 行，"
                     f"无法确定对应关系（未取值）",
                     f"{labels} labels printed apart from {rows} rows of values ending at "
                     f"{segment.key}: which row is whose cannot be told; nothing placed",
                     line=segment.label_line)
        if segment.table == 3 and segment.key not in _row_keys(layout):
            _finding(context, "T3-ROWSET", "warning",
                     f"表三「{TEMPLATE.row_label('applications.' + segment.key)}」行不属于"
                     f"{layout.format}年格式，未计入",
                     f"table 3 row {segment.key} is not part of the {layout.format} format; ignored",
                     line=segment.label_line)
            continue
        key = (segment.table, segment.key)
        if key in seen:
            if segment.filled and seen[key].filled:
                _duplicate(context, seen[key], segment)
            if not segment.filled or seen[key].filled:
                continue
        seen[key] = segment
        _place(segment, context)
    _report_orphans(seg, context)
    _settle_by_arithmetic(context)
    if context.pending:
        _settle_by_narrative(context, meta)
        _settle_by_arithmetic(context)
    infer(cells, layout, lambda trial: _contradicts_printed(trial, context))
    _note_forced(context)
    return Report(
        agency=meta.agency,
        year=meta.year,
        template=layout.format,
        hybrid=layout.hybrid,
        cells=cells,
        findings=context.findings,
        title=meta.title,
        source=document.name,
        media_type=document.media_type,
        sections=meta.sections,
        section_lines=meta.section_lines,
        published=meta.published,
    )


# ---------------------------------------------------------------------- format
def _decide_layout(seg: Segmentation, segments: list[Segment], year: int | None) -> Layout:
    """Template from the tables printed (template.md §1.4): table 2's labels first, then
    table 3's （六） rows; the year only when nothing printed tells."""
    votes = seg.format_votes
    t2 = {fmt: votes[fmt] for fmt in ("2019", "2021")}
    has_other_row = any(s.key == "other" and not s.maybe_group for s in segments)
    has_2021_rows = votes[("t3", "2021")] > 0
    if t2["2021"] > t2["2019"]:
        fmt = "2021"
    elif t2["2019"] > t2["2021"] or (has_other_row and not has_2021_rows):
        fmt = "2019"
    elif has_2021_rows:
        fmt = "2021"
    else:
        fmt = "2021" if (year or 2021) >= 2021 else "2019"
    hybrid = fmt == "2021" and has_other_row and not has_2021_rows
    return Layout(fmt, hybrid)  # type: ignore[arg-type]


_OTHER_ITEMS = ("other_no_correction", "other_unpaid_fee", "other_other")


def _row_keys(layout: Layout) -> tuple[str, ...]:
    return TEMPLATE.application_row_keys(layout)


# ---------------------------------------------------------------------- placing values
def _slots(segment: Segment, layout: Layout) -> list[str] | None:
    """The cell paths a segment's values go to, in printed order."""
    paths = _row_paths(segment.table, segment.key, layout.format)
    return list(paths) if paths is not None else None


@cache
def _row_paths(table: int, key: str, fmt: str) -> tuple[str, ...] | None:
    if table == 3:
        return tuple(f"applications.{key}.{c.key}" for c in TEMPLATE.application_columns)
    if table == 4:
        return tuple(f"review_litigation.{g.key}.{c.key}" for g in TEMPLATE.review_groups
                     for c in TEMPLATE.review_columns)
    for block in TEMPLATE.disclosure_blocks[fmt]:  # type: ignore[index]
        for row in block.rows:
            if row.key == key:
                return tuple(f"active_disclosure.{row.key}.{c.key}" for c in block.columns)
    return None


def _row_check(segment: Segment) -> RowCheck | None:
    """The row's own arithmetic, used to drop impossible readings of it."""
    if segment.table == 3:
        return lambda values: _sum_possible(values[:6], values[6])
    if segment.table == 4:
        return lambda values: all(_sum_possible(values[g:g + 4], values[g + 4]) for g in (0, 5, 10))
    return None


def _sum_possible(parts: list, total) -> bool:
    """Could ``sum(parts) == total`` hold, with None unknown and all values ≥ 0 integers?"""
    if any(v is not None and (v < 0 or not float(v).is_integer()) for v in [*parts, total]):
        return False
    known = sum(v for v in parts if v is not None)
    if total is None:
        return True
    if any(v is None for v in parts):
        return known <= total
    return known == total


def _place(segment: Segment, context: _Context) -> None:
    paths = _slots(segment, context.layout)
    if paths is None:
        _finding(context, "T2-ROWSET", "warning",
                 f"表二「{segment.label_text}」行不属于{context.layout.format}年格式，未计入",
                 f"table 2 row {segment.key} is not part of the {context.layout.format} format; ignored",
                 line=segment.label_line)
        return
    tokens = segment.tokens
    if segment.exact and segment.table in (3, 4) and segment.lines and len(segment.lines[0]) >= len(
            paths) and segment.lines[0][0].line == segment.label_line:
        tokens = segment.lines[0]  # a grid row holds its own values; later lines cannot shift them
    if segment.table == 2 and segment.exact is False:
        tokens = _trim_trailing_empties(tokens, len(paths))
    if segment.exact and len(tokens) > len(paths):
        # a grid: table 2's values follow its label; tables 3 and 4 end in their value columns
        tokens = tokens[:len(paths)] if segment.table == 2 else tokens[-len(paths):]
    if segment.table in (3, 4):
        if _plain_counts(tokens, len(paths)):
            # the common case: exactly one plain count per cell, nothing to weigh
            for path, token in zip(paths, tokens, strict=True):
                context.cells[path] = CellValue(token.value, "read", raw=token.raw, line=token.line,
                                                locator=token.cell.locator())
            return
        tokens = _counts_unsigned(tokens)
    groups = {3: [7], 4: [5, 5, 5]}.get(segment.table)  # parts then their total
    alignment = align(tokens, len(paths), _row_check(segment), exact=segment.exact, groups=groups,
                      delimited=segment.delimited)
    for path, entry, decided in zip(paths, alignment.entries, alignment.decided, strict=True):
        if not decided or entry is None:
            continue
        context.cells[path] = _cell_value(path, entry, alignment, context)
    undecided = [p for p, d in zip(paths, alignment.decided, strict=True) if not d]
    if undecided:
        printed = [t.value for t in tokens if t.kind == "num"]
        readings = [tuple(map(entry_value, c)) for c in alignment.found or []]
        context.unplaced.append((paths, printed if not alignment.split else [], readings))
        finding = _undecided_finding(segment, paths, alignment, undecided, context)
        if alignment.found and len(alignment.found) <= 5000:
            context.pending.append(_Pending(segment, paths, alignment, finding))
    elif not tokens or all(t.kind == "empty" for t in tokens):
        # the row is printed with no values at all: its cells are blank, not lost
        for path in paths:
            context.cells[path] = CellValue(None, "blank", line=segment.label_line)


def _plain_counts(tokens: list[Token], slots: int) -> bool:
    """Exactly ``slots`` counts, each a plain unglued number (no unit, note, sign or leading 0)."""
    return len(tokens) == slots and all(
        t.kind == "num" and not t.glued and t.unit is None and t.note is None and t.raw.isdigit()
        and (len(t.raw) == 1 or t.raw[0] != "0") for t in tokens)


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


def _trim_trailing_empties(tokens: list[Token], slots: int) -> list[Token]:
    """Table 2 rows pad single-value rows with empty cells (``行政许可 | 31 | | |``)."""
    while len(tokens) > slots and tokens and tokens[-1].kind == "empty":
        tokens = tokens[:-1]
    return tokens


def _cell_value(path: str, entry, alignment: Alignment, context: _Context) -> CellValue:
    token: Token = entry.token if isinstance(entry, Part) else entry
    if not isinstance(entry, Part) and token.kind != "num":
        return CellValue(None, "blank", raw=token.raw or None, line=token.line,
                         locator=token.cell.locator())
    value = entry_value(entry)
    raw = entry.text if isinstance(entry, Part) else token.raw
    notes = []
    if isinstance(entry, Part):
        notes.append(f"cut from the run-together digits {token.raw!r}"
                     + (" (the only cut the row's arithmetic allows)" if alignment.candidates == 1
                        else " (all readings the arithmetic allows agree on it)"))
    elif alignment.candidates > 1:
        notes.append(f"position certain: all {alignment.candidates} readings of the row agree")
    if token.note:
        notes.append(f"the cell also prints {token.note!r}")
        _finding(context, "P-NOTE", "info",
                 f"{TEMPLATE.cell_label(path)}：单元格含说明「{token.raw}」，取数值 {value}",
                 f"{path}: the cell carries a note {token.raw!r}; the value {value} was taken",
                 cells=[path], line=token.line)
    if TEMPLATE.cell_kind(path) == "amount" and value is not None:
        value = _amount(path, token, value, notes, context)
    return CellValue(value, "read", raw=raw, line=token.line, locator=token.cell.locator(),
                     note="; ".join(notes) or None)


def _amount(path: str, token: Token, value: float, notes: list[str], context: _Context) -> float:
    """Money in 万元: 元 divided by 10000; a bare procurement amount has no unit to go by."""
    if token.unit == "元":
        notes.append("printed in 元, converted to 万元")
        return round(value / 10000, 6)
    if token.unit is None and path.startswith("active_disclosure.procurement"):
        notes.append("no unit printed: taken as 万元")
        _finding(context, "P-UNIT", "warning",
                 f"{TEMPLATE.cell_label(path)}：金额 {token.raw} 未注明单位，按万元计，请核实",
                 f"{path}: amount {token.raw} has no unit; taken as 万元 — please verify",
                 cells=[path], line=token.line)
    return value


def _undecided_finding(segment: Segment, paths: list[str], alignment: Alignment,
                       undecided: list[str], context: _Context) -> Finding:
    row = _row_name(segment)
    printed = " ".join(t.raw or "□" for t in segment.tokens if t.kind != "empty") or "（无）"
    names = "、".join(_column_name(p) for p in undecided)
    if alignment.split:
        _finding(context, "P-SPLIT", "warning",
                 f"{row}：数字连写为「{printed}」，按勾稽关系有 {alignment.candidates} 种拆分方式，"
                 f"无法确定 {names} 的值（未取值）",
                 f"{segment.key}: digits run together ({printed}); {alignment.candidates} splits fit "
                 f"the arithmetic, so {len(undecided)} cells are left undecided",
                 cells=undecided, line=segment.label_line)
    else:
        count = sum(1 for t in segment.tokens if t.kind != "empty")
        _finding(context, "P-ALIGN", "warning",
                 f"{row}：应有 {len(paths)} 个数，实印 {count} 个（{printed}），无法确定 {names} "
                 f"各自对应的数（未取值）",
                 f"{segment.key}: {len(paths)} cells but {count} values printed ({printed}); "
                 f"{len(undecided)} cells cannot be placed with certainty",
                 cells=undecided, line=segment.label_line)
    return context.findings[-1]


def _row_name(segment: Segment) -> str:
    if segment.table == 4:
        return "表四"
    table = "applications" if segment.table == 3 else "active_disclosure"
    number = "表三" if segment.table == 3 else "表二"
    return f"{number}「{TEMPLATE.row_label(f'{table}.{segment.key}')}」行"


def _column_name(path: str) -> str:
    table, row, column = path.split(".")
    if table == "review_litigation":
        return f"{TEMPLATE.row_label(f'{table}.{row}')}·{TEMPLATE.column_label(table, column)}"
    return f"「{TEMPLATE.column_label(table, column) if table != 'active_disclosure' else column}」"


def _duplicate(context: _Context, first: Segment, second: Segment) -> None:
    a = [t.raw for t in first.tokens if t.kind != "empty"]
    b = [t.raw for t in second.tokens if t.kind != "empty"]
    if a != b:
        _finding(context, "P-DUPLICATE", "warning",
                 f"{_row_name(first)}印了两次且数值不同（第{first.label_line}行与第{second.label_line}行），"
                 f"取第一次",
                 f"{first.key} is printed twice with different values (lines {first.label_line} and "
                 f"{second.label_line}); the first is used", line=second.label_line)


# ---------------------------------------------------------------------- layouts needing the whole table
def _with_values_redistributed(segments: list[Segment]) -> list[Segment]:
    """Labels detached from their values (a block of k labels, then a block of k value rows, as
    PDF-to-markdown conversions make): give the i-th value row to the i-th label. When the
    counts differ, which row is whose cannot be known: the rows are placed nowhere."""
    result = list(segments)
    assigned: set[int] = set()  # rows given a value row already (perhaps an all-blank one)
    for index, segment in enumerate(result):
        lines = [line for line in segment.lines if line[0].line != segment.label_line]
        if segment.table != 3 or len(lines) < 2:
            continue
        if any(sum(1 for t in line if t.kind != "empty") < 2 and len(line) < 2 for line in lines):
            continue  # one value per line is a one-cell-per-line layout, not detached rows
        run = []
        j = index - 1
        while j >= 0 and result[j].table == 3 and not result[j].filled and id(result[j]) not in assigned:
            if not result[j].maybe_group:  # the （六） group label takes no values of its own
                run.insert(0, result[j])
            j -= 1
        if len(run) != len(lines) - 1:
            if run:
                segment.lines = []  # k bare labels, m ≠ k + 1 value rows: no pairing is certain
                segment.detached_mismatch = (len(run) + 1, len(lines))
                assigned.update(id(owner) for owner in [*run, segment])
            continue
        for owner, line in zip([*run, segment], lines, strict=True):
            owner.lines = [line]
            assigned.add(id(owner))
    return result


def _fill_table4_from_orphans(seg: Segmentation, segments: list[Segment], context: _Context) -> None:
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
        if len(values) in (15, 16) or (len(tokens) == 15 and values):
            tokens = values if len(values) in (15, 16) else tokens
            segment = Segment(4, "data", line, lines=[tokens])
            segments.append(segment)
            for token in tokens:
                seg.orphans.remove(token)
            _finding(context, "P-TABLE4", "info",
                     f"表四表头无法识别，第{line}行的 {len(tokens)} 个数按位置视为表四数据",
                     f"table 4's header is unreadable; the {len(tokens)} values on line {line} are "
                     "taken as table 4 by position", line=line)
            return


def _report_orphans(seg: Segmentation, context: _Context) -> None:
    values = [t for t in seg.orphans if t.kind == "num"]
    if not values:
        return
    seg.orphans = values
    lines = sorted({t.line for t in values})
    shown = " ".join(t.raw for t in values[:20]) + (" …" if len(values) > 20 else "")
    _finding(context, "P-ORPHAN", "warning",
             f"表格区域内有 {len(values)} 个数无法对应到任何单元格（第{'、'.join(map(str, lines[:8]))}行："
             f"{shown}），未采用",
             f"{len(values)} numbers inside the tables belong to no cell (lines "
             f"{', '.join(map(str, lines[:8]))}: {shown}); not used", line=lines[0])


def _contradicts_printed(trial: dict[str, CellValue], context: _Context) -> set[str]:
    """Inferred cells a row's printed values rule out. A row that printed k values for n cells
    has those k values in some n-slot placement, so its cells' values must be the printed ones
    (as a multiset) plus at most n - k others."""
    contradicted: set[str] = set()
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


def _note_forced(context: _Context) -> None:
    """An undecided row whose cells the arithmetic then forced is only worth a remark."""
    for finding in context.findings:
        if finding.rule in ("P-ALIGN", "P-SPLIT") and finding.cells and all(
                context.cells[p].status == "inferred" for p in finding.cells):
            finding.severity = "info"
            finding.message += "；这些单元格均已由勾稽关系推算得出"
            finding.message_en += "; the arithmetic forces all of them"


def _settle_by_arithmetic(context: _Context) -> None:
    """Drop readings of ambiguous rows that contradict equations whose other terms are read.

    A row of run-together digits (or with a lost cell) may fit its own row sum in several ways;
    the column equations (T3-TOTAL, T3-BALANCE, T3-ROWSUM, T4-GROUPSUM) over the other rows'
    printed values usually leave one. Cells become certain only when all survivors agree.
    """
    system = equations(context.layout)
    involving: dict[str, list] = {}
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
                    cell = _cell_value(path, entry, alignment, context)
                    cell.note = "; ".join(filter(None, [cell.note, "reading settled by the column "
                                                        f"arithmetic ({', '.join(rules)})"]))
                    context.cells[path] = cell
            pending.alignment = alignment
            undecided = [p for p, d in zip(pending.paths, alignment.decided, strict=True) if not d]
            if not undecided:
                context.findings.remove(pending.finding)
                context.pending.remove(pending)
                _finding(context, "P-SETTLED", "info",
                         f"{_row_name(pending.segment)}：数字排列有多种读法，依表内勾稽关系"
                         f"（{'、'.join(rules)}）唯一确定",
                         f"{pending.segment.key}: several readings of the printed digits; the table's "
                         f"arithmetic ({', '.join(rules)}) leaves exactly one",
                         cells=pending.paths, line=pending.segment.label_line)
            else:
                pending.finding.cells = undecided


def _settle_by_narrative(context: _Context, meta) -> None:
    """A sentence that states exactly one cell of an ambiguous row (「共收到政府信息公开申请71件」)
    drops the readings that contradict it. The cell's note quotes the sentence."""
    from ..check.narrative import narrative_facts, settle_value

    probe = Report(agency=meta.agency, year=meta.year, template=context.layout.format, cells={},
                   sections=meta.sections, section_lines=meta.section_lines)
    facts = narrative_facts(probe)
    if not facts:
        return
    for pending in list(context.pending):
        found = pending.alignment.found or []
        survivors = found
        used = []
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
                cell = _cell_value(path, entry, alignment, context)
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
            _finding(context, "P-SETTLED", "info",
                     f"{_row_name(pending.segment)}：数字排列有多种读法，依正文{where}「{quote}」唯一确定",
                     f"{pending.segment.key}: several readings of the printed digits; the narrative "
                     f"(line {used[0].line}) leaves exactly one", cells=pending.paths,
                     line=pending.segment.label_line)


def _consistent(candidate: Candidate, paths: list[str], cells: dict[str, CellValue],
                involving: dict[str, list]) -> bool:
    """Could every equation touching the row hold with this reading and the read cells?"""
    trial = dict(zip(paths, map(entry_value, candidate), strict=True))
    for equation in {id(e): e for p in paths for e in involving.get(p, ())}.values():
        sides = []
        for side in (equation.left, equation.right):
            total, open_ = 0, False
            for path in side:
                value = trial[path] if path in trial else (
                    cells[path].value if cells[path].status == "read" else None)
                if value is None:
                    open_ = True
                else:
                    total += value
            sides.append((total, open_))
        if not _sides_possible(*sides):
            return False
    return True


def _sides_possible(left: tuple, right: tuple) -> bool:
    """sum(left) == sum(right) over non-negative terms, given (known sum, any unknown?)."""
    (known_left, open_left), (known_right, open_right) = left, right
    if not open_left and not open_right:
        return known_left == known_right
    if not open_left:
        return known_right <= known_left
    if not open_right:
        return known_left <= known_right
    return True


def _finding(context: _Context, rule: str, severity: str, zh: str, en: str, *,
             cells: list[str] | None = None, line: int | None = None) -> None:
    context.findings.append(Finding(rule=rule, severity=severity, message=zh, message_en=en,  # type: ignore[arg-type]
                                    cells=cells or [], line=line))
