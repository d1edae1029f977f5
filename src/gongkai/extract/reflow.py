"""Flattened text → rows again: the line breaks a crawler or converter threw away, put back at
the template's labels.

Crawlers save a page's text with its tables flattened, often the whole report on one line and the
cells of a row run together (``…一、本年新收政府信息公开申请数量210000021二、上年结转…``), the
last value glued to the next paragraph (``…继续办理20000022025年，我局…``). Line breaks and
cell separators are not evidence there; the template's labels are. This stage cuts such a
paragraph before every row label that the labels around it confirm (a run of text counts as
labels only when labels cover it, :meth:`LabelIndex.segment`), before every section heading,
and before prose, so that the later stages see one row per line, as in a clean conversion:

- an item number glued to the previous row's digits goes with its item (``…00000002.其他…``);
- a unit or note glued to a value stays with it (``1.5万元``);
- a year that starts the next paragraph leaves the last row (``…2000002`` | ``2025年，…``);
- prose between tables, numbers and all, becomes one paragraph of its own, which the segmenter
  reads as narrative, never as values.

Paragraphs with fewer than two row labels are left as they are: a line of a clean layout never
needs cutting. Each new row keeps its source line; nothing is added to or dropped from the text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Final

from ..document import Cell, Document, Row
from .labels import (
    _HEADINGS,
    _SECTION_BODIES,
    INDEX,
    SKIPPED_CHARACTERS,
    LabelDef,
    LabelHit,
    normalize,
    section_heading,
)
from .lexer import BLANK_MARKERS, NOTE_PATTERN, UNIT_PATTERN, YEAR_END

# digits, decimals, and the spaces a crawler left between cells (「20 0 0 0 02」)
# (\d\d* for \d+, here and below: a pattern that starts with a repeat gives the engine no first
# character to look for, and it tries the whole pattern at every character of a paragraph)
_DIGIT_RUN: Final = re.compile(r"\d\d*(?:[.．]\d+)?(?:[ \t\u00a0\u3000]+\d+(?:[.．]\d+)?)*")
# a unit or a note printed right after a value belongs to it (the lexer reads both)
_UNIT_OR_NOTE: Final = re.compile(rf"[ \t\u00a0\u3000]*{UNIT_PATTERN}?(?:[ \t\u00a0\u3000]*{NOTE_PATTERN})?")
_ITEM_START: Final = re.compile(r"[ \t\u00a0\u3000]*[.．、][ \t\u00a0\u3000]*[\u4e00-\u9fff]")
_YEAR_NEXT: Final = re.compile(r"[ \t\u00a0\u3000]*年")
_KEPT: Final = re.compile(f"[^{SKIPPED_CHARACTERS}][^{SKIPPED_CHARACTERS}]*")  # what labels.normalize keeps
# the runs of digits with the character after each (DOTALL: a line break too), for counting them
# without a match object per run: the runs are the same as _DIGIT_RUN's (the character after a run
# is no digit, so taking it never takes the next run's first digit)
_DIGIT_RUN_AND_NEXT: Final = re.compile(_DIGIT_RUN.pattern + "(.?)", re.DOTALL)
_NUMBERED: Final = re.compile(r"([一二三四五六])[、.]")
_HEADING: Final = re.compile("|".join(re.escape(h) for h in sorted(_HEADINGS, key=len, reverse=True)))
# printed for blank cells (lexer.BLANK_MARKERS), an item number's point, a markdown pipe; not a
# comma: 「，无法提供」 is a sentence's
_MARKS: Final = re.compile(r"[—\-－/／\\无空–―.|]*")
_ROW_KINDS: Final = ("t2_row", "t3_row")
# what a label cut over lines may end in: a row's label, or a group's (「（」「四」「）」「无」「法」…)
_JOINED_KINDS: Final = (*_ROW_KINDS, "t3_group")
_TABLE_HEADS: Final = ("caption", "t2_header", "t3_note")
_SENTENCE_END: Final = tuple("。；;！!？?：:")
_CLOSING: Final = ")）]】”\"' "
# what a sentence's numbers count (a unit printed right after a table's value is rare)
_COUNTED: Final = frozenset("年月日时分件条个项次篇人家名位批期号场户元%％")
_MIN_FLAT: Final = 80  # shorter paragraphs are lines of a clean layout
_LONGEST_LABEL_RUN: Final = 400  # normalized characters of labels in a row (table 3's header is ~150)
_LABEL: Final = 1
_PROSE: Final = 0


def reflow(document: Document) -> Document:
    """The document with every flattened paragraph cut into rows at its labels, and item
    numbers a conversion put on lines of their own joined to their items (or the same document
    when there is nothing to mend)."""
    text_tables = {t.index for t in document.tables if t.markup is not None}
    rows: list[Row] = []
    changed = False
    for row in document.rows:
        pieces = None
        if row.table is None and len(row.cells) == 1:
            pieces = _cut(row.cells[0])
        elif row.table in text_tables and (len(row.cells) > _WIDEST_ROW or any(
                len(cell.text) >= _MIN_FLAT for cell in row.cells)):
            # a flattened page whose spaces a converter turned into tabs: its cells are no grid
            # (nor are more cells than any row of the form has, labels included)
            first = row.cells[0]
            joined = Cell(" ".join(cell.text for cell in row.cells), first.line, page=first.page)
            pieces = _cut(joined)
        if pieces is None:
            rows.append(row)
            continue
        changed = True
        rows.extend(Row([piece]) for piece in pieces)
    joined_items = _join_split_labels(_join_item_numbers(rows))
    if not changed and joined_items is rows:
        return document
    return Document(name=document.name, media_type=document.media_type, rows=joined_items,
                    tables=document.tables, encoding=document.encoding, pages=document.pages,
                    warnings=document.warnings)


_WIDEST_ROW: Final = 24  # cells: table 4's 15 values beside its labels, with room for empty ones
# (a lone item number 「\d」, a value with an item's number run into it 「[-－]?\d*\d\d」 and an item's
# point 「[.．、]」 are told by string methods: \d is str.isdecimal; a pattern call per row cost more)
_ITEM_POINTS: Final = (".", "．", "、")
_MINUS_SIGNS: Final = ("-", "－")


def _join_item_numbers(rows: list[Row]) -> list[Row]:
    """「2」「.」「其他法律行政法规禁止公开」 on lines of their own (a line break after every token):
    one row 「2.其他法律…」, so that the 2 is the item's number, not the row before's value."""
    result: list[Row] = []
    i = 0
    changed = False
    while i < len(rows):
        row = rows[i]
        parts = _item_parts(rows, i)
        if parts:
            texts = [rows[k].cells[0].text.strip() for k in range(i, i + parts)]
            result.append(Row([Cell("".join(texts), row.cells[0].line, page=row.cells[0].page)]))
            i += parts
            changed = True
            continue
        result.append(row)
        i += 1
    return result if changed else rows


def _paragraph(rows: list[Row], k: int) -> str | None:
    """The text of row ``k`` when it is a paragraph (None: a table row, or past the end)."""
    if k < len(rows) and rows[k].table is None and len(rows[k].cells) == 1:
        return rows[k].cells[0].text.strip()
    return None


def _item_parts(rows: list[Row], i: int) -> int:
    """How many rows from ``i`` make one item label cut apart (0: none): a lone digit, perhaps a
    lone point, then a row that starts with the point or with the item's words."""
    digit = _paragraph(rows, i)
    if digit is None:
        return 0
    if len(digit) == 2 and digit[0].isdecimal() and digit[1] in _ITEM_POINTS:
        # 「6.」「属于四类过程性信息」: the number in a font run of its own (LibreOffice's HTML),
        # a line break after each run; joined only into the item's own label
        words = _paragraph(rows, i + 1)
        return 2 if words and _CJK_START.match(words) and _item_marked(words, digit[0]) else 0
    if not digit[-1:].isdecimal():
        return 0  # (both patterns below end in \d, which is str.isdecimal: most rows end here)
    body = digit[1:] if digit[:1] in _MINUS_SIGNS else digit
    if len(body) >= 2 and body.isdecimal():
        # 「-001103」「.」「要求提供公开出版物」: the last digit is the item's number when the words
        # are that item's label (the lexer then cuts it from the value, as on one line)
        point = _paragraph(rows, i + 1)
        if point is None or point not in _ITEM_POINTS:
            return 0
        # the words may be cut a character or a word per line too (「属」「于」「四」「类」…,
        # 「危及」「“」「三安全一稳定」「”」): joined only into the item's own label
        label, end = "", i + 2
        while end < min(len(rows), i + 2 + _MAX_PIECES):
            piece = _paragraph(rows, end)
            if not piece or len(piece) > _SHORT_PIECE or _HAS_DIGIT.search(piece):
                break
            label += piece
            end += 1
            # (blank marks may follow the label on its line: 「重复申请无无无」)
            if _item_marked(_TRAILING_BLANKS.sub("", label), digit[-1]):
                return end - i
        return 0
    if len(digit) != 1:  # (a decimal, as its last character is)
        return 0
    after = _paragraph(rows, i + 1)
    if after is None:
        return 0
    if after in _ITEM_POINTS:
        words = _paragraph(rows, i + 2)
        return 3 if words and _CJK_START.match(words) else 0
    return 2 if after[:1] in _ITEM_POINTS and _CJK_START.match(after[1:].lstrip()) else 0


