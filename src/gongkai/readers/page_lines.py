"""Text lines from a page's characters: glyphs grouped into lines per writing direction, spaces
put where the gaps say (not in justified CJK), page numbers and running headers recognised, and
whether a line continues the paragraph above. Shared by the PDF and OCR readers through
:mod:`gongkai.readers.layout`; tables are :mod:`gongkai.readers.page_grid`'s.

Coordinates are PDF points ``(x0, top, x1, bottom)`` from the top-left corner of the page as
displayed, the convention pdfplumber uses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from gongkai.text import compact

__all__ = ["Char", "Line", "continues", "group_lines", "is_page_number", "join_lines", "margins",
           "running_key"]

_BOX_NUMBER = re.compile(
    r"^(?:[-—–－‐~]\d+[-—–－‐~]|第\d+页(?:[,，/]?共\d+页)?|共\d+页第\d+页|\d+/\d+|\d+|[Pp]age\d+(?:of\d+)?)$"
)
_DASHED_NUMBER = re.compile(r"^[-—–－‐~]\d+[-—–－‐~]$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


class Char:
    """One glyph in display coordinates (top-left origin); ``angle`` in degrees counterclockwise,
    snapped to 0/90/180/270."""

    __slots__ = ("angle", "bottom", "space_before", "text", "top", "x0", "x1")

    def __init__(
        self, text: str, x0: float, top: float, x1: float, bottom: float, angle: int, space_before: bool
    ) -> None:
        self.text, self.x0, self.top, self.x1, self.bottom = text, x0, top, x1, bottom
        self.angle = angle
        self.space_before = space_before  # PDFium put a word break before it in the text stream

    def frame(self) -> tuple[float, float, float, float]:
        """(u0, u1, v0, v1): u runs along the text, v from one line to the next."""
        if self.angle == 90:  # reads bottom to top, lines advance to the right
            return -self.bottom, -self.top, self.x0, self.x1
        if self.angle == 180:
            return -self.x1, -self.x0, -self.bottom, -self.top
        if self.angle == 270:  # reads top to bottom, lines advance to the left
            return self.top, self.bottom, -self.x1, -self.x0
        return self.x0, self.x1, self.top, self.bottom

@dataclass(slots=True)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # glyph height, about the font size


def group_lines(chars: list[Char]) -> list[Line]:
    """Group characters into lines (per writing direction), ordered top to bottom."""
    by_angle: dict[int, list[Char]] = {}
    for ch in chars:
        by_angle.setdefault(ch.angle, []).append(ch)
    lines: list[Line] = []
    for group in by_angle.values():
        framed = sorted(((ch.frame(), ch) for ch in group), key=lambda item: item[0][2] + item[0][3])
        current: list[tuple[tuple[float, float, float, float], Char]] = []
        v0 = v1 = 0.0
        for item in framed:
            (_, _, cv0, cv1), _ = item
            centre = (cv0 + cv1) / 2
            if current and (v0 <= centre <= v1 or cv0 <= (v0 + v1) / 2 <= cv1):
                current.append(item)
                v0, v1 = min(v0, cv0), max(v1, cv1)
                continue
            if current:
                lines.append(_make_line(current))
            current, v0, v1 = [item], cv0, cv1
        if current:
            lines.append(_make_line(current))
    lines.sort(key=lambda line: (line.top, line.x0))
    return [line for line in lines if line.text]


def _make_line(items: list[tuple[tuple[float, float, float, float], Char]]) -> Line:
    items.sort(key=lambda item: item[0][0])
    sizes = sorted(fr[3] - fr[2] for fr, ch in items if not ch.text.isspace())
    size = sizes[len(sizes) // 2] if sizes else 10.0
    parts: list[str] = []
    previous_end: float | None = None
    previous = ""
    for (u0, u1, _, _), ch in items:
        if ch.text == " ":
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if previous_end is not None and parts[-1] != " ":
            gap = u0 - previous_end
            if previous.isascii() or ch.text.isascii():
                space = gap > 0.3 * size or (ch.space_before and gap > 0.1 * size)
            else:  # CJK: justification and punctuation squeezing make gaps that are not spaces
                space = gap > 0.8 * size
            if space:
                parts.append(" ")
        parts.append(ch.text)
        previous = ch.text
        previous_end = u1
    # The line's box is its ink: leading ideographic spaces (U+3000 indents) must not hide the indent.
    chars = [ch for _, ch in items if ch.text != " "] or [ch for _, ch in items]
    return Line(
        "".join(parts).strip(),
        min(ch.x0 for ch in chars),
        min(ch.top for ch in chars),
        max(ch.x1 for ch in chars),
        max(ch.bottom for ch in chars),
        size,
    )


def join_lines(texts: list[str]) -> str:
    """Join wrapped lines: no space in CJK text, one space between ASCII words."""
    result = ""
    for text in texts:
        if not text:
            continue
        if result and _needs_space(result[-1], text[0]):
            result += " "
        result += text
    return result


def _needs_space(left: str, right: str) -> bool:
    if not (left.isascii() and right.isascii()):
        return False
    if left.isdigit() and right.isdigit():
        return False  # a number wrapped in a narrow cell
    return left not in "-/(" and right not in ")-/.,;:"


def is_page_number(line: Line, height: float) -> bool:
    bare = compact(line.text)
    if _DASHED_NUMBER.match(bare):
        return True
    in_band = line.bottom < 0.1 * height or line.top > 0.88 * height
    return in_band and bool(_BOX_NUMBER.match(bare))


def running_key(line: Line, height: float) -> str | None:
    if 0.07 * height < line.top and line.bottom < 0.93 * height:
        return None
    band = "top" if line.top <= 0.07 * height else "bottom"
    return band + re.sub(r"\d+", "#", compact(line.text))


def margins(lines: list[Line]) -> tuple[float, float]:
    """Body text's left and right margins: the most common line start and end."""
    if not lines:
        return 0.0, 0.0
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    widest = max(line.x1 for line in lines)
    long_ends = [round(line.x1) for line in lines if line.x1 - left > 0.6 * (widest - left)]
    right = Counter(long_ends).most_common(1)[0][0] if long_ends else widest
    return float(left), float(right)


def continues(previous: Line, line: Line, left: float, right: float) -> bool:
    """Does ``line`` continue the paragraph whose last line is ``previous``?"""
    size = max(previous.size, line.size)
    if abs(previous.size - line.size) > 0.25 * size:
        return False
    if previous.x1 < right - 1.5 * size:
        return False  # the previous line ends short: its paragraph ended
    if line.x0 > left + 0.8 * size:
        return False  # indented: a new paragraph (or a centred title)
    if _HEADING.match(line.text):
        return False
    gap = line.top - previous.bottom  # negative across a page break
    return gap <= 1.6 * size
