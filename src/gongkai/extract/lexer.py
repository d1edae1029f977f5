"""Cell text → tokens: numbers, blanks, labels, headings and other text.

A cell may hold one value (``0``), a value with a unit or a note (``1596496.16元``,
``22（其中修订16件）``), a label, or — in flattened conversions — labels and runs of digits glued
together (``…1.属于国家秘密00000002.其他法律…``). The lexer keeps every number's raw text and
cell so that each value can be traced back to where it was printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ..document import Cell
from .labels import INDEX, LabelHit, normalize, section_heading

# "unknown": a grid cell whose text is not one value (set by extract.place, never by the lexer)
TokenKind = Literal["num", "blank", "empty", "labels", "text", "heading", "unknown"]

# Printed instead of a value: template.md N-BLANK (a dash, a slash, 无).
BLANK_MARKERS = frozenset({"/", "／", "-", "－", "—", "——", "–", "―", "无", "\\", "空", "--", "---"})

_NUMBER = re.compile(
    r"(?P<sign>[+\-＋－])?(?P<digits>\d+(?:,\d{3})*(?:[.．]\d+)?)"
    r"(?P<unit>\s*(?:万元|元|件|个|项|次|条|人次))?"
    r"(?P<note>\s*[(（](?:其中|含|包括|注|另|备注)[^)）]{0,80}[)）])?"
)
_PAREN_MARKER = re.compile(r"[(（](\d{1,2})[)）](?=\s*[\u4e00-\u9fff])")
_PAGE_NUMBER = re.compile(r"^(?:[-－—–]\s*\d{1,3}\s*[-－—–]"
                          r"|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)$")
_NARRATIVE_LEN = 24  # longer unlabeled text is prose, which ends a table row


@dataclass(slots=True)
class Token:
    kind: TokenKind
    raw: str
    cell: Cell
    value: int | float | None = None
    unit: str | None = None
    note: str | None = None
    hits: list[LabelHit] = field(default_factory=list)
    section: str | None = None  # for headings
    glued: bool = False  # a number touching other digits or labels with no separator

    @property
    def line(self) -> int:
        return self.cell.line

    @property
    def is_value(self) -> bool:
        return self.kind in ("num", "blank", "empty")

    @property
    def narrative(self) -> bool:
        return self.kind == "text" and (len(self.raw) >= _NARRATIVE_LEN or "。" in self.raw)

    @property
    def marked(self) -> bool:
        """Unrecognised text carrying a row marker (「(七)…」, 「. 某某」): some label we could
        not read, so the numbers after it are not the open row's."""
        return self.kind == "text" and bool(_ROW_MARKER.search(self.raw))


def number_value(digits: str, sign: str | None) -> int | float:
    digits = digits.replace(",", "").replace("．", ".")
    value: int | float = float(digits) if "." in digits else int(digits)
    return -value if sign in ("-", "－") else value


def lex_cell(cell: Cell) -> list[Token]:
    """Tokens of one cell, in order."""
    specs = _lex_text_cached(cell.text)
    return [Token(kind, raw, cell, value, unit, note, list(hits), section, glued)
            for kind, raw, value, unit, note, hits, section, glued in specs]


@lru_cache(maxsize=65536)
def _lex_text_cached(text: str) -> tuple[tuple, ...]:
    """The tokens of a cell text without their cell, cached: cell texts repeat a great deal
    (``0``, labels, headers) within a report and across reports."""
    tokens = _lex(text, _NO_CELL)
    return tuple((t.kind, t.raw, t.value, t.unit, t.note, tuple(t.hits), t.section, t.glued)
                 for t in tokens)


_NO_CELL = Cell("", 0)