_TRAILING_BLANKS: Final = re.compile(r"[无/／—\-－]+$")


def _item_marked(words: str, marker: str) -> bool:
    """Do ``words`` start with the label of the table-3 item numbered ``marker``?"""
    hits = INDEX.segment(normalize(words)[:_LONGEST_LABEL_RUN]) or []
    return any(h.start == 0 and h.label.kind == "t3_row" and h.label.marker == marker for h in hits)


_SHORT_PIECE: Final = 16  # characters of a label piece a conversion put on a line of its own
_MAX_PIECES: Final = 14
_MIN_SHORT_ROWS: Final = 40


def _join_split_labels(rows: list[Row]) -> list[Row]:
    """A row label cut into lines of a few characters (a line break after every word:
    「（」「二」「）」「部分公开」「（」「区分处理的」「，」…): the lines joined into one row when
    together they are labels the template knows, ending in a row label, so that the values after
    them are that row's and not the row's before."""
    paragraphs = [r.cells[0].text for r in rows if r.table is None and len(r.cells) == 1]
    short = sum(1 for text in paragraphs if len(text.strip()) <= _SHORT_PIECE)
    if short < _MIN_SHORT_ROWS or short * 2 < len(paragraphs):
        return rows  # a text with a line break after every word or two is made of short lines
    pieces = [_short_piece(row) for row in rows]
    result: list[Row] = []
    i = 0
    changed = False
    while i < len(rows):
        # a join needs two short pieces in a row: most lines are values or whole labels
        end = _label_run_end(rows, i, pieces) if i + 1 < len(rows) and pieces[i] and pieces[i + 1] else i
        if end == i and i + 2 < len(rows) and _slash_in_word(pieces[i:i + 3]):
            end = i + 3  # 「增」「/」「减」: a header word's slash, no blank cell
        if end > i + 1:
            first = rows[i].cells[0]
            text = "".join(rows[k].cells[0].text.strip() for k in range(i, end))
            result.append(Row([Cell(text, first.line, page=first.page)]))
            i = end
            changed = True
            continue
        result.append(rows[i])
        i += 1
    return result if changed else rows


