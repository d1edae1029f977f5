"""Agency, year, title, publication date and section texts of a report.

The year comes from the title (``2023年度`` / ``2023 年``) or the statistics-period sentence —
never from web chrome (「今天是2019年4月20日」) or a publication date, which is normally in the
following year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from ..document import Document, Row
from .labels import normalize, section_heading

_TITLE: Final = re.compile(r"信息公开.{0,6}报告")
_YEAR: Final = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_AT_END: Final = re.compile(r"(?:19|20)\d{2}\s*$")
_PERIOD: Final = re.compile(r"(?:统计期限|统计时限|统计期间|数据统计)[^。]{0,20}?"
                     r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_PUBLISHED: Final = re.compile(r"(?:发布日期|发布时间|发文日期|成文日期)\s*[:：]?\s*"
                        r"((?:19|20)\d{2})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_CHROME: Final = re.compile(r"今天是|欢迎|当前位置|您的位置|首页|发布日期|发布时间|来源|浏览次数|字体")
# markdown marks and whitespace (ASCII, nbsp, ideographic space) around a title line
_TITLE_NOISE: Final = "#* \t\r\n\f\v\xa0\u3000"
MAX_TITLE_ROWS: Final = 60
# an agency (no punctuation, ending as agencies do), a year, then the report's name
_TITLE_INSIDE: Final = re.compile(
    r"(?P<agency>[\u4e00-\u9fff（）()]{2,30}?(?:政府|局|委员会|委|办公室|办|厅|中心|院|镇|乡|街道|"
    r"办事处|管委会|署|部|处|所|队|站|馆|社|会|区|县|市|省))"
    # (a markdown heading's marks may stand between: 「寨庄街道办事处## 2024年…」 on one line)
    r"[\s#*]*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:政府)?信息公开(?:工作)?年度报告")
# the same with the year first (「2019年度青清市政府信息公开工作年度报告」)
_TITLE_YEAR_FIRST: Final = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<agency>[\u4e00-\u9fff（）()]{2,30}?(?:政府|局|委员会|委|办公室|办|"
    r"厅|中心|院|镇|乡|街道|办事处|管委会|署|部|处|所|队|站|馆|社|会|区|县|市|省)?)"
    r"\s*(?:政府)?信息公开(?:工作)?年度报告")
_NOT_AN_AGENCY: Final = re.compile(r"关于|做好|编制|报送|印发|转发|开展|根据|按照|我[局委办区县市镇乡]")
_TITLE_SCAN: Final = 3000  # characters of a run-together line the title can be in
# the last crumb of a site's breadcrumb, run together with the title after it when a crawler
# drops the line break (「首页 > … > 通知公告水口镇2022年度…报告」): site column names, never agencies
_CRUMB: Final = re.compile(r"^(?:(?:通知公告|公示公告|公告公示|新闻动态|工作动态|政务动态|政务公开|"
                    r"政府信息公开|信息公开|政府信息公开年报|信息公开年报|年度报告|年报|法定主动公开内容|首页|正文|详情)[>＞»/\s]*)+")


@dataclass
class Meta:
    agency: str | None = None
    year: int | None = None
    title: str | None = None
    published: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)


_CHINESE_DIGITS: Final = str.maketrans("〇零○一二三四五六七八九", "000123456789")
_CHINESE_YEAR: Final = re.compile(r"[〇零○一二三四五六七八九]{4}(?=\s*年)")


def _arabic_years(text: str) -> str:
    """「二〇二三年度」 → 「2023年度」: some titles print the year in Chinese numerals."""
    if not _year_numerals(text):
        return text  # no year in numerals (20xx has a zero, 19xx a 一九): skip the regex scan
    return _CHINESE_YEAR.sub(lambda m: m.group().translate(_CHINESE_DIGITS), text)


def _year_numerals(text: str) -> bool:
    """Can ``text`` hold a year in Chinese numerals? (「九」 first: one character is found by
    memchr, two are compared at every character.)"""
    return "〇" in text or "零" in text or "○" in text or ("九" in text and "一九" in text)


def read_meta(document: Document) -> Meta:
    meta = Meta()
    year_cut = False
    rows = document.rows
    stripped = [r.text.strip() for r in rows]  # (the sections take them too: each row joined once)
    joined = "\n".join(stripped)
    # (a row holds a year in numerals only where the whole text does: most hold none, and are not
    # looked through one by one)
    numerals = _year_numerals(joined)
    # the title is near the top: clean only the rows it can be on (and the one after)
    texts = [_arabic_years(r.text.strip(_TITLE_NOISE)) if numerals else r.text.strip(_TITLE_NOISE)
             for r in rows[:MAX_TITLE_ROWS + 1]]
    for index, text in enumerate(texts[:MAX_TITLE_ROWS]):
        if section_heading(text) is not None:
            break
        if _CHROME.search(normalize(text)) or len(text) > 80 or not _TITLE.search(normalize(text) + (
                normalize(texts[index + 1]) if index + 1 < len(texts) else "")):
            continue
        title = text
        following = texts[index + 1] if index + 1 < len(texts) else ""
        if not _TITLE.search(normalize(text)) or (following.startswith(("年度报告", "报告"))
                                                   and not text.endswith("报告")):
            title = text + following  # a title split over two lines
        if not _TITLE.search(normalize(title)):
            continue
        meta.title = title
        meta.agency = _agency(title, texts[:index])
        year = _YEAR.search(title)
        if year:
            meta.year = int(year.group(1))
        # the line before ends in the title's year, cut off it (a token per line: 「2021」「年度…」)
        year_cut = index > 0 and _YEAR_AT_END.search(texts[index - 1]) is not None
        break
    if meta.title is None or (meta.year is None and year_cut):
        # no title line, or one without its year (「湘市湖岭镇人民政府」「2021」「年度政府信息公开工作」
        # 「年度报告」, a token per line): the phrase inside a line, else across the lines
        found = Meta()
        _title_inside(texts, found)
        if found.title is None:
            _title_across_lines(rows, found)
        if found.title is not None and (meta.title is None or (
                found.year is not None and "".join(meta.title.split()) in "".join(found.title.split()))):
            meta.title, meta.agency, meta.year = found.title, found.agency, found.year
    full = _arabic_years(joined) if numerals else joined
    if meta.year is None:
        period = _PERIOD.search(full)
        if period:
            meta.year = int(period.group(1))
    # (the pattern has no single first character to look for: most texts name no date, and a
    # substring test over the text is far cheaper than the pattern's search)
    published = _PUBLISHED.search(full) if ("期" in full and "日期" in full) or (
        "间" in full and "时间" in full) else None
    if published:
        y, m, d = published.groups()
        meta.published = f"{y}-{int(m):02d}-{int(d):02d}"
    _sections(document, meta, stripped)
    return meta


def _title_inside(texts: list[str], meta: Meta) -> None:
    """A title run together with the page around it (a crawler's text on one line:
    「田丰区人民政府2023年度政府信息公开工作年度报告• 田丰市人民政府门户网站…」): the first
    agency-year-报告 phrase near the top, not one a sentence mentions (「关于做好…报告…的通知」)."""
    for text in texts[:MAX_TITLE_ROWS]:
        if section_heading(text) is not None:
            return
        if any(_took_title(match, meta) for match in _TITLE_INSIDE.finditer(text[:_TITLE_SCAN])):
            return


def _title_across_lines(rows: list[Row], meta: Meta) -> None:
    """A title broken over many lines (a token or a character per line: 「湘」「水」「镇」…「报告」):
    the top of the text joined without its line breaks and spaces, and the first
    agency-year-报告 phrase in it (as :func:`_title_inside`)."""
    joined: list[str] = []
    size = 0
    for row in rows:
        piece = "".join(_arabic_years(row.text).split())
        joined.append(piece)
        size += len(piece)
        if size >= _TITLE_SCAN:
            break
    text = "".join(joined)
    matches = sorted([*_TITLE_INSIDE.finditer(text), *_TITLE_YEAR_FIRST.finditer(text)],
                     key=lambda m: m.start())
    for match in matches:
        if _took_title(match, meta):
            return


def _took_title(match: re.Match[str], meta: Meta) -> bool:
    """Take an agency-year-报告 phrase as the title, the breadcrumb's last crumb cut off, unless
    its agency is a sentence's words (「关于做好…」) or nothing of one is left: did it?"""
    title = _CRUMB.sub("", match.group(0))
    if _NOT_AN_AGENCY.search(match.group("agency")) or not match.re.match(title) or (
            "如" in match.string[max(0, match.start() - 3):match.start()]):
        return False  # (「（如：某某镇人民政府2023年度…报告）」: a form's fill-in example, no title)
    meta.title = title
    meta.agency = _agency(title, [])
    meta.year = int(match.group("year"))
    return True


