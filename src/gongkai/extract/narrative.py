"""What the narrative states about the tables: the quantities sections 一 and 六 give in words.

Reports often say in words what their tables count: 「全年共收到政府信息公开申请75件」,
「现行有效行政规范性文件698件」, 「政府信息公开行政复议351件」, 「全年未收到政府信息公开申请」.
:func:`narrative_facts` reads such statements with their meaning. The extractor uses them to settle
a row the printed digits leave open (:mod:`.settle`), the checker to compare them with the tables
(C-TEXT, :mod:`gongkai.check.narrative`): reading them is extraction, so it lives here, and both
import it from here.

Precision comes first: a fact is taken only when the sentence states that very quantity, in a
fixed phrase with the number right after it (no 备案 counts, no totals with 上年结转, no
办结/答复 counts, no other years, no subsets introduced by 其中, no sums over 各部门/各级).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from ..report import Report
from ..template import TEMPLATE

__all__ = ["QUANTITIES", "NarrativeFact", "Quantity", "narrative_facts", "settle_value"]



@dataclass(frozen=True, slots=True)
class Quantity:
    """A table quantity that sentences state: the cells it is the sum of, and other readings the
    same words may have (agreeing with any of them is not a contradiction)."""

    key: str
    paths: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    zh: str
    en: str


_T3: Final = "applications"
_RL: Final = "review_litigation"
QUANTITIES: Final[dict[str, Quantity]] = {q.key: q for q in (
    Quantity("received", (f"{_T3}.new_received.total",),
             ((f"{_T3}.new_received.total", f"{_T3}.carried_over.total"), (f"{_T3}.total.total",)),
             "本年新收政府信息公开申请数", "applications received this year"),
    Quantity("in_force_normative", ("active_disclosure.normative_documents.in_force",), (),
             "现行有效行政规范性文件件数", "normative documents in force"),
    Quantity("in_force_rules", ("active_disclosure.rules.in_force",), (),
             "现行有效规章件数", "rules in force"),
    Quantity("review_total", (f"{_RL}.review.total",), (),
             "政府信息公开行政复议案件数", "administrative reviews on information disclosure"),
    # the table has no total over both kinds of lawsuit; a sentence may also mean one kind only
    Quantity("litigation_total", (f"{_RL}.litigation_direct.total", f"{_RL}.litigation_after_review.total"),
             ((f"{_RL}.litigation_direct.total",), (f"{_RL}.litigation_after_review.total",)),
             "政府信息公开行政诉讼案件数", "lawsuits on information disclosure"),
)}

# sections whose sentences are read (一 总体情况, 六 其他需要报告的事项)
SECTIONS: Final = ("overview", "other_matters")


@dataclass(frozen=True, slots=True)
class NarrativeFact:
    """One table quantity stated by a sentence."""

    quantity: str  # a key of QUANTITIES
    value: int
    sentence: str  # the whole sentence, as printed (line breaks joined)
    line: int | None  # 1-based source line where the sentence starts
    section: str
    quote: str  # the sentence, or the part of it stating the number when the sentence is long

    @property
    def paths(self) -> tuple[str, ...]:
        return QUANTITIES[self.quantity].paths


# ---------------------------------------------------------------------------------- patterns
# Patterns run on a normalised sentence: full-width → ASCII (，→ , （→ ( ０→0), whitespace
# removed except between two digits. A number must follow its phrase directly (only filler such
# as 共/共计/为 between) and carry a unit, so table rows, dates and percentages never match.
_NUM: Final = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+)"
_FILL: Final = r"(?:共计|合计|总计|累计|总数为|总数|数量为|数量|共有|共|计|为|达到|达|有|是|:)*"
_UNIT: Final = r"(?:件|份|个|宗|条)"
_CASE_UNIT: Final = r"(?:件|起|宗|个)"
_GAP: Final = r"(?P<gap>[^,.。;:!?()\d]{0,16}?)"
_APPLICATION: Final = (r"(?:(?:政府)?信息公开申请|依申请公开(?:政府信息)?(?:的)?(?:申请|事项|件)?"
                r"|申请公开政府信息(?:的)?(?:申请)?)")
_END: Final = r"(?=$|[,.。;:!?)]|情况|事项|情形|的情况|的情形|件)"

_RECEIVED: Final = re.compile(r"(?P<verb>新收|收到|受理|接收|接到|收悉)(?:了)?" + _GAP + _APPLICATION
                       + _FILL + _NUM + _UNIT)
_RECEIVED_NONE: Final = re.compile(
    r"(?:(?:未|没有)(?:新)?(?:收到|受理|接到|接收|发生|产生|出现)(?:过)?(?:任何)?" + _GAP + r"|无(?:任何)?)"
    + _APPLICATION + _END)
_IN_FORCE_NORMATIVE: Final = re.compile(
    r"现行有效(?:的)?(?:行政)?规范性文件" + _FILL + _NUM + "件"
    r"|(?:行政)?规范性文件(?:中)?,?现行有效(?:的)?" + _FILL + _NUM.replace("num", "num2") + "件")
_IN_FORCE_RULES: Final = re.compile(
    r"现行有效(?:的)?(?:政府|部门)?规章" + _FILL + _NUM + "件"
    r"|(?:政府|部门)?规章(?:中)?,?现行有效(?:的)?" + _FILL + _NUM.replace("num", "num2") + "件")
_REVIEW: Final = re.compile(r"行政复议(?:案件)?" + _FILL + _NUM + _CASE_UNIT)
_LITIGATION: Final = re.compile(r"行政诉讼(?:案件)?" + _FILL + _NUM + _CASE_UNIT)
_CASES_NONE: Final = re.compile(
    r"(?:(?:未|没有)(?:发生|出现|产生|涉及)(?:过)?(?:任何)?" + _GAP + r"|无(?:因)?(?:政府)?信息公开"
    r"(?:工作)?(?:引起|引发|而)?(?:的)?(?:被申请|被提起)?(?:的)?)"
    r"(?P<a>行政复议|行政诉讼)(?:(?:[和、及与或]|或者|以及)(?:被)?(?:提起|申请)?(?P<b>行政复议|行政诉讼))?"
    r"(?:案件|情况|情形|事项|案)?(?=$|[,.。;!?)])")

# whole-sentence exclusions: other counts that share words with table quantities
_SENTENCE_EXCLUDE: Final = re.compile(r"12345|热线|建议|提案|信息处理费|人大|政协")
# clause exclusions: carry-over, other years, comparisons, subsets, sums over several agencies
_CLAUSE_EXCLUDE: Final = re.compile(r"结转|上年|上一年|去年|往年|前年|同比|较上|较去|比上年|比去年|"
                                    r"其中|各级|各部门|各单位|各地|各县|各乡|各镇|%|百分之|截至上")
_TAIL_EXCLUDE: Final = re.compile(r"结转|上年|上一年|去年|往年")
_GAP_EXCLUDE: Final = re.compile(r"办|答复|处理|结转|转办|转来|转交|上年|去年|上级|网上|在线|当面|信函|其中|"
                          r"复议|诉讼")
# before the verb: 办理/答复 totals are not 收到; a channel (网上受理…) is a subset
_HANDLED_BEFORE: Final = re.compile(r"办结|答复|办理|处理|转办|网上|在线|当面|信函|邮寄|传真|现场")
_SUBSET_BEFORE: Final = re.compile(r"其中[,:]?$")  # 「其中，…」: the clause is a part of a total
# before 行政复议/行政诉讼 in the clause: the agency as review organ (办理/审理 复议), one kind of
# lawsuit only (直接起诉, 复议后起诉), or outcomes rather than cases
_CASE_PREFIX_EXCLUDE: Final = re.compile(r"办理|审理|受理|收到|接收|复议机关|直接|复议后|出庭|败诉|胜诉")
_DOCUMENT_EXCLUDE: Final = re.compile(r"备案|清理|审查|审核|合法性|报备|起草|征求|评估")
_LIST_BEFORE: Final = re.compile(r"(?:[和及与、或]|党内|党)$")
_YEAR: Final = re.compile(r"((?:19|20)\d{2})年")
_KEY: Final = re.compile(r"申请|复议|诉讼|规范性文件|规章")

# page footers that PDF text puts inside paragraphs ("- 2 -", "第 2 页"): blanked in place, so that
# line numbers stay right and the footer is no paragraph break
_FOOTER_LINE: Final = re.compile(r"^[ \t\u3000]*(?:[-—–－][ \t]*\d+[ \t]*[-—–－]|第[ \t]*\d+[ \t]*页"
                          r"(?:[ \t]*共[ \t]*\d+[ \t]*页)?)[ \t\u3000]*$", re.M)


def _footer_hint(text: str) -> bool:
    """Might a page footer stand in the text: 页, or a dash opening a line before a digit (as
    ``(?:^|\\n)[ \\t\\u3000]*[-—–－][ \\t]*\\d|页`` searched, which tried both at every character
    of the section; looked for from each dash here)."""
    if "页" in text:
        return True
    for dash in "-—–－":
        at = text.find(dash)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            after = at + 1
            while after < len(text) and text[after] in " \t":
                after += 1
            if (not text[start:at].strip(" \t\u3000") and after < len(text)
                    and text[after].isdecimal()):
                return True
            at = text.find(dash, at + 1)
    return False

_TERMINATOR: Final = re.compile(r"[。！？!?；;]")
_PARAGRAPH: Final = re.compile(r"(?:[^\n]|\n(?![ \t\u3000\xa0]*\n))+")
# (the space first, the digit before it looked behind from there: a pattern that starts with a
# look-behind is tried at every character of the sentence)
_DIGIT_SPACE: Final = re.compile(r"\s(?<=\d\s)\s*(?=\d)")
_LINE_BREAK_DIGITS: Final = re.compile(r"(?<=[0-9A-Za-z])[ \t\u3000\xa0]*\n\s*(?=[0-9A-Za-z])")
_LINE_BREAK: Final = re.compile(r"[ \t\u3000\xa0]*\n\s*")
_PUNCT_SPACE: Final = re.compile(r"(?<=[，。；：、（）《》“”])[ \t\u3000\xa0]+"
                          r"|[ \t\u3000\xa0]+(?=[，。；：、（）《》“”])")
# full-width → ASCII for the characters the patterns use (what NFKC would do to them, but
# cheaper: a few str.replace calls instead of a pass over every character)
_FULL_PUNCT: Final = (("，", ","), ("（", "("), ("）", ")"), ("：", ":"), ("；", ";"), ("％", "%"),
                      ("．", "."), ("！", "!"), ("？", "?"))
_FULL_DIGIT: Final = re.compile(r"[\uff10-\uff19]")
_DIGITS: Final = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_BLANK_LINE: Final = re.compile(r"\n[ \t\u3000\xa0]*\n")
# a sentence can state a quantity only with a counted number or a negation before the subject
# (「[0-9０-９][ \t\u3000\xa0\n]*[件份个宗条起]|(?:未|没有|无)[^。；;!?！？]{0,24}?(?:申请|复议|诉讼)」
# written from its first character, what follows looked behind at from there: alternatives that
# start with a class or a group give the engine no first character to look for, and it tried both
# at every character of the sentence; only whether there is one is asked)
_CANDIDATE: Final = re.compile(r"[0-9\uff10-\uff19未没无]"
                        r"(?:(?<=[0-9\uff10-\uff19])[ \t\u3000\xa0\n]*[件份个宗条起]"
                        r"|(?<=[未无])[^。；;!?！？]{0,24}?(?:申请|复议|诉讼)"
                        r"|(?<=没)有[^。；;!?！？]{0,24}?(?:申请|复议|诉讼))")


def _normalise(sentence: str) -> str:
    """Full-width → ASCII, whitespace dropped except between two digits (kept as one space)."""
    text = sentence
    for full, ascii_ in _FULL_PUNCT:
        if full in text:
            text = text.replace(full, ascii_)
    if _FULL_DIGIT.search(text):
        text = text.translate(_DIGITS)
    for mark in ("#", "*", "\x02"):
        if mark in text:
            text = text.replace(mark, "")
    if _DIGIT_SPACE.search(text):  # rare: keep two numbers apart
        return "".join(_DIGIT_SPACE.sub("\x01", text).split()).replace("\x01", " ")
    return "".join(text.split())


def _printed(sentence: str) -> str:
    """The sentence as printed, with wrapped lines joined (for quoting)."""
    text = sentence.replace("\x02", "").replace("**", "").strip().lstrip("#").strip()
    text = _LINE_BREAK.sub("", _LINE_BREAK_DIGITS.sub(" ", text))
    return _PUNCT_SPACE.sub("", text)


def _origin(report: Report, section: str, text: str) -> int | None:
    """The source line of the section text's first line. ``section_lines`` gives the heading's
    line; the text may start at the heading or just after it."""
    base = report.section_lines.get(section)
    if base is None:
        return None
    stripped = text.lstrip()
    first = text.count("\n", 0, len(text) - len(stripped))  # blank lines before the first line
    spec = next((s for s in TEMPLATE.sections if s.key == section), None)
    head = _normalise(stripped.split("\n", 1)[0])
    if spec is not None and any(label in head for label in spec.label.all):
        return base - first
    return base + 1


def _sentences(text: str) -> Iterator[tuple[str, int]]:
    """(sentence, its offset in ``text``) for sentences that may state a table quantity: with a
    keyword and a counted number or a negation. Sentences end at 。！？； and at blank lines;
    single line breaks are wraps. Keywords are found first, so most sentences are never cut."""
    stops: list[int] | None = None
    seen = -1
    for keyword in _KEY.finditer(text):
        if stops is None:
            stops = [m.start() for m in _TERMINATOR.finditer(text)]
        index = bisect_right(stops, keyword.start())
        start = stops[index - 1] + 1 if index else 0
        if start <= seen:
            continue  # another keyword in a sentence already given
        seen = start
        sentence = text[start:stops[index] if index < len(stops) else len(text)]
        if not _CANDIDATE.search(sentence):
            continue
        if "\n" not in sentence or not _BLANK_LINE.search(sentence):
            yield sentence, start
            continue
        for paragraph in _PARAGRAPH.finditer(sentence):
            part = paragraph.group()
            if _KEY.search(part) and _CANDIDATE.search(part):
                yield part, start + paragraph.start()


# ---------------------------------------------------------------------------------- clauses
def _clause(norm: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause around a match begins and ends: the previous and the next , ; :"""
    begin = max(norm.rfind(",", 0, start), norm.rfind(";", 0, start), norm.rfind(":", 0, start)) + 1
    stops = [i for i in (norm.find(",", end), norm.find(";", end)) if i >= 0]
    return begin, min(stops) if stops else len(norm)


