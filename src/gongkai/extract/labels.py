"""Finding the template's labels in text, however the conversion mangled them.

Labels are compared after :func:`normalize` (template.md §6.1): NFKC, no whitespace, no quotes
or markdown marks. A run of text is segmented greedily into known labels; it counts as labels
only if the labels cover it (stray punctuation aside), so the same words inside a sentence of
the narrative (「行政许可和行政处罚信息公开」) are never taken for a table row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Final, Literal

from ..template import EDITIONS, TEMPLATE, Edition

LabelKind = Literal[
    "caption",  # table 2 block caption 第二十条第(一)项
    "t2_header",  # 信息内容
    "t2_column",  # a table 2 column label
    "t2_row",  # a table 2 row label
    "t3_note",  # the 勾稽关系 note heading table 3
    "t3_header",  # 申请人情况 / 自然人 … (column labels)
    "t3_group",  # 三、本年度办理结果, (三)不予公开 …
    "t3_row",  # a table 3 row label
    "t4_header",  # 行政复议 / 结果维持 …
    "marker",  # 一、 (一) standing alone
]

_SPACE_CHARACTERS: Final = r"\s\u00a0\u3000\u200b\ufeff"
_DROP_CHARACTERS: Final = r"“”\"'‘’「」『』#*|`"
SKIPPED_CHARACTERS: Final = _SPACE_CHARACTERS + _DROP_CHARACTERS  # (a character class body) normalize drops
# ([…][…]* for […]+: a pattern that starts with a repeat gives the engine no first character to
# look for, and it tries the whole pattern at every character)
_SPACE: Final = re.compile(f"[{_SPACE_CHARACTERS}][{_SPACE_CHARACTERS}]*")
_DROP: Final = re.compile(f"[{_DROP_CHARACTERS}]")
_TRAILING_NOISE: Final = ".,:;、。:："


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """The comparable form of a label: NFKC, no whitespace, no quotes or markdown marks."""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE.sub("", text)
    return _DROP.sub("", text)


@dataclass(frozen=True, slots=True)
class LabelDef:
    """A label the document may print. ``key`` names the row/column/block it stands for."""

    kind: LabelKind
    key: str
    text: str  # normalized
    marker: str = ""  # table 3 item marker digit ("1" for 1.属于国家秘密), or "一、" / "(一)"
    editions: tuple[Edition, ...] = EDITIONS
    block: int = -1  # table 2 block index within its format

    @property
    def ambiguous(self) -> bool:
        """Short labels shared by several places (其他, 总计) need their marker to be rows."""
        return self.kind == "t3_row" and self.key in ("other_other", "total")


@dataclass(frozen=True, slots=True)
class LabelHit:
    label: LabelDef
    start: int  # position in the normalized run
    end: int
    truncated: bool = False


CHINESE_MARKERS: Final = ("一、", "二、", "三、", "四、",
                          "(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)")


def _build() -> list[LabelDef]:
    t = TEMPLATE
    defs: list[LabelDef] = []
    for edition, blocks in t.disclosure_blocks.items():
        for index, block in enumerate(blocks):
            defs.append(LabelDef("caption", str(index), normalize(block.caption.text), editions=(edition,),
                                 block=index))
            for disclosure_column in block.columns:
                defs.extend(LabelDef("t2_column", disclosure_column.key, normalize(v), editions=(edition,),
                                     block=index) for v in disclosure_column.label.all)
            for disclosure_row in block.rows:
                defs.extend(LabelDef("t2_row", disclosure_row.key, normalize(v), editions=(edition,),
                                     block=index) for v in disclosure_row.label.all)
    defs.append(LabelDef("t2_header", "header", normalize(t.disclosure_header.text)))
    defs.append(LabelDef("t3_note", "note", normalize(t.application_note.text)))
    defs.extend(LabelDef("t3_header", key, normalize(key)) for key in t.application_header_labels)
    for column in t.application_columns:
        defs.extend(LabelDef("t3_header", column.key, normalize(v)) for v in column.label.all)
    for group in t.application_groups:
        body = normalize(group.label.text)
        defs.append(LabelDef("t3_group", group.key, body, marker=normalize(group.marker)))
        defs.append(LabelDef("t3_group", group.key, normalize(group.marker) + body,
                             marker=normalize(group.marker)))
    for row in t.application_rows:
        marker = normalize(row.marker)
        digit = marker.rstrip(".") if marker[:1].isdigit() else ""
        for variant in row.label.all:
            body = normalize(variant)
            defs.append(LabelDef("t3_row", row.key, body, marker=digit or marker, editions=row.editions))
            if not digit:
                defs.append(LabelDef("t3_row", row.key, marker + body, marker=marker,
                                     editions=row.editions))
                if marker.endswith("、"):  # 「四 结转…」: the 、 lost (OCR, or a space for it)
                    defs.append(LabelDef("t3_row", row.key, marker[:-1] + body, marker=marker,
                                         editions=row.editions))
    for key in t.review_header_labels:
        defs.append(LabelDef("t4_header", key, normalize(key)))
    for review_group in t.review_groups:
        defs.append(LabelDef("t4_header", review_group.key, normalize(review_group.label.text)))
    for column in t.review_columns:
        defs.append(LabelDef("t4_header", column.key, normalize(column.label.text)))
    defs.extend(LabelDef("marker", m, normalize(m), marker=normalize(m)) for m in CHINESE_MARKERS)
    return defs


class LabelIndex:
    """All labels of the template, indexed for greedy longest-match segmentation."""

    MIN_TRUNCATED = 6  # template.md §6.1 step 5: a prefix of at least 6 characters

    def __init__(self, defs: list[LabelDef]) -> None:
        self.defs = defs
        self.by_text: dict[str, list[LabelDef]] = {}
        for d in defs:
            self.by_text.setdefault(d.text, []).append(d)
        # candidates by first character, longest first
        self.by_first: dict[str, list[str]] = {}
        for text in self.by_text:
            self.by_first.setdefault(text[0], []).append(text)
        for texts in self.by_first.values():
            texts.sort(key=len, reverse=True)
        # prefixes of long labels (truncation), kept only when they name one label
        prefixes: dict[str, dict[tuple[str, str], str]] = {}
        for d in defs:
            if d.kind in ("t3_row", "t3_note", "t2_column", "t3_group") and len(d.text) > self.MIN_TRUNCATED:
                for n in range(self.MIN_TRUNCATED, len(d.text)):
                    prefixes.setdefault(d.text[:n], {}).setdefault((d.kind, d.key), d.text)
        # a prefix counts only when it names one label (variants of one label may share it)
        self.truncations = {p: next(iter(t.values())) for p, t in prefixes.items() if len(t) == 1}
        # table-3 items by length, for labels printed with one character wrong (see misprinted)
        self.items_by_length: dict[int, list[LabelDef]] = {}
        for d in defs:
            if d.kind == "t3_row" and d.marker.isdigit() and len(d.text) >= self.MIN_MISPRINTED:
                self.items_by_length.setdefault(len(d.text), []).append(d)

    MIN_MISPRINTED = 5

    def misprinted(self, run: str, marker: str) -> LabelHit | None:
        """A table-3 item whose label is printed with one character wrong (「7.属于行政执法案件」
        for 案卷): the item numbered ``marker`` whose label differs from ``run`` in exactly one
        character, and no other item's label is as close. The item number must agree, so a
        sentence never passes for a row."""
        body = run.lstrip(".、")
        offset = len(run) - len(body)
        close = {d.key: d for d in self.items_by_length.get(len(body), ())
                 if sum(a != b for a, b in zip(d.text, body, strict=True)) == 1}
        if len(close) != 1:
            return None
        label = next(iter(close.values()))
        return LabelHit(label, offset, len(run)) if label.marker == marker else None

    def segment(self, run: str) -> list[LabelHit] | None:
        """Split a normalized text run into labels; None unless labels cover the run.

        Punctuation between labels is tolerated; a run ending in a truncated label (a unique
        prefix of ≥ 6 characters) is accepted.
        """
        hits: list[LabelHit] = []
        i, n = 0, len(run)
        while i < n:
            char = run[i]
            best = None
            for text in self.by_first.get(char, ()):
                if run.startswith(text, i):
                    best = text
                    break
            if best is not None and len(best) < n - i:
                # a truncated long label may explain the whole rest of the run (「其他法律行政法」
                # is not 「其他」 + junk): the longer reading wins
                rest = run[i:].rstrip(_TRAILING_NOISE)
                full = self.truncations.get(rest)
                if full is not None and len(rest) > len(best):
                    for d in self.by_text[full]:
                        hits.append(LabelHit(d, i, n, truncated=True))
                    break
            if best is not None:
                for d in self.by_text[best]:
                    hits.append(LabelHit(d, i, i + len(best)))
                i += len(best)
                continue
            if char in _TRAILING_NOISE or char in "()-_/":
                i += 1
                continue
            rest = run[i:].rstrip(_TRAILING_NOISE)
            full = self.truncations.get(rest)
            if full is not None:
                for d in self.by_text[full]:
                    hits.append(LabelHit(d, i, n, truncated=True))
                break
            return None
        return hits


INDEX: Final = LabelIndex(_build())


@lru_cache(maxsize=8192)
def section_heading(text: str) -> str | None:
    """The section key (overview, …) when a whole cell is a section heading, else None."""
    if len(text) > _HEADING_CUT + _LONGEST_HEADING and _longer_than_headings(text):
        return None  # (a paragraph: not normalized whole to be compared with a few short lines)
    norm = normalize(text).rstrip(_TRAILING_NOISE)
    key = _HEADINGS.get(norm)
    if key is None and len(norm) <= _LONGEST_HEADING:
        key = _garbled_heading(norm)
    return key


def _longer_than_headings(text: str) -> bool:
    """Is the comparable form of ``text`` surely longer than any heading? Told from a part of it
    that ends before a CJK ideograph: NFKC leaves such a character as it is and composes nothing
    with it, so the comparable form of the text is that of the part, then that of the rest, which
    starts with the ideograph (neither space nor dropped, nor trailing noise)."""
    cut = _HEADING_CUT
    while cut < len(text) and not "\u4e00" <= text[cut] <= "\u9fff":
        cut += 1
    return cut < len(text) and len(normalize(text[:cut])) >= _LONGEST_HEADING


def _garbled_heading(norm: str) -> str | None:
    """A numbered heading with a character or two misread (OCR: 「五、存在的主要问题及？7进情况」):
    close enough to the heading of its own number, and to nothing a table row says (table 3's
    「四、结转下年度继续办理」 shares the number 四 with a heading, not its words)."""
    match = _NUMBERED.match(norm)
    if match is None:
        return None
    for body, key in _SECTION_BODIES.get(match.group(1), ()):
        if SequenceMatcher(None, match.group(2), body, autojunk=False).ratio() >= 0.8:
            return key
    return None


def _headings() -> dict[str, str]:
    result = {}
    for section in TEMPLATE.sections:
        for variant in section.label.all:
            body = normalize(variant)
            result[f"{section.number}、{body}"] = section.key
            result[f"{section.number}.{body}"] = section.key
            result[f"{section.number}{body}"] = section.key
    return result


_HEADINGS: Final = _headings()
_NUMBERED: Final = re.compile(r"^([一二三四五六七八九])[、.]?(.{6,})$")
_SECTION_BODIES: Final[dict[str, list[tuple[str, str]]]] = {}
for _section in TEMPLATE.sections:
    _SECTION_BODIES.setdefault(_section.number, []).extend(
        (normalize(variant), _section.key) for variant in _section.label.all)
_LONGEST_HEADING: Final = max(len(k) for k in _HEADINGS) + 4
_HEADING_CUT: Final = _LONGEST_HEADING + 8  # characters of a long text normalized to tell it is no heading