def _agency(title: str, before: list[str]) -> str | None:
    """The agency named in the title, or on its own line just above a title that lacks it."""
    compact = re.sub(r"\s+", "", title)
    year = _YEAR.search(compact)
    candidate = ""
    if year:
        head = compact[: year.start()]
        if head:
            candidate = head
        else:
            # 「2022年度螅镇政府信息公开工作年度报告」: the agency follows the year
            tail = compact[year.end():]
            tail = re.sub(r"^度", "", tail)
            match = re.match(r"(.+?)(?:政府)?信息公开", tail)
            if match and not match.group(1).endswith("年"):
                candidate = match.group(1)
    candidate = re.sub(r"(?:关于)$", "", candidate).strip("《》 ")
    if not candidate:
        for text in reversed(before[-3:]):
            text = re.sub(r"\s+", "", text)
            if text and len(text) <= 30 and not re.search(r"\d", text) and not _CHROME.search(text):
                candidate = text
                break
    return candidate or None


def _sections(document: Document, meta: Meta, stripped: list[str]) -> None:
    """Section texts: the paragraphs (not table rows) under each heading (``stripped``: each
    row's text, stripped)."""
    current: str | None = None
    parts: dict[str, list[str]] = {}
    for index, row in enumerate(document.rows):
        if len(row.cells) == 1:
            key = section_heading(row.cells[0].text)
            if key is not None:
                current = key
                parts.setdefault(key, [])
                meta.section_lines.setdefault(key, row.line)
                continue
        if current is not None and row.table is None:
            parts[current].append(stripped[index])
    meta.sections = {k: "\n".join(v) for k, v in parts.items()}