def _slash_in_word(pieces: list[str]) -> bool:
    """A slash between two characters of words cut one per line (「本年增/减」)?"""
    before, slash, after = pieces
    return slash in ("/", "／") and all(
        len(p) == 1 and "\u4e00" <= p <= "\u9fff" and p not in BLANK_MARKERS for p in (before, after))


def _short_piece(row: Row) -> str:
    """The text of a paragraph short enough to be a piece of a label cut over lines, no digits
    in it ("" otherwise)."""
    if row.table is not None or len(row.cells) != 1:
        return ""
    text = row.cells[0].text.strip()
    return text if len(text) <= _SHORT_PIECE and not _HAS_DIGIT.search(text) else ""


_HAS_DIGIT: Final = re.compile(r"\d")


def _label_run_end(rows: list[Row], i: int, pieces: list[str]) -> int:
    """Where a run of short lines from ``i`` that makes one row label ends (``i``: none)."""
    if pieces[i] in BLANK_MARKERS or pieces[i] in (")", "）") or _ends_in_row_label(pieces[i]):
        # a blank cell (「/」「—」「无」) or a note's closing bracket is no label's first piece; a
        # whole label needs none
        return i
    best = i
    for k in range(i + 1, min(len(rows), i + _MAX_PIECES)):
        text = pieces[k]
        if not text:
            break
        if normalize(text) in _ROW_LABEL_ENDS and _ends_in_row_label("".join(pieces[i:k + 1])):
            best = k + 1  # only a label's last words can end one
        elif k + 1 < len(rows) and not pieces[k + 1] and best == i and _ends_in_row_label(
                "".join(pieces[i:k + 1]), truncated=True):
            # a label the report itself cut short (「二、上年结转政府信」), its values next
            best = k + 1
    return best


