"""Tokens → row segments: which printed values belong to which row of the template.

The walk is anchored on labels, not on columns or line positions, because conversions move
columns and lines around but keep labels. A row label opens a segment; the values after it —
on its own line, or on the lines that follow when its line has none (one cell per line, labels
and values on different lines) — belong to it until the next row label, a section heading, or
prose. Values that no row can take are kept as orphans, never dropped silently.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..document import Document, Row
from .labels import LabelDef, LabelHit, section_heading
from .lexer import Token, lex_cell

_SECTION_TABLE = {"active_disclosure": 2, "applications": 3, "review_litigation": 4}
_T2_KINDS = ("caption", "t2_header", "t2_column", "t2_row")
_T3_AFTER_OTHER_GROUP = ("other_no_correction", "other_unpaid_fee")


@dataclass
class Segment:
    """The values printed for one template row (table 4: its single data row, key ``data``)."""

    table: int
    key: str
    label_line: int
    lines: list[list[Token]] = field(default_factory=list)  # value tokens, grouped per source line
    exact: bool = False  # from a real grid: positions are trustworthy
    delimited: bool = False  # every cell, empty ones too, stands between two pipes
    maybe_group: bool = False  # （六）其他处理: a 2019 row if it carries values, else a group label
    truncated: bool = False
    label_text: str = ""
    detached_mismatch: tuple[int, int] | None = None  # (labels, value rows) that do not pair

    @property
    def tokens(self) -> list[Token]:
        return [t for line in self.lines for t in line]

    @property
    def filled(self) -> int:
        return sum(1 for t in self.tokens if t.kind != "empty")

    def add(self, token: Token) -> None:
        if self.lines and self.lines[-1] and self.lines[-1][-1].line == token.line and (
            self.lines[-1][-1].cell.row == token.cell.row
        ):
            self.lines[-1].append(token)
        else:
            self.lines.append([token])


@dataclass
class Segmentation:
    segments: list[Segment]
    orphans: list[Token]
    sections: dict[str, int]  # section key → line of its heading
    format_votes: Counter
    tables_seen: set[int]
    table4_header_line: int | None


def slots_hint(segment: Segment) -> int:
    """How many values a row takes, before the format is known (max over formats)."""
    if segment.table == 3:
        return 7
    if segment.table == 4:
        return 15
    return 3


class Segmenter:
    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.orphans: list[Token] = []
        self.sections: dict[str, int] = {}
        self.votes: Counter = Counter()
        self.tables_seen: set[int] = set()
        self.table: int | None = None
        self.open: Segment | None = None
        self.open_on_line: int = -1  # the line the open segment's label was on
        self.group: str | None = None
        self.t4_header_line: int | None = None
        self.header_line = False
        self.delimited_tables: set[int] = set()

    # ------------------------------------------------------------------ driving
    def run(self, document: Document) -> Segmentation:
        exact_tables = {t.index for t in document.tables if t.exact or t.regular}
        self.delimited_tables = {t.index for t in document.tables if t.markup in ("markdown", "pipes")}
        for row in document.rows:
            self.feed(row, row.table in exact_tables)
        self.close()
        return Segmentation(self.segments, self.orphans, self.sections, self.votes, self.tables_seen,
                            self.t4_header_line)

    def feed(self, row: Row, exact: bool) -> None:
        if (row.table is None and len(row.cells) == 1 and "。" in row.cells[0].text
                and section_heading(row.cells[0].text) is None):
            # a paragraph with a full stop is prose: its words (「结果维持72件」) and numbers
            # are the narrative's, which the checker compares with the tables separately
            self.close()
            return
        tokens: list[Token] = []
        for cell in row.cells:
            if not cell.merged:
                tokens.extend(lex_cell(cell))
        if not tokens:
            return
        line = tokens[0].line
        kinds = {t.kind for t in tokens}
        if kinds == {"empty"}:
            # a row of empty cells: table 4's blank data row while it waits for one, a blank row
            # among value rows under detached labels, else nothing
            segment = self.open
            if segment is not None and ((segment.table == 4 and not segment.lines) or (
                    segment.table == 3 and self._below(segment)
                    and len(tokens) == len(segment.lines[-1])) or (  # as wide as the value rows
                    segment.table == 3 and not segment.filled and self._waiting(segment)
                    and len(tokens) >= 2 and line != segment.label_line)):
                for token in tokens:
                    segment.add(token)
            return
        if "heading" in kinds:
            heading = next(t for t in tokens if t.kind == "heading")
            self.close()
            self.sections.setdefault(heading.section, line)
            self.table = _SECTION_TABLE.get(heading.section)
            return
        # on a line of column names (自然人 商业企业 …), 其他 and 总计 are column names too
        self.header_line = "labels" in kinds and sum(
            1 for t in tokens if t.kind == "labels" and len(t.hits) == 1
            and t.hits[0].label.kind == "t3_header" and not t.hits[0].label.ambiguous) >= 2
        # a line that continues the open row must carry values only (and perhaps empty cells)
        if self.open is not None and self.open_on_line != line and not self._accepts_line(tokens):
            self._close_if_filled()
        has_words = "labels" in kinds or "text" in kinds
        for token in tokens:
            if token.kind == "labels":
                self._labels(token, exact)
            elif token.kind == "empty" and has_words and self.open is not None and (
                    self.open.table == 4 or self.open_on_line != line):
                continue  # empty cells of a header line (even a garbled one) hold no data
            elif token.is_value:
                self._value(token)
            elif token.narrative or token.marked:
                self.close()

    # ------------------------------------------------------------------ labels
    def _labels(self, token: Token, exact: bool) -> None:
        hits = token.hits
        i = 0
        while i < len(hits):
            start = hits[i].start
            group = [h for h in hits[i:] if h.start == start]
            i += len(group)
            formats = {f for h in group if h.label.kind in _T2_KINDS for f in h.label.formats}
            if len(formats) == 1:
                # a table-2 label only one format prints decides the format (template.md §1.4)
                self.votes[formats.pop()] += 1
            self._anchor(_choose(group, self), token, exact)

    def _anchor(self, hit: LabelHit | None, token: Token, exact: bool) -> None:
        if hit is None:
            return
        label: LabelDef = hit.label
        kind = label.kind
        if kind == "marker":
            return
        if kind in ("caption", "t2_header", "t2_column", "t2_row"):
            self._enter(2)
            if label.kind != "t2_row":
                self._close_if_filled()
                return
            self._open(Segment(2, label.key, token.line, exact=exact, label_text=token.raw), token)
            return
        if kind in ("t3_note", "t3_header"):
            self._enter(3)
            self._close_if_filled()
            return
        if kind == "t3_group":
            self._enter(3)
            self.group = label.key
            return
        if kind == "t3_row":
            self._enter(3)
            segment = Segment(3, label.key, token.line, exact=exact, truncated=hit.truncated,
                              label_text=token.raw, maybe_group=label.key == "other")
            if label.key in ("other_no_correction", "other_unpaid_fee", "other_other"):
                self.votes[("t3", "2021")] += 1
            self._open(segment, token)
            return
        if kind == "t4_header":
            self._enter(4)
            if self.t4_header_line is None:
                self.t4_header_line = token.line
            if self.open is None or self.open.table != 4:
                self._open(Segment(4, "data", token.line, exact=exact), token)
            return

    def _enter(self, table: int) -> None:
        if self.table != table:
            self.close()
            self.group = None
        self.table = table
        self.tables_seen.add(table)

    def _open(self, segment: Segment, token: Token) -> None:
        self.close()
        segment.delimited = token.cell.table in self.delimited_tables
        self.open = segment
        self.open_on_line = token.line

    def close(self) -> None:
        if self.open is not None:
            self.segments.append(self.open)
            self.open = None

    def _close_if_filled(self) -> None:
        """Headers and captions end a row that has values; a row still waiting for its values
        (labels detached from values) stays open across them."""
        if self.open is not None and self.open.filled:
            self.close()

    # ------------------------------------------------------------------ values
    def _accepts_line(self, tokens: list[Token]) -> bool:
        """May the open row take this following line? Only value lines, and only while the row
        is short of values (a row whose own line was full is done)."""
        segment = self.open
        assert segment is not None
        if any(t.kind in ("labels", "text") for t in tokens):
            return True  # the labels decide; prose closes in feed()
        if segment.table == 4 or segment.filled == 0:
            return True
        incoming = sum(1 for t in tokens if t.kind != "empty")
        if segment.filled + incoming <= slots_hint(segment):
            return True
        # labels detached from values: rows of values under the last of several bare labels are
        # collected here, and handed to those labels once the block ends (see extract)
        below = self._below(segment)
        return bool(below and self._waiting(segment) and len(tokens) >= 2)  # a row of cells

    def _waiting(self, segment: Segment) -> bool:
        """Is the row the last of several bare labels (their values come after it)?"""
        return bool(self.segments) and self.segments[-1].table == segment.table and (
            not self.segments[-1].filled)

    @staticmethod
    def _below(segment: Segment) -> bool:
        """Are the row's values on lines below its label (labels detached from values)?"""
        first = next((line for line in segment.lines if line[0].line != segment.label_line
                      or any(t.kind != "empty" for t in line)), None)
        return first is not None and first[0].line != segment.label_line

    def _value(self, token: Token) -> None:
        if self.open is not None:
            self.open.add(token)
        elif self.table is not None:
            self.orphans.append(token)  # empty cells too: a table-4 row found later needs them