def _tail(norm: str, end: int) -> str:
    """What qualifies the number right after it: a parenthesis, and a following clause that
    starts with 含/包括/其中 (e.g. 「，其中上年结转5件」)."""
    rest = norm[end:]
    tail = ""
    if rest.startswith("("):
        close = rest.find(")")
        tail, rest = (rest, "") if close < 0 else (rest[:close + 1], rest[close + 1:])
    if rest.startswith(","):
        nxt = rest[1:]
        if nxt.startswith(("含", "包括", "其中")):
            tail += nxt
    return tail


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _quote(sentence: str, norm_match: str) -> str:
    """The sentence, or for a long one the clause that states the number."""
    if len(sentence) <= 120:
        return sentence
    for part in re.split(r"(?<=[，,；;：:])", sentence):
        if norm_match in _normalise(part):
            return f"…{part.rstrip('，,；;：:')}…"
    return sentence[:119] + "…"


def _facts_in(norm: str) -> Iterator[tuple[str, int, str]]:
    """(quantity, value, matched text) for every statement in one normalised sentence."""
    if "申请" in norm:
        for m in _RECEIVED.finditer(norm):
            begin, end = _clause(norm, m.start(), m.end())
            if (_GAP_EXCLUDE.search(m.group("gap")) or _CLAUSE_EXCLUDE.search(norm, begin, end)
                    or _HANDLED_BEFORE.search(norm, begin, m.start())
                    or _TAIL_EXCLUDE.search(_tail(norm, m.end())) or _SUBSET_BEFORE.search(norm, 0, begin)):
                continue
            yield "received", _number(m.group("num")), m.group()
        for m in _RECEIVED_NONE.finditer(norm):
            if _GAP_EXCLUDE.search(m.group("gap") or "") or _CLAUSE_EXCLUDE.search(
                    norm, *_clause(norm, m.start(), m.end())):
                continue
            yield "received", 0, m.group()
    if "现行有效" in norm and not _DOCUMENT_EXCLUDE.search(norm):
        for quantity, pattern in (("in_force_normative", _IN_FORCE_NORMATIVE),
                                  ("in_force_rules", _IN_FORCE_RULES)):
            for m in pattern.finditer(norm):
                if _LIST_BEFORE.search(norm, 0, m.start()) or _CLAUSE_EXCLUDE.search(
                        norm, *_clause(norm, m.start(), m.end())):
                    continue
                yield quantity, _number(m.group("num") or m.group("num2")), m.group()
    # 行政复议/行政诉讼 counts are taken only in sentences about information disclosure
    if "信息公开" not in norm or ("复议" not in norm and "诉讼" not in norm):
        return
    for quantity, pattern in (("review_total", _REVIEW), ("litigation_total", _LITIGATION)):
        for m in pattern.finditer(norm):
            begin, end = _clause(norm, m.start(), m.end())
            prefix = norm[max(0, m.start() - 6): m.start()]
            # 办理/审理 行政复议: the agency as the review organ, not reviews of its disclosure work
            if (_CASE_PREFIX_EXCLUDE.search(norm, begin, m.start()) or _LIST_BEFORE.search(prefix)
                    or prefix.endswith(("行政复议", "行政诉讼")) or _CLAUSE_EXCLUDE.search(norm, begin, end)
                    or _SUBSET_BEFORE.search(norm, 0, begin)):
                continue
            yield quantity, _number(m.group("num")), m.group()
    for m in _CASES_NONE.finditer(norm):
        gap = m.group("gap") or ""
        if _GAP_EXCLUDE.search(gap.replace("复议", "").replace("诉讼", "")) or (
                _CASE_PREFIX_EXCLUDE.search(gap)):
            continue
        for kind in (m.group("a"), m.group("b")):
            if kind:
                yield ("review_total" if kind == "行政复议" else "litigation_total"), 0, m.group()