@lru_cache(maxsize=8192)
def _ends_in_row_label(text: str, truncated: bool = False) -> bool:
    """Is the text labels the template knows, the last a whole row label (``truncated``: or a
    row label cut short)?"""
    hits = INDEX.segment(normalize(text))
    if not hits:
        return False
    last = hits[-1]
    return last.label.kind in _JOINED_KINDS and (truncated or not last.truncated)


def _row_label_ends() -> frozenset[str]:
    """Every ending of a row label's text (「情形)」, 「部分公开(区分处理的,…情形)」 …)."""
    ends: set[str] = set()
    for label in INDEX.defs:
        if label.kind in _JOINED_KINDS:
            ends.update(label.text[n:] for n in range(len(label.text)))
    return frozenset(ends)


_ROW_LABEL_ENDS: Final = _row_label_ends()


_CJK_START: Final = re.compile(r"[\u4e00-\u9fff“\"]")


def _cut(cell: Cell) -> list[Cell] | None:
    bounds = _cut_bounds(cell.text)
    if bounds is None:
        return None
    return [Cell(cell.text[start:end], cell.line, page=cell.page) for start, end in bounds]


def _cut_bounds(text: str) -> list[tuple[int, int]] | None:
    """Where a flattened paragraph is cut into rows: (start, end) of each piece, or None."""
    cuts: list[tuple[int, int, bool]] = []
    if len(text) >= _MIN_FLAT and _bare_runs(text) >= 2:
        cuts = cut_points(text)
    if not cuts or sum(1 for _, kind, row in cuts if kind == _LABEL and row) < 2:
        # no table in it; a section heading that runs on into its first paragraph still
        # stands apart (「五、存在的主要问题及改进情况（一）…」): it ends the table before it
        # (a heading's number needs 、 . or ．after it: most lines have none, and skip the pattern)
        if not _numbered(text) or section_heading(text) is not None:
            return None
        cuts = []
        for h_start, h_end in _headings_in(_Folded(text), 0, len(text)):
            cuts.extend(((h_start, _LABEL, False), (h_end, _PROSE, False)))
        if not cuts:
            return None
    pieces: list[tuple[int, int]] = []
    starts = [0] + [position for position, kind, _ in cuts if position > 0]
    kinds = [next((kind for position, kind, _ in cuts if position == 0), _PROSE)]
    kinds += [kind for position, kind, _ in cuts if position > 0]
    merged_starts: list[int] = []
    for position, kind, previous in zip(starts, kinds, [None, *kinds[:-1]], strict=True):
        if kind == _PROSE and previous == _PROSE:
            continue  # prose runs on, numbers and all, until the next label
        merged_starts.append(position)
    for start, end in zip(merged_starts, [*merged_starts[1:], len(text)], strict=True):
        if text[start:end].strip():
            pieces.append((start, end))
    return pieces