def _choose(hits: list[LabelHit], state: Segmenter) -> LabelHit | None:
    """One meaning for a label that several places share (其他, 总计, 其他处理, 规章 …)."""
    kinds = {h.label.kind: h for h in hits}
    in_table4 = state.table == 4 or (state.open is not None and state.open.table == 4)
    if in_table4 and "t4_header" not in kinds and all(
            h.label.kind == "t3_header" or h.label.ambiguous for h in hits):
        return None  # 其他 / 总计 inside table 4's header are fragments of its header cells
    if len(hits) == 1:
        return hits[0]
    last = state.open.key if state.open is not None and state.open.table == 3 else (
        state.segments[-1].key if state.segments and state.segments[-1].table == 3 else None)
    row = kinds.get("t3_row")
    if row is not None and row.label.ambiguous and state.header_line and "t3_header" in kinds:
        return kinds["t3_header"]
    if row is not None and row.label.key == "other_other":
        # 「3.其他」: a row under (六); a bare 「其他」 in a header is the applicant column
        if state.group == "other_handling" or last in _T3_AFTER_OTHER_GROUP:
            return row
        return kinds.get("t3_header")
    if row is not None and row.label.key == "total":
        if state.table == 4 or (state.open is not None and state.open.table == 4):
            return kinds.get("t4_header")
        if last is not None and last not in ("new_received", "carried_over"):
            return row
        return kinds.get("t3_header") or kinds.get("t4_header")
    if row is not None and row.label.key == "other":
        return row  # decided later: values make it the 2019 row, none make it the group label
    if "t2_row" in kinds or "t2_column" in kinds or "caption" in kinds:
        return hits[0]  # same key in both formats; the format is decided by other labels
    return hits[0]
