"""Finding the template's tables in a document and placing every printed number in its cell.

Stages, each inspectable on its own:

1. :mod:`.lexer` — cell text → tokens (numbers, blanks, labels, headings, prose);
2. :mod:`.segment` — tokens → segments: the values printed for each template row;
3. :mod:`.align` — a segment → cell values, only where every reading consistent with the
   template's arithmetic agrees;
4. :mod:`.infer` — cells the arithmetic forces (F-ZERO, F-SOLVE);
5. :mod:`.meta` — agency, year, title, sections;

and, between them, :mod:`.place` (values into cells), :mod:`.regroup` (layouts that need the
whole table), :mod:`.settle` (ambiguous rows settled by arithmetic or the narrative), sharing
the per-document state of :mod:`.context`.
"""

from __future__ import annotations

from ..document import Document
from ..report import CellValue, Report
from ..template import EDITIONS, TEMPLATE, TableShape
from .align import runs_together
from .bounds import settle_by_bounds, settle_by_search
from .context import Context, add_finding, merge_short_rows, row_name
from .infer import infer
from .meta import read_meta
from .place import OTHER_ITEMS, cell_count, duplicate_finding, place, row_keys
from .reflow import reflow
from .regroup import (
    doubt_detached_rows,
    doubt_disordered_rows,
    doubt_rows_beside_wrapped_pieces,
    doubt_rows_out_of_order,
    doubt_table4_among_its_header,
    doubt_table4_beside_wrapped_pieces,
    empty_cells_from_blank_lines,
    note_rows_among_orphans,
    pair_detached_values,
    pair_values_printed_above,
    rejoin_centred_rows,
    rejoin_rows_split_by_a_page,
    rejoin_trailing_pieces,
    rejoin_wrapped_rows,
    report_orphans,
    table4_from_orphans,
)
from .segment import Segment, Segmentation, Segmenter, slots_hint
from .settle import (
    contradicts_printed,
    doubt_choices_in_broken_tables,
    note_forced,
    settle_by_arithmetic,
    settle_by_narrative,
    settle_jointly,
)

__all__ = ["extract", "segment_document"]


def segment_document(document: Document) -> Segmentation:
    return Segmenter().run(document)