def _numbered(text: str) -> bool:
    """Does a heading's number stand in the text (一 … 六 with 、 . or ． after it)? Looked for from
    each point (as ``[一二三四五六][、.．]`` searched, which tried its class at every character of
    a long paragraph; most have no point at all)."""
    for point in ("、", ".", "．"):
        at = text.find(point, 1)
        while at != -1:
            if text[at - 1] in "一二三四五六":
                return True
            at = text.find(point, at + 1)
    return False


def _bare_runs(text: str) -> int:
    """Runs of digits with no unit after them, as rows of a table print them; a sentence counts
    things (「公开信息395条」「2023年」), a table row does not (a cheap look before cutting)."""
    count = 0
    for after in _DIGIT_RUN_AND_NEXT.findall(text):
        if after not in _COUNTED:
            count += 1
            if count >= 2:
                break
    return count


def cut_points(text: str) -> list[tuple[int, int, bool]]:
    """Where the rows of a flattened paragraph start: (position, label or prose, row label?),
    in order. Public so that ``explain`` and tests can show them."""
    cuts: dict[int, tuple[int, bool]] = {}
    folded = _Folded(text)
    previous_run: re.Match[str] | None = None
    position = 0
    for run in (*_DIGIT_RUN.finditer(text), None):
        end = run.start() if run is not None else len(text)
        if end > position:
            _cut_text(text, folded, position, end, previous_run, cuts)
        if run is None:
            break
        previous_run = run
        position = run.end()
    return [(p, kind, row) for p, (kind, row) in sorted(cuts.items())]


def _cut_text(text: str, folded: _Folded, start: int, end: int, run: re.Match[str] | None,
              cuts: dict[int, tuple[int, bool]]) -> None:
    """Cuts in the text between two runs of digits."""
    if run is not None:
        unit = _UNIT_OR_NOTE.match(text, start, end)
        if unit is not None and unit.end() > start:
            start = unit.end()  # 「1.5万元」: the unit stays with its value
            if start >= end:
                return
    headings = _headings_in(folded, start, end)
    bounds = [start]
    for h_start, h_end in headings:
        bounds.extend((h_start, h_end))
        cuts[h_start] = (_LABEL, False)
        cuts.setdefault(h_end, (_PROSE, False))
    bounds.append(end)
    for piece_start, piece_end in zip(bounds[0::2], bounds[1::2], strict=True):
        if piece_end > piece_start:
            _cut_piece(text, folded, piece_start, piece_end, run if piece_start == start else None,
                       cuts)


def _cut_piece(text: str, folded: _Folded, start: int, end: int, run: re.Match[str] | None,
               cuts: dict[int, tuple[int, bool]]) -> None:
    norm, where = folded.slice(start, end)
    marks = _MARKS.match(norm).end()  # type: ignore[union-attr]  # (it matches the empty string)
    if marks == len(norm):
        return  # blank cells (「223——5131」) and punctuation: still the row's material
    printed_start = start
    if marks:
        norm, where, start = norm[marks:], where[marks:], where[marks]
    found = _covered_suffix(norm)
    if found is not None and found[0] > 0 and not _opens_table(norm[: found[0]], found[1]):
        found = None  # 「…其中公开答复1件，无法提供1件」: table words inside a sentence
    label_start = where[found[0]] if found is not None else end
    if label_start > start:
        # uncovered text first: prose (or a label we cannot read) — it starts a row of its own
        cut = start
        if run is not None:
            glued = _glued_start(text, printed_start, run)
            cut = glued if glued != printed_start else start
        cuts.setdefault(cut, (_PROSE, False))
    if found is None:
        return
    first, hits = found
    cut = label_start
    if label_start == start and run is not None:
        glued = _glued_start(text, printed_start, run, hits[0].label)
        cut = glued if glued != printed_start else start
    lead = hits[0].start
    cuts[cut] = (_LABEL, any(h.start == lead and h.label.kind in _ROW_KINDS for h in hits))
    for hit in hits:
        if hit.start > lead and _opens_row(hit.label):
            cuts[where[first + hit.start]] = (_LABEL, True)