def narrative_facts(report: Report) -> list[NarrativeFact]:
    """Table quantities stated in sections 一 and 六, with the sentence and its source line."""
    facts: list[NarrativeFact] = []
    seen: set[tuple[str, int, str]] = set()
    year = report.year
    for section in SECTIONS:
        text = report.sections.get(section)
        if not text or not _KEY.search(text):
            continue
        if _footer_hint(text):
            text = _FOOTER_LINE.sub("\x02", text)
        origin: int | None = None
        located = False  # the section's first line is looked up on its first fact only
        for raw, offset in _sentences(text):
            norm = _normalise(raw)
            if _SENTENCE_EXCLUDE.search(norm):
                continue
            if year is not None and any(int(y) != year for y in _YEAR.findall(norm)):
                continue  # a number about another year (or a comparison with one)
            sentence = ""
            for quantity, value, matched in _facts_in(norm):
                sentence = sentence or _printed(raw)
                key = (quantity, value, sentence)
                if key in seen:
                    continue
                seen.add(key)
                if not located:
                    origin, located = _origin(report, section, text), True
                line = None
                if origin is not None:
                    start = offset + len(raw) - len(raw.lstrip())
                    line = origin + text.count("\n", 0, start)
                facts.append(NarrativeFact(quantity, value, sentence, line, section,
                                           _quote(sentence, matched)))
    return facts


def settle_value(facts: list[NarrativeFact], path: str, *, strict: bool = False) -> int | None:
    """The value the narrative states for exactly this cell, if the facts agree on one; else None.

    Lets the extractor settle an ambiguous cell (a sum of two cells settles neither). ``strict``
    also ignores quantities whose words have other readings (受理 N 件 may count new + carried-over
    applications), which C-TEXT tolerates but a cell should perhaps not be set from."""
    values = {f.value for f in facts
              if f.paths == (path,) and not (strict and QUANTITIES[f.quantity].alternatives)}
    return values.pop() if len(values) == 1 else None


# ---------------------------------------------------------------------------------- comparison
