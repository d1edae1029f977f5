"""C-LATE: a report published after the legal deadline for its unit's level (Regulation art. 49).

The deadlines are data (template.yaml ``deadlines:``, :meth:`gongkai.template.model.Template.deadline`):
departments by 31 January, local governments at county level and above by 31 March of the next
year; townships have none in the Regulation, so they are never late here.

A publication date is read, never guessed, and says where it came from (:data:`SOURCES`):

* ``meta`` / ``list`` — the page's ``<meta>`` or the date beside the link on the list page, known
  only for collected reports (the store passes them in: :func:`assess`);
* ``text`` — 发布日期／发布时间／成文日期 printed on the page (``Report.published``,
  :mod:`gongkai.extract.meta`);
* ``url`` — a dated URL path (``/art/2024/1/20/``, ``/t20240120_…``) of a report read from the web;
* ``signature`` — the date under the signature at the end of the report. A report is published on
  or after the day it was signed: a signature after the deadline proves lateness; one before it
  proves nothing, so it never makes a report "on time".

No date, no level with a deadline, or no year: no C-LATE (:func:`assess` says ``late`` None).
A date on or before 31 December of the report's year cannot be its publication date and is not
used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final
from urllib.parse import urlsplit

from ..report import Finding, Report
from ..template import TEMPLATE
from .rules import RuleResult, Status, rule_finding

__all__ = ["SOURCES", "Dated", "Timeliness", "assess", "late_findings", "late_results", "publication_dates",
           "signature_date", "timeliness", "url_date"]

RULE: Final = "C-LATE"
# where a date was read → (Chinese, English), in order of precedence for the publication date;
# ``signature`` last: it bounds the publication date from below only
SOURCES: Final[dict[str, tuple[str, str]]] = {
    "meta": ("网页元数据", "the page's metadata"),
    "text": ("页面所载发布日期", "the date printed on the page"),
    "url": ("网址中的日期", "the date in the URL"),
    "list": ("栏目列表所列日期", "the date on the list page"),
    "signature": ("报告末尾落款日期", "the signature date at the end of the report"),
}
PUBLICATION_SOURCES: Final = ("meta", "text", "url", "list")

_DATE: Final = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_URL_DATES: Final = (  # the CMS patterns gongkai.collect.pages reads (collect depends on check, not back)
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb: /art/2024/1/20/art_…
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS: /202401/t20240120_123.html
    re.compile(r"/((?:19|20)\d{2})-?(\d{2})/(\d{2})/"),  # /202401/20/ or /2024-01/20/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20240120/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),  # /2024/0120/
)
# a signature line: an optional signer, then the date alone (arabic or Chinese numerals)
_CN: Final = "〇零○一二三四五六七八九十"
_SIGNATURE: Final = re.compile(rf"^(?P<who>[^\d{_CN}，。；：:,;]{{0,40}}?)\s*"
                        rf"(?P<y>(?:19|20)\d{{2}}|[{_CN}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN}]{{1,2}})\s*月\s*"
                        rf"(?P<d>\d{{1,2}}|[{_CN}]{{1,3}})\s*日\s*$")
_CN_DIGITS: Final = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_MONTHS: Final = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
SIGNATURE_LINES: Final = 4  # a signature is among the last few lines of the last section


@dataclass(frozen=True, slots=True)
class Dated:
    """A date read from a report or its page, with where it was read."""

    date: date
    source: str  # a key of SOURCES
    evidence: str | None = None  # the text or URL it was read from

    def where(self, lang: str = "zh") -> str:
        zh, en = SOURCES[self.source]
        return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class Timeliness:
    """A report against its deadline. ``late`` None: cannot be told (no deadline, or no date
    that decides it); ``published`` the publication date used (None when only a signature date
    or nothing was found); ``signed`` the signature date."""

    level: str | None
    year: int | None
    deadline: date | None
    published: Dated | None
    signed: Dated | None
    late: bool | None

    @property
    def decisive(self) -> Dated | None:
        """The date the verdict rests on."""
        if self.published is not None:
            return self.published
        return self.signed if self.late else None

    def status(self, lang: str = "zh") -> str:
        """按时 / 逾期 / 无法判断 (on time / late / unknown) for people."""
        if self.late is None:
            return "unknown" if lang == "en" else ("无法定期限" if self.deadline is None else "日期不明")
        if lang == "en":
            return "late" if self.late else "on time"
        return "逾期" if self.late else "按时"


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """二〇二四 → 2024, 十二 → 12, 二十五 → 25, 三十一 → 31."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + _CN_DIGITS[char]
    return value


def parse_date(text: str | None) -> date | None:
    """The first valid date in ``text`` (2024-01-20, 2024年1月20日, 2024/1/20)."""
    for match in _DATE.finditer(text or ""):
        found = _valid(*(int(g) for g in match.groups()))
        if found:
            return found
    return None