def _opens_row(label: LabelDef) -> bool:
    """Does this label, met inside a run of labels, start a row? 其他 and 总计 alone are column
    names of the headers there; 「(七)总计」 with its marker is the row."""
    if label.kind not in _ROW_KINDS:
        return False
    return not label.ambiguous or (bool(label.marker) and not label.marker.isdigit()
                                   and label.text.startswith(label.marker))


def _opens_table(prose: str, hits: list[LabelHit]) -> bool:
    """May labels that follow prose start a table there? After a finished sentence, or when
    they are a table's own head (a caption, 信息内容, table 3's note, a run of headers); a row
    label right after words of a sentence (「，无法提供」) is the sentence's."""
    if prose.rstrip(_CLOSING)[-1:] in _SENTENCE_END or _label_share(prose) >= 0.6:
        return True  # a finished sentence, or a header with a misprint (「本年废纸件数」)
    return hits[0].label.kind in _TABLE_HEADS or len({h.start for h in hits}) >= 3


def _label_share(norm: str) -> float:
    """How much of a text known labels make up, matched greedily from the left."""
    covered = i = 0
    while i < len(norm):
        best = next((t for t in INDEX.by_first.get(norm[i], ()) if norm.startswith(t, i)), "")
        covered += len(best)
        i += len(best) or 1
    return covered / len(norm) if norm else 0.0


def _glued_start(text: str, start: int, run: re.Match[str], label: LabelDef | None = None) -> int:
    """Where the row that begins at ``start`` really begins, given the digits glued before it:
    an item number (``…0000000`` + ``2`` + ``.其他…``) or a year (``…2000002`` + ``2025年``)
    printed with no separator belongs to the text after it. Table 2's labels have no item
    numbers, and a label with a marker of its own needs none: a digit before one is a value
    (「…6、-2、第二十条第（九）项…」, 「…0、11、四、结转下年度…」)."""
    digits = run.group()
    if _ITEM_START.match(text, start) and digits[-1:].isdigit() and (
            len(digits) == 1 or not digits[-2].isdigit() or digits[-2] != ".") and (
            label is None or (label.kind not in ("caption", "t2_header", "t2_column", "t2_row")
                              and (not label.marker or label.marker.isdigit()))):
        return run.end() - 1
    if _YEAR_NEXT.match(text, start) and YEAR_END.search(digits):
        return run.end() - 4
    return start


def _headings_in(folded: _Folded, start: int, end: int) -> list[tuple[int, int]]:
    """Section headings inside a run of text: as the template prints them, or numbered and
    close to one of that number (「五、存在的主要问题及改进措施」 for …及改进情况)."""
    norm, where = folded.slice(start, end)
    spans: list[tuple[int, int]] = []
    for match in _NUMBERED.finditer(norm):
        if match.start() and norm[match.start() - 1] in "一二三四五六七八九十":
            continue  # 「十二、…」 is no heading of ours
        exact = _HEADING.match(norm, match.start())
        if exact is not None:
            spans.append((match.start(), exact.end()))
            continue
        body_start = match.end()
        for body, _ in _SECTION_BODIES.get(match.group(1), ()):
            window = norm[body_start: body_start + len(body)]
            if len(window) == len(body) and _close(window, body):
                spans.append((match.start(), body_start + len(body)))
                break
    return [(where[a], where[b] if b < len(norm) else end) for a, b in spans]


def _close(text: str, label: str) -> bool:
    """The same words but for a character or two (a heading's variant or misprint)."""
    # the matcher pairs equal characters, each at most once: where too few are in common its
    # ratio cannot reach 0.8 (the same float arithmetic as SequenceMatcher.ratio), and most
    # windows are not headings at all
    length = len(text) + len(label)
    if length and 2.0 * _common_characters(text, label) / length < 0.8:
        return False
    return SequenceMatcher(None, text, label, autojunk=False).ratio() >= 0.8


