"""The roster: the units that must publish a report, so that one that never published shows up.

* :func:`read_file` — a CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX list: unit name, division code,
  level, parent, site URL (Chinese or English headers, :data:`COLUMNS`); every bad row is named;
* :func:`from_divisions` — the governments of a region from the bundled division table (levels
  省/市/县; the table has no townships or departments: those come from a list);
* :func:`save` — store them (``roster_units``, revision 0007), keyed like the reports
  (:func:`gongkai.agency.identify`: 洪泽县人民政府 and 淮安市洪泽区人民政府 are one unit);
* :func:`matrix` — units × years of a region: every roster unit and every unit with a report,
  reports per year (0: missing). ``gongkai missing`` and the web dashboard's matrix show it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, update

from ..agency import divisions, identify
from ..errors import GongkaiError
from ..messages import say
from .regions import report_filter, roster_filter
from .schema import RosterUnit

__all__ = ["COLUMNS", "LEVELS", "RosterEntry", "RosterError", "from_divisions", "matrix", "read_file", "save",
           "units"]

LEVELS = ("省", "市", "县", "乡镇", "部门")
LEVEL_ORDER = {level: i for i, level in enumerate(("省", "市", "县", "部门", "乡镇"))}
# a roster file's column → the headers it may have (compared without spaces, case-insensitively)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位", "名称", "机关名称", "name", "unit", "agency"),
    "code": ("区划代码", "行政区划代码", "代码", "code", "division_code", "region_code"),
    "level": ("级别", "层级", "level"),
    "parent": ("上级", "上级单位", "所属", "所属单位", "parent"),
    "site_url": ("网址", "网站", "信息公开网址", "公开网址", "site", "url", "site_url"),
}
_CODE = re.compile(r"\d{6}(?:\d{3}|\d{6})?")


class RosterError(GongkaiError, ValueError):
    """A roster file or request that cannot be used; the message names the file and row."""


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A unit of the roster, identified like a report's agency."""

    name: str
    agency_key: str
    agency_name: str
    region_code: str | None
    level: str | None
    parent: str | None = None
    site_url: str | None = None


def _division_prefix(code: str) -> str:
    """「江苏省淮安市洪泽区」 for 320813: the names of a division and the divisions above it."""
    table = divisions()
    names: list[str] = []
    for width in (2, 4, 6):
        found = table.get(code[:width].ljust(6, "0"))
        if found and found not in names:  # a municipality is listed as province and city
            names.append(found)
        if code[width:6].strip("0") == "":
            break
    return "".join(names)


def entry(name: str, code: str | None = None, level: str | None = None, parent: str | None = None,
          site_url: str | None = None, lang: str = "zh") -> RosterEntry:
    """A roster unit from a name and what is known of it. A code places a name that lacks its
    division (财政局 with 320813 is 江苏省淮安市洪泽区财政局)."""
    name = name.strip()
    if not name:
        raise RosterError(say("roster.empty_name", lang))
    if code and not _CODE.fullmatch(code):
        raise RosterError(say("roster.bad_code", lang, code=code))
    if level and level not in LEVELS:
        raise RosterError(say("roster.bad_level", lang, level=level))
    who = identify(name)
    if code and (who.region_code is None or not code.startswith(who.region_code)):
        placed = identify(_division_prefix(code[:6]) + name)
        if placed.region_code and code.startswith(placed.region_code):
            who = placed
    return RosterEntry(name=name, agency_key=who.key, agency_name=who.name,
                       region_code=code or who.region_code, level=level or who.level,
                       parent=parent or None, site_url=site_url or None)