def _lex(text: str, cell: Cell) -> list[Token]:
    stripped = text.strip()
    if not stripped:
        return [Token("empty", "", cell)]
    if stripped.isascii() and stripped.isdigit():
        return [Token("num", stripped, cell, value=int(stripped))]
    if stripped in BLANK_MARKERS:
        return [Token("blank", stripped, cell)]
    section = section_heading(stripped)
    if section is not None:
        return [Token("heading", stripped, cell, section=section)]
    if _PAGE_NUMBER.match(stripped):
        return []
    if "(" in stripped or "（" in stripped:
        stripped = _PAREN_MARKER.sub(r"\1.", stripped)
    tokens: list[Token] = []
    position = 0
    for match in _NUMBER.finditer(stripped):
        start, end = match.span()
        sign = match.group("sign")
        # "A-1": a dash after a letter is not a sign. After a digit or a blank mark ("29-7275",
        # "—-12438": a 2019 本年增/减 may be negative) it is kept: the cut is unknown, so the
        # number is marked glued and never read as a whole with certainty
        before_sign = stripped[start - 1] if start > 0 else " "
        if sign and not (before_sign.isspace() or before_sign.isdigit() or before_sign in _MARKS):
            start += 1
            sign = None
        if start > position:
            _lex_after_number(stripped[position:start], position > 0, cell, tokens)
        unit = match.group("unit")
        note = match.group("note")
        before = stripped[start - 1] if start > 0 else " "
        after = stripped[end] if end < len(stripped) else " "
        glued = before.isdigit() or (sign is not None and not before_sign.isspace()) or (
            not before.isspace() and not _is_separator(before)) or (
            not after.isspace() and not _is_separator(after) and after != ".")
        tokens.append(Token(
            "num", stripped[start:end].strip(), cell,
            value=number_value(match.group("digits"), sign),
            unit=unit.strip() if unit else None,
            note=note.strip() if note else None,
            glued=glued,
        ))
        position = end
    if position < len(stripped):
        _lex_after_number(stripped[position:], position > 0, cell, tokens)
    _strip_item_markers(tokens)
    return tokens


def _lex_after_number(piece: str, after_number: bool, cell: Cell, tokens: list[Token]) -> None:
    """Marks glued right after a number are cells each (「247——1032」 is 247, —, —, 1032;
    「000000无(六)其他处理」 ends its row with a blank), then the rest is text."""
    if after_number:
        marks = _GLUED_MARKS.match(piece)
        if marks:
            tokens.extend(Token("blank", mark, cell) for mark in marks.group())
            piece = piece[marks.end():]
    if piece:
        _lex_text(piece, cell, tokens)


def _is_separator(char: str) -> bool:
    return char in "|,，;；:：、" or char.isspace()


_BLANK_RUN = re.compile(
    r"(?:(?<=\s)|^)(" + "|".join(re.escape(m) for m in sorted(BLANK_MARKERS, key=len, reverse=True))
    + r")(?=\s|$)"
    # run-together rows glue 无 and slashes to the digits around them (「数量无0000无0」)
    r"|((?<=\d)(?:无|/|／|—)+(?=\d|$)|(?:无|/|／|—)+(?=\d|$)"
    # dashes glued before a label end a run-together row: 「3.其他———————(七)总计」
    r"|(?:(?<=\d)无+|无{2,}|[—/／\-－]+)(?=[(（\u4e00-\u9fff])"
    # a free-standing run of three or more marks is a row of empty cells (「———————」), and so
    # are dashes glued after a label's last character (「…已获取信息——————— (六)…」)
    r"|(?:(?<=\s)|^)[—\-－/／无]{3,}(?=\s|$)|(?<=[\u4e00-\u9fff)）”\"])[—\-－/／]+(?=\s))")