def url_date(url: str | None) -> date | None:
    """The date in a web address's path (http/https only: a local file name is no publication)."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    path = urlsplit(url.split("!/", 1)[0]).path  # a zip member: the archive's URL
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            found = _valid(*(int(g) for g in match.groups()))
            if found:
                return found
    return None


def signature_date(sections: Mapping[str, str]) -> tuple[date, str] | None:
    """The signature date at the end of the report: a line that is only a date (after the
    signer's name, or under it) among the last lines of the last section; with the line."""
    order = [s.key for s in TEMPLATE.sections if sections.get(s.key)]
    if not order:
        return None
    lines = [line.strip() for line in sections[order[-1]].splitlines() if line.strip()]
    for line in reversed(lines[-SIGNATURE_LINES:]):
        match = _SIGNATURE.match(line)
        if match is None:
            continue
        try:
            found = _valid(_cn_number(match["y"]), _cn_number(match["m"]), _cn_number(match["d"]))
        except KeyError:  # a numeral out of place (十 in a year)
            continue
        if found:
            return found, line
    return None


def publication_dates(report: Report) -> list[Dated]:
    """Every date the report itself gives (page text, URL, signature), with its source."""
    found: list[Dated] = []
    printed = parse_date(report.published)
    if printed:
        found.append(Dated(printed, "text", report.published))
    from_url = url_date(report.source)
    if from_url:
        found.append(Dated(from_url, "url", report.source))
    signed = signature_date(report.sections)
    if signed:
        found.append(Dated(signed[0], "signature", signed[1]))
    return found


def assess(level: str | None, year: int | None, dates: Iterable[Dated]) -> Timeliness:
    """The report against its deadline from the dates known about it (any sources; a date that
    cannot be a publication of a report on ``year`` — on or before 31 December of it — is set
    aside). The publication date is the first of :data:`PUBLICATION_SOURCES` found."""
    usable = [d for d in dates if year is None or d.date > date(year, 12, 31)]
    by_source = {d.source: d for d in reversed(usable)}  # the first of each source wins
    published = next((by_source[s] for s in PUBLICATION_SOURCES if s in by_source), None)
    signed = by_source.get("signature")
    deadline = TEMPLATE.deadline(level, year)
    late: bool | None = None
    if deadline is not None:
        if published is not None:
            late = published.date > deadline
        elif signed is not None and signed.date > deadline:
            late = True  # published no earlier than signed
    return Timeliness(level, year, deadline, published, signed, late)


def timeliness(report: Report, extra: Iterable[Dated] = ()) -> Timeliness:
    """:func:`assess` for a report, its unit's level from its agency name
    (:func:`gongkai.agency.identify`); ``extra``: dates known from elsewhere (the collector's)."""
    from ..agency import identify

    level = identify(report.agency).level if report.agency else None
    return assess(level, report.year, [*extra, *publication_dates(report)])


def finding(result: Timeliness) -> Finding | None:
    """The C-LATE finding of a late report (None unless ``late``)."""
    if not result.late or result.deadline is None or result.level is None:
        return None
    dated = result.decisive
    assert dated is not None
    rule = TEMPLATE.rule(RULE)
    spec = TEMPLATE.deadlines[result.level]
    when = dated.date.isoformat()
    if dated.source == "signature":
        zh_when = f"落款日期为{when}（发布不早于此日）"
        en_when = f"was signed on {when} (published no earlier)"
    else:
        zh_when = f"于{when}发布（{dated.where('zh')}）"
        en_when = f"was published on {when} ({dated.where('en')})"
    values = {"published": when, "source": dated.source, "deadline": result.deadline.isoformat(),
              "level": result.level, "days_late": (dated.date - result.deadline).days}
    zh = rule.zh.format(published_zh=zh_when, deadline=result.deadline.isoformat(), basis=spec.basis,
                        who=spec.who, limit_zh=f"{spec.month}月{spec.day}日")
    en = rule.en.format(published_en=en_when, deadline=result.deadline.isoformat(), basis_en=spec.basis_en,
                        who_en=spec.who_en, limit_en=f"{spec.day} {_MONTHS[spec.month - 1]}")
    return rule_finding(rule, zh, en, (), values, None, dated.evidence)


def late_findings(report: Report) -> list[Finding]:
    found = finding(timeliness(report))
    return [found] if found else []


def late_results(report: Report, keep_all: bool = True) -> list[RuleResult]:
    """C-LATE's result (passed, failed, not checkable; with ``keep_all=False`` a failure only)."""
    result = timeliness(report)
    late = finding(result)
    status: Status = "failed" if late else "not_checkable" if result.late is None else "passed"
    return [RuleResult(RULE, status, finding=late)] if late or keep_all else []