def extract(document: Document) -> Report:
    """The report in a document: every template cell with its status, plus parse findings."""
    # lines that print something: in a text file, the others are blank lines (empty cells, maybe)
    content_lines = {cell.line for row in document.rows for cell in row.cells} if (
        document.media_type == "text/plain") else None
    document = reflow(document)
    seg = segment_document(document)
    if content_lines is not None:
        empty_cells_from_blank_lines(seg, content_lines)
    # no table seen is no refusal yet: a report whose tables a conversion lost is still one, and
    # gongkai.pipeline decides from the evidence (title, agency, year, values) whether it is a report
    meta = read_meta(document)
    sub_rows = any(s.key in OTHER_ITEMS for s in seg.segments)
    for segment in seg.segments:
        if segment.maybe_group:
            # （六）其他处理 is the group label of rows 1-3 when they are printed, else the row itself
            segment.maybe_group = sub_rows
    rejoin_wrapped_rows(seg)
    rejoin_centred_rows(seg)
    rejoin_rows_split_by_a_page(seg)
    rejoin_trailing_pieces(seg, {row.line: row.text for row in document.rows} if seg.orphans else None)
    pair_values_printed_above(seg)
    segments = pair_detached_values(seg.segments)
    shape = _decide_shape(seg, segments, meta.year)
    cells = {path: CellValue(None, "missing") for path in TEMPLATE.cell_paths(shape)}
    context = Context(shape, cells, [])
    table4_from_orphans(seg, segments, context)
    # (table 2 too: 「规章0规范性文件021」 prints one digit for three cells, and 021 is 0, blank, 21)
    context.blanks_vanish = any(s.table in (2, 3) and not s.exact and 0 < _digits(s) < cell_count(s, shape)
                                for s in segments)
    context.runs_together = any(s.table in (3, 4) and not s.exact and any(map(runs_together, s.tokens))
                                for s in segments)
    context.wraps = any(s.table == 3 and not s.exact and sum(t.kind == "num" for t in s.tokens)
                        > slots_hint(s) for s in segments)
    seen: dict[tuple[int, str], Segment] = {}
    placed: list[Segment] = []
    for segment in segments:
        if segment.maybe_group:
            continue  # （六）其他处理 as the group label of the 2021 rows
        if segment.detached_mismatch:
            labels, rows = segment.detached_mismatch
            add_finding(context, "P-ALIGN", "detached_mismatch", line=segment.label_line,
                        row=row_name(segment), key=segment.key, labels=labels, rows=rows)
        if segment.table == 3 and segment.key not in row_keys(shape):
            add_finding(context, "T3-ROWSET", "other_edition", line=segment.label_line, key=segment.key,
                        label=TEMPLATE.row_label("applications." + segment.key), edition=shape.edition)
            continue
        key = (segment.table, segment.key)
        if key in seen:
            if segment.filled and seen[key].filled:
                duplicate_finding(context, seen[key], segment)
            if not segment.filled or seen[key].filled:
                continue
        seen[key] = segment
        place(segment, context)
        placed.append(segment)
    report_orphans(seg, context)
    doubt_disordered_rows(seg, placed, context)
    doubt_table4_among_its_header(seg, placed, context)
    doubt_rows_beside_wrapped_pieces(seg, placed, context)
    doubt_table4_beside_wrapped_pieces(placed, context)
    doubt_detached_rows(seg, placed, context)
    doubt_rows_out_of_order(placed, context)
    note_rows_among_orphans(seg, placed, context)
    settle_by_arithmetic(context)
    if context.pending:
        settle_by_narrative(context, meta)
        settle_by_arithmetic(context)
    if context.pending:
        settle_jointly(context)
        settle_by_arithmetic(context)
    if context.pending:
        settle_by_bounds(context)
        settle_by_arithmetic(context)
    if context.pending:
        settle_by_search(context)
        settle_by_arithmetic(context)
    doubt_choices_in_broken_tables(context)
    infer(cells, shape, lambda trial: contradicts_printed(trial, context))
    merge_short_rows(context)
    note_forced(context)
    return Report(
        agency=meta.agency,
        year=meta.year,
        template=shape.edition,
        hybrid=shape.hybrid,
        cells=cells,
        findings=context.findings,
        title=meta.title,
        source=document.name,
        media_type=document.media_type,
        sections=meta.sections,
        section_lines=meta.section_lines,
        published=meta.published,
    )


def _digits(segment: Segment) -> int:
    """How many digits a row prints (「0000」: four, whatever cells they are)."""
    return sum(len(t.raw) for t in segment.tokens if t.kind == "num" and t.raw.isdigit())


# ---------------------------------------------------------------------- format
def _decide_shape(seg: Segmentation, segments: list[Segment], year: int | None) -> TableShape:
    """Template from the tables printed (template.md §1.4): table 2's labels first, then
    table 3's （六） rows; the year only when nothing printed tells."""
    votes = seg.format_votes
    t2 = {edition: votes[edition] for edition in EDITIONS}
    has_other_row = any(s.key == "other" and not s.maybe_group for s in segments)
    has_2021_rows = votes[("t3", "2021")] > 0
    if t2["2021"] > t2["2019"]:
        edition = "2021"
    elif t2["2019"] > t2["2021"] or (has_other_row and not has_2021_rows):
        edition = "2019"
    elif has_2021_rows:
        edition = "2021"
    else:
        edition = "2021" if (year or 2021) >= 2021 else "2019"
    hybrid = edition == "2021" and has_other_row and not has_2021_rows
    return TableShape(edition, hybrid)  # type: ignore[arg-type]