_MARKS = "无/／—-－"
_GLUED_MARKS = re.compile(r"[无/／—\-－]+")
_TRAILING_MARKS = re.compile(r"[/／—\-－]+$")
_ROW_MARKER = re.compile(r"[(（][一二三四五六七][)）]|[一二三四]、|^\s*[.．、]\s*[\u4e00-\u9fff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _lex_text(piece: str, cell: Cell, tokens: list[Token]) -> None:
    """Text between numbers: blank markers standing alone (「0 无 无 1」), labels, or prose.
    A piece that reads as labels as a whole (「(四) 无 法 提 供」) is never cut at a 无."""
    if _BLANK_RUN.search(piece) and _split_at_blanks(piece):
        position = 0
        for match in _BLANK_RUN.finditer(piece):
            if match.start() > position:
                _lex_words(piece[position:match.start()], cell, tokens)
            if match.group(1):
                tokens.append(Token("blank", match.group(1), cell))
            else:
                # glued to digits, each mark is one empty cell: 「10——0」 is 10, —, —, 0
                tokens.extend(Token("blank", mark, cell) for mark in match.group(2))
            position = match.end()
        if position < len(piece):
            _lex_words(piece[position:], cell, tokens)
        return
    _lex_words(piece, cell, tokens)


def _split_at_blanks(piece: str) -> bool:
    """Are the blank markers in ``piece`` cells (「行政强制 - - 17」) rather than characters of a
    letter-spaced label (「(四) 无 法 提 供」)? Cells, unless cutting there breaks a label."""
    rest = [normalize(part) for part in _BLANK_RUN.split(piece) if part and not _BLANK_RUN.fullmatch(part)]
    if all(not part.strip(".,:;、。()-_/|") or INDEX.segment(part) for part in rest):
        return True
    return not INDEX.segment(normalize(piece))


def _lex_words(piece: str, cell: Cell, tokens: list[Token]) -> None:
    marks = _TRAILING_MARKS.search(piece)
    if marks and marks.start() > 0 and INDEX.segment(normalize(piece[: marks.start()])):
        # 「行政许可-049469」: dashes glued after a label are empty cells, one each
        _lex_words(piece[: marks.start()], cell, tokens)
        tokens.extend(Token("blank", mark, cell) for mark in marks.group())
        return
    norm = normalize(piece)
    if not norm or all(c in ".,:;、。()-_/|" for c in norm):
        return
    hits = INDEX.segment(norm)
    if hits:
        tokens.append(Token("labels", piece.strip(), cell, hits=hits))
    else:
        tokens.append(Token("text", piece.strip(), cell))


def _strip_item_markers(tokens: list[Token]) -> None:
    """Remove the digit marker of a table-3 item (``1.`` of ``1.属于国家秘密``) from the number
    before it, including a marker glued to a row of run-together digits (``00000002.其他…``)."""
    i = 1
    while i < len(tokens):
        token, previous = tokens[i], tokens[i - 1]
        if token.kind == "labels" and previous.kind == "num" and token.raw[:1] in ".．、":
            first = token.hits[0].start
            marker = next((h.label.marker for h in token.hits if h.start == first
                           and h.label.kind == "t3_row" and h.label.marker.isdigit()), "")
            digits = previous.raw
            if marker and previous.unit is None and previous.note is None and digits.endswith(marker):
                rest = digits[: -len(marker)]
                if not rest:
                    del tokens[i - 1]
                    continue
                if rest in ("-", "－"):  # 「-2.某某」: a dash cell, then the item number
                    tokens[i - 1] = Token("blank", rest, previous.cell)
                elif rest.lstrip("-－").isdigit():
                    previous.raw = rest
                    previous.value = number_value(rest.lstrip("-－"), rest[0] if rest[0] in "-－" else None)
                    previous.glued = True
        elif (previous.kind == "num" and token.kind == "text" and token.raw[:1] in ".．、"
              and _CJK.match(token.raw[1:].lstrip()) and previous.unit is None
              and len(previous.raw) <= 2):
            # 「3.某某」 whose text is no label we know: the 3 numbers an item, it is no value
            previous.kind = "text"
            previous.value = None
        i += 1


__all__ = ["BLANK_MARKERS", "Token", "lex_cell", "normalize"]
