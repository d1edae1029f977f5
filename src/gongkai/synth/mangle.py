"""Layout-destroying transformations of a report's text, for metamorphic tests (issue 9, item 1).

Each transformation keeps every character a reader needs to know *what* the report says (labels,
digits, blank marks, in their order) and changes only *where* the text breaks: what a crawler, a
converter or a page layout does to a report. The extractor must give the same cells for the
transformed text, or leave a cell ``missing`` where the text alone no longer decides it (a run of
glued digits that splits several ways) — never a different value.

=========================  =====================================================================
``one_line``               (a) every line break removed: the whole report on one line
``token_per_line``         (b) a line break after every token (a number, a label, a punctuation run)
``separators``             (c) the whitespace between cells made spaces, tabs, nbsp or nothing
``spaced_labels``          (d) spaces inside labels: ``三、本 年 度 办 理 结 果``
``page_breaks``            (e) page footers/headers, page numbers and the title inserted mid-table
``glued_paragraph``        (f) the next paragraph glued to the last value: ``…办理2000002 2025年，我局…``
=========================  =====================================================================

>>> import random
>>> from gongkai.synth.mangle import MANGLES, combine
>>> mangled = MANGLES["page_breaks"](text, random.Random(1))
>>> mangled, names = combine(text, random.Random(2))   # a random combination, in a sound order
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

__all__ = ["MANGLES", "ORDER", "SEPARATORS", "Mangle", "combine", "glued_paragraph", "one_line",
           "page_breaks", "separators", "spaced_labels", "token_per_line", "tokens"]

Mangle = Callable[[str, random.Random], str]

NBSP = "\xa0"
SEPARATORS: dict[str, str] = {"space": " ", "tab": "\t", "nbsp": NBSP, "none": ""}

# A token: a number (digits, with a decimal part), a run of letters (a label or a word: CJK
# characters are letters), or a run of punctuation and symbols. Whitespace separates tokens.
# a sign stays with its digits (「-5」 is one token: a line break between them would make the dash a
# blank cell's mark, another text)
_TOKEN = re.compile(r"[-－]?\d+(?:\.\d+)?|[^\W\d_]+|[^\w\s]+|_+")
_HSPACE = re.compile(r"[ \t\xa0\u3000\u2002\u2003\u2009]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_ENDS_WITH_DIGIT = re.compile(r"\d[\s|]*$")
# a paragraph of prose: a sentence (a full stop), not a table row or a label
_PROSE = re.compile(r"^[^\t|]*。")
_HEADING_FIVE = re.compile(r"^\s*[#*\s]*五\s*[、.．]")
_VALUE_THEN_FIVE = re.compile(r"(?<=\d)[ \t|\xa0]*(?=五\s*[、.．])")


def tokens(text: str) -> list[str]:
    """The tokens of ``text``, in order (whitespace dropped)."""
    return _TOKEN.findall(text)


# ----------------------------------------------------------------------------------- (a) (b)
def one_line(text: str, rng: random.Random | None = None, *, joiner: str = "") -> str:
    """(a) Every line break (and form feed) removed: the report on one line, as crawlers save
    pages. ``joiner`` is put where a break was ("" glues the lines)."""
    return re.sub(r"[ \t]*(?:\r\n|[\r\n\f\v\u2028\u2029])[ \t]*", joiner, text).strip()


def token_per_line(text: str, rng: random.Random | None = None) -> str:
    """(b) A line break after every token: a number, a label, a punctuation run each on a line."""
    return "\n".join(tokens(text)) + "\n"


# ----------------------------------------------------------------------------------- (c)
def separators(text: str, rng: random.Random, *, separator: str | None = None) -> str:
    """(c) Every run of horizontal whitespace (between cells, and in prose) replaced by one
    separator: a space, a tab, an nbsp or nothing. ``separator=None`` draws one per run, so one
    line mixes them as hand-edited pages do."""
    if separator is not None:
        return _HSPACE.sub(separator, text)
    choices = list(SEPARATORS.values())
    return _HSPACE.sub(lambda _: rng.choice(choices), text)


def _separator(name: str) -> Mangle:
    def mangle(text: str, rng: random.Random) -> str:
        return separators(text, rng, separator=SEPARATORS[name])
    mangle.__name__ = f"separators_{name}"
    mangle.__doc__ = f"(c) every run of whitespace replaced by {name}"
    return mangle


# ----------------------------------------------------------------------------------- (d)
def spaced_labels(text: str, rng: random.Random, *, share: float = 1.0) -> str:
    """(d) Spaces between the characters of CJK runs (labels, headings, prose): ``本年度办理结果``
    → ``本 年 度 办 理 结 果``. ``share`` of the runs are spaced (drawn per run); some get a full-width
    space, as letter-spaced headings in Word do."""
    def space(match: re.Match[str]) -> str:
        if rng.random() >= share:
            return match.group(0)
        gap = "\u3000" if rng.random() < 0.1 else " "
        return gap.join(match.group(0))
    return _CJK_RUN.sub(space, text)


# ----------------------------------------------------------------------------------- (e)
def _title_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip(" #*\t")
        if "年度报告" in stripped and len(stripped) <= 80:
            return stripped
    return "政府信息公开工作年度报告"


def _page_furniture(rng: random.Random, page: int, pages: int, title: str) -> list[str]:
    """What a page break leaves in converted text: a footer (page number), a form feed, and the
    next page's header (often the report's title)."""
    footer = rng.choice([f"- {page} -", f"—{page}—", f"第 {page} 页 共 {pages} 页", f"第{page}页",
                         f"{page} / {pages}", f"{page}", f"第 {page} 页"])
    lines = ["", footer]
    if rng.random() < 0.5:
        lines.append("\f")
    if rng.random() < 0.6:
        lines.append(title)
    if rng.random() < 0.3:
        lines.append(rng.choice(["政府信息公开", "附件", "公开方式：主动公开"]))
    lines.append("")
    return lines


def page_breaks(text: str, rng: random.Random, *, count: int | None = None) -> str:
    """(e) ``count`` (1-3) page breaks at random line boundaries, most of them inside the tables
    (between lines holding numbers): page number lines (``第 3 页 共 8 页``, ``- 3 -``, a bare
    ``3``), form feeds and the report's title repeated as a page header."""
    lines = text.splitlines()
    if len(lines) < 2:  # one line: break it between two tokens instead (a page break mid-line)
        spots = [m.end() for m in re.finditer(r"\d(?=\D)|[^\d\s](?=\d)", text)] or [len(text)]
        count = count or rng.randint(1, 3)
        title = _title_line(text)
        pages = count + rng.randint(1, 4)
        pieces: list[str] = []
        last = 0
        for page, cut in enumerate(sorted(rng.sample(spots, min(count, len(spots)))), start=1):
            pieces += [text[last:cut], *_page_furniture(rng, page, pages, title)]
            last = cut
        return "\n".join([*pieces, text[last:]])
    numeric = [i for i in range(1, len(lines))
               if re.search(r"\d", lines[i - 1]) and re.search(r"\d", lines[i])]
    candidates = numeric if numeric and rng.random() < 0.85 else list(range(1, len(lines)))
    count = min(count or rng.randint(1, 3), len(candidates))
    title = _title_line(text)
    pages = count + rng.randint(1, 4)
    cuts = sorted(rng.sample(candidates, count))
    out: list[str] = []
    last = 0
    for page, cut in enumerate(cuts, start=1):
        out += lines[last:cut]
        out += _page_furniture(rng, page, pages, title)
        last = cut
    out += lines[last:]
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------- (f)
def glued_paragraph(text: str, rng: random.Random, *, share: float = 1.0) -> str:
    """(f) The paragraph after a table glued to the table's last value, the way flattened pages
    read (``四、结转下年度继续办理 2 0 0 0 0 0 2`` + ``2025年，我局…`` →
    ``…0 22025年，我局…``): a sentence starting with a year is put before heading 五 (after the last
    line that ends with a number) and glued to that number; every other line ending in a number
    that is followed by a paragraph of prose (a sentence) is glued to it too (``share`` of them)."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        ahead = index + 1
        while ahead < len(lines) and not lines[ahead].strip():
            ahead += 1
        if (ahead < len(lines) and _ENDS_WITH_DIGIT.search(line) and _PROSE.match(lines[ahead])
                and rng.random() < share):
            lines[ahead] = line.rstrip(" |\t") + lines[ahead].strip()
            index = ahead
            continue
        out.append(line)
        index += 1
    year = re.search(r"(20[12]\d)\s*年度", text)
    following = int(year.group(1)) + 1 if year else 2025
    sentence = rng.choice([f"{following}年，我局将继续做好政府信息公开工作。",
                           f"{following}年，我单位将进一步加强政府信息公开工作。",
                           f"{following}年1月起，将加强业务培训。"])
    five = next((i for i, line in enumerate(out) if _HEADING_FIVE.match(line)), None)
    if five is not None:
        last_value = next((i for i in range(five - 1, -1, -1) if _ENDS_WITH_DIGIT.search(out[i])), None)
        if last_value is not None:
            out[last_value] = out[last_value].rstrip(" |\t") + sentence
    else:  # heading 五 inside a line (a flattened page): the sentence goes between the value and it
        joined = "\n".join(out)
        glued = _VALUE_THEN_FIVE.sub(lambda m: sentence, joined, count=1)
        out = glued.split("\n")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------- the set
MANGLES: dict[str, Mangle] = {
    "one_line": one_line,
    "token_per_line": token_per_line,
    "separators_space": _separator("space"),
    "separators_tab": _separator("tab"),
    "separators_nbsp": _separator("nbsp"),
    "separators_none": _separator("none"),
    "separators_mixed": separators,
    "spaced_labels": spaced_labels,
    "page_breaks": page_breaks,
    "glued_paragraph": glued_paragraph,
}

# The order a combination applies them in: page furniture and glued prose first (they need the
# lines), then what happens inside lines, then what destroys lines.
ORDER: tuple[str, ...] = ("page_breaks", "glued_paragraph", "spaced_labels", "separators_space",
                          "separators_tab", "separators_nbsp", "separators_none", "separators_mixed",
                          "token_per_line", "one_line")


def combine(text: str, rng: random.Random, *, names: list[str] | None = None) -> tuple[str, list[str]]:
    """A random combination of 2-4 transformations (at most one separator style, and not both
    ``token_per_line`` and ``one_line``), applied in :data:`ORDER`; the text and the names used."""
    if names is None:
        pool = ["page_breaks", "glued_paragraph", "spaced_labels",
                rng.choice([n for n in MANGLES if n.startswith("separators_")]),
                rng.choice(["token_per_line", "one_line"])]
        names = rng.sample(pool, rng.randint(2, 4))
    names = sorted(names, key=ORDER.index)
    for name in names:
        text = MANGLES[name](text, rng)
    return text, names