def _common_characters(text: str, label: str) -> int:
    """How many characters of ``text`` can be paired with one of ``label`` (each used once)."""
    left: dict[str, int] = {}
    for char in label:
        left[char] = left.get(char, 0) + 1
    common = 0
    for char in text:
        count = left.get(char, 0)
        if count:
            left[char] = count - 1
            common += 1
    return common


def _covered_suffix(norm: str) -> tuple[int, list[LabelHit]] | None:
    """The leftmost position from which labels cover the rest of the text, with the labels."""
    first_chars = INDEX.by_first
    # no label holds a full stop: the labels can only start after the last one
    for i in range(max(0, len(norm) - _LONGEST_LABEL_RUN, norm.rfind("。") + 1), len(norm)):
        char = norm[i]
        if char not in first_chars and char not in ".(、":
            continue
        hits = INDEX.segment(norm[i:])
        if hits:
            return i, [h for h in hits]
    return None


# the runs of characters between CJK ideographs (the captured pieces of a split: no match objects)
_BETWEEN_IDEOGRAPHS: Final = re.compile(r"([^\u4e00-\u9fff][^\u4e00-\u9fff]*)")
_NFKC_RUNS: Final[dict[str, str]] = {}  # a run → its NFKC form
_NFKC_RUNS_MAX: Final = 65536  # runs kept; the cache starts over beyond that


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalizing only the runs between CJK ideographs:
    such an ideograph has no other form, composes with nothing before or after it and keeps its
    place, so the form of the text is the ideographs and the forms of the runs between them, in
    order (a paragraph's runs — punctuation, numbers — repeat; NFKC of a whole paragraph cost more
    than the rest of reflow)."""
    pieces = _BETWEEN_IDEOGRAPHS.split(text)
    for i in range(1, len(pieces), 2):
        run = pieces[i]
        form = _NFKC_RUNS.get(run)
        if form is None:
            form = unicodedata.normalize("NFKC", run)
            if len(_NFKC_RUNS) >= _NFKC_RUNS_MAX:
                _NFKC_RUNS.clear()
            _NFKC_RUNS[run] = form
        pieces[i] = form
    return "".join(pieces)


# a character → the pieces NFKC makes of it that labels.normalize keeps (a normalize call and a
# pattern match per character of a paragraph cost more than the rest of reflow)
_FOLDED_CHARACTERS: Final[dict[str, str]] = {}
_FOLDED_CHARACTERS_MAX: Final = 65536  # characters kept; the cache starts over beyond that


def _folded_character(char: str) -> str:
    kept = _FOLDED_CHARACTERS.get(char)
    if kept is None:
        kept = ""
        for piece in unicodedata.normalize("NFKC", char):
            if _KEPT.match(piece):
                kept += piece
        if len(_FOLDED_CHARACTERS) >= _FOLDED_CHARACTERS_MAX:
            _FOLDED_CHARACTERS.clear()
        _FOLDED_CHARACTERS[char] = kept
    return kept


class _Folded:
    """A paragraph in the comparable form of labels (:func:`labels.normalize`: NFKC, no spaces,
    no quotes), made once, with the position in the paragraph each character came from, so that
    any stretch of the paragraph can be compared with labels and cut where they start."""

    def __init__(self, text: str) -> None:
        folded = _nfkc(text)
        chars: list[str] = []
        where: list[int] = []
        if len(folded) == len(text):  # one character for one (full-width forms, CJK)
            for kept in _KEPT.finditer(folded):
                start, end = kept.span()  # (one call on the match, not three)
                chars.append(folded[start:end])
                where.extend(range(start, end))
        else:  # a character folded into several (「①」 → 「1」): character by character
            for position, char in enumerate(text):
                for piece in _folded_character(char):
                    chars.append(piece)
                    where.append(position)
        self.norm = "".join(chars)
        self.where = where

    def slice(self, start: int, end: int) -> tuple[str, list[int]]:
        """The comparable form of ``text[start:end]`` and where each of its characters is."""
        first, last = bisect_left(self.where, start), bisect_left(self.where, end)
        return self.norm[first:last], self.where[first:last]


__all__ = ["cut_points", "reflow"]