# ------------------------------------------------------------------------------ reading a file
def _rows_of(path: Path, lang: str) -> list[list[str]]:
    """The rows of a CSV or XLSX file as text."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterError(say("roster.file_error", lang, file=path, reason=error.strerror or error)) from None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                     for v in row] for row in sheet.iter_rows(values_only=True)]
            workbook.close()
            return rows
        except Exception as error:  # openpyxl raises anything on a damaged file
            raise RosterError(say("roster.file_error", lang, file=path, reason=say(
                "roster.unreadable", lang, reason=type(error).__name__))) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(say("roster.file_error", lang, file=path,
                              reason=say("roster.unreadable", lang, reason="encoding")))
    if "\x00" in decoded:
        raise RosterError(say("roster.file_error", lang, file=path,
                              reason=say("roster.unreadable", lang, reason="binary")))
    dialect = csv.excel_tab if decoded.split("\n", 1)[0].count("\t") > decoded.split("\n", 1)[0].count(",") \
        else csv.excel
    return [row for row in csv.reader(io.StringIO(decoded), dialect)]


def read_file(path: str | Path, lang: str = "zh") -> list[RosterEntry]:
    """The units of a roster file (CSV or XLSX, first sheet). The header row names the columns
    (:data:`COLUMNS`; a name column is required); empty rows are skipped; any bad row raises
    :class:`RosterError` naming the file and the row, and nothing is read."""
    path = Path(path)
    rows = _rows_of(path, lang)
    while rows and not any(c.strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise RosterError(say("roster.file_error", lang, file=path, reason=say("roster.nothing", lang)))
    wanted = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions = {wanted[h]: i for i, h in reversed(list(enumerate(
        re.sub(r"\s+", "", c).lower() for c in rows[0]))) if h in wanted}
    if "name" not in positions:
        raise RosterError(say("roster.file_error", lang, file=path,
                              reason=say("roster.no_name_column", lang)))
    entries: list[RosterEntry] = []
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        fields = {k: (row[i].strip() if i < len(row) else "") for k, i in positions.items()}
        site = fields.get("site_url") or None
        try:
            if site and not site.lower().startswith(("http://", "https://")):
                raise RosterError(f"网址「{site}」应以 http:// 或 https:// 开头" if lang != "en"
                                  else f"site {site!r} should start with http:// or https://")
            entries.append(entry(fields["name"], fields.get("code") or None, fields.get("level") or None,
                                 fields.get("parent") or None, site, lang))
        except RosterError as error:
            errors.append(say("roster.row_error", lang, row=number, reason=error))
    if errors:
        shown = "；".join(errors[:10]) + (f"（另有 {len(errors) - 10} 行）" if len(errors) > 10 else "")
        raise RosterError(say("roster.file_error", lang, file=path, reason=shown))
    if not entries:
        raise RosterError(say("roster.file_error", lang, file=path, reason=say("roster.nothing", lang)))
    return entries


# ------------------------------------------------------------------------------ from the division table
def from_divisions(code: str, levels: Sequence[str], lang: str = "zh") -> tuple[list[RosterEntry], list[str]]:
    """The governments of division ``code`` and below it at ``levels`` (省/市/县: the division
    table's), with notes on levels the table cannot give (乡镇, 部门)."""
    table = divisions()
    code = code.strip()
    if not re.fullmatch(r"\d{6}", code) or code not in table:
        raise RosterError(say("roster.unknown_code", lang, code=code))
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise RosterError(say("roster.bad_level", lang, level="、".join(unknown)))
    notes = []
    if "乡镇" in levels:
        notes.append(say("roster.no_townships", lang))
    if "部门" in levels:
        notes.append(say("roster.no_departments", lang))
    depth = 2 if code[2:] == "0000" else 4 if code[4:] == "00" else 6
    rank_level = {0: "省", 1: "市", 2: "县"}
    province_name = table.get(code[:2] + "0000")
    found: dict[str, RosterEntry] = {}
    for other, name in sorted(table.items()):
        if other[:depth] != code[:depth]:
            continue
        rank = 0 if other[2:] == "0000" else 1 if other[4:] == "00" else 2
        if rank_level[rank] not in levels:
            continue
        if rank == 1 and name == province_name:
            continue  # a municipality's own "city" row (北京市 110100) is the province's government
        parent_code = None if rank == 0 else (other[:2] + "0000" if rank == 1 else other[:4] + "00")
        parent = table.get(parent_code) if parent_code else None
        if rank == 2 and (parent is None or parent == province_name):
            parent = province_name  # a county under a province or municipality directly
        unit = entry(_division_prefix(other) + "人民政府", other, rank_level[rank],
                     f"{parent}人民政府" if parent else None, lang=lang)
        found.setdefault(unit.agency_key, unit)
    return list(found.values()), notes


# ------------------------------------------------------------------------------ storing and listing
def save(engine: Engine, entries: Iterable[RosterEntry], origin: str) -> tuple[int, int]:
    """Add or update units (by agency_key); (added, updated)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    added = updated = 0
    with engine.begin() as conn:
        known = {key: unit_id for unit_id, key in conn.execute(select(RosterUnit.id, RosterUnit.agency_key))}
        for unit in {e.agency_key: e for e in entries}.values():
            values = {"name": unit.name, "agency_name": unit.agency_name, "region_code": unit.region_code,
                      "level": unit.level, "parent": unit.parent, "site_url": unit.site_url, "origin": origin}
            if unit.agency_key in known:
                conn.execute(update(RosterUnit).where(RosterUnit.id == known[unit.agency_key])
                             .values(**values))
                updated += 1
            else:
                conn.execute(insert(RosterUnit).values(agency_key=unit.agency_key, added_at=now, **values))
                added += 1
    return added, updated


def clear(engine: Engine) -> int:
    """Remove every unit; how many there were."""
    with engine.begin() as conn:
        return conn.execute(delete(RosterUnit)).rowcount or 0


def units(engine: Engine, region: str | None = None) -> pd.DataFrame:
    """The roster (of a region: code or name), ordered by division and level."""
    from .export import frame_of

    where, params = roster_filter(region)
    return frame_of(engine, "SELECT agency_key, name, agency_name, region_code, level, parent, site_url, "
                            f"origin FROM roster_units WHERE {where} ORDER BY region_code, agency_key",
                    params)


_REPORTED = """
SELECT agency_key, MIN(COALESCE(agency_name, agency)) AS agency_name, MIN(level) AS level, year,
       COUNT(*) AS n
FROM reports WHERE agency_key IS NOT NULL AND year IS NOT NULL AND {where}
GROUP BY agency_key, year
"""


def matrix(engine: Engine, region: str | None = None, years: Iterable[int] | None = None) -> pd.DataFrame:
    """Units × years: columns ``agency_key``, ``agency_name``, ``level``, ``roster`` (the unit is on
    the roster), then one column per year (as text: ``"2023"``) with the number of reports the
    unit published for it (0: missing). Units: every roster unit of the region and every agency
    of the region with a report. Years: ``years``, else every year any of them reported (none
    when nothing was reported: then pass ``years``)."""
    from .export import frame_of

    report_where, report_params = report_filter(region) if region else ("1 = 1", {})
    reported = frame_of(engine, _REPORTED.format(where=report_where), report_params)
    roster_where, roster_params = roster_filter(region)
    roster = frame_of(engine, "SELECT agency_key, agency_name, level FROM roster_units "
                              f"WHERE {roster_where}", roster_params)
    span = sorted(set(years) if years is not None else set(reported["year"].astype(int)))
    names = pd.concat([roster.assign(roster=True),
                       reported[["agency_key", "agency_name", "level"]].assign(roster=False)])
    if names.empty:
        return pd.DataFrame(columns=["agency_key", "agency_name", "level", "roster"])
    # the roster's name and level win over a report's
    names = names.drop_duplicates("agency_key", keep="first").set_index("agency_key")
    names["roster"] = names.index.isin(set(roster["agency_key"]))
    if reported.empty:
        counts = pd.DataFrame(index=names.index)
    else:
        reported["year"] = reported["year"].astype(int)
        counts = reported.pivot_table(index="agency_key", columns="year", values="n", aggfunc="sum",
                                      fill_value=0)
    counts = counts.reindex(index=names.index, columns=span, fill_value=0).fillna(0).astype(int)
    counts.columns = [str(year) for year in counts.columns]
    out = names.join(counts).reset_index()
    return out.sort_values(["level", "agency_name"], key=lambda s: s.map(LEVEL_ORDER).fillna(9)
                           if s.name == "level" else s, ignore_index=True)
