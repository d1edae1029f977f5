"""Checks across reports (template.md §5.2 and issue 4): each a function returning a frame of
findings in the columns of :data:`COLUMNS`, with the message in plain Chinese (and English).

* X-CARRY, X-INFORCE, X-ITEMS — consecutive years of one agency, cell by cell (:func:`cross_year`);
* X-DUP — two documents for one agency and year (a re-publication, a corrected version, a copy);
* X-JUMP — a figure ten times (``factor``) bigger or smaller than the year before;
* X-COPY — sections 一 (总体情况) and 五 (存在的主要问题) largely the same text as the year before;
* X-REGION — a region's report received fewer applications than the reports of its units add up to;
* :func:`missing_matrix` — which units of a region published for which years.

Agencies are matched on ``reports.agency_key`` (:mod:`gongkai.agency`); figures are the
effective values copied into ``reports`` (corrections applied).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from ..template import TEMPLATE, TableShape
from .cells import effective_cells
from .export import frame_of
from .schema import Cell, CellPath, ReportRow
from .stats import STAT_COLUMNS

COLUMNS = ["rule", "severity", "agency_key", "agency", "year", "document_id", "source", "other_year",
           "other_document_id", "other_source", "item", "value", "expected", "message", "message_en"]
RULES = ("X-CARRY", "X-INFORCE", "X-ITEMS", "X-DUP", "X-JUMP", "X-COPY", "X-REGION")
COPY_THRESHOLD = 0.5
JUMP_FACTOR = 10.0
JUMP_MIN = 10  # below this the bigger figure is too small for a ratio to mean anything

# figures compared year on year: copied column → its name in a message
JUMP_FIGURES = {"received": ("本年新收政府信息公开申请数量", "applications received"),
                "results_total": ("办理结果总计", "applications handled"),
                "review_total": ("行政复议总计", "administrative reviews"),
                "litigation_total": ("行政诉讼总计", "lawsuits")}
# sections compared for copied text: key → (number and name in a message)
COPY_SECTIONS = {"overview": ("一", "总体情况", "overview"),
                 "problems": ("五", "存在的主要问题及改进情况", "problems and improvements")}
# the notices of template.yaml whose messages these checks fill in
_CARRY, _INFORCE, _ITEMS, _JUMP, _COPY, _REGION = (
    TEMPLATE.notice(rule) for rule in ("X-CARRY", "X-INFORCE", "X-ITEMS", "X-JUMP", "X-COPY", "X-REGION"))
SHINGLE = 5  # characters: long enough that only copied phrases match, short enough for edits


def _findings(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


_PAIRS_SQL = """
SELECT this.document_id AS id, prev.document_id AS prev_id, this.agency_key, this.agency, this.year,
       this.source, prev.source AS prev_source, {columns}
FROM reports this JOIN reports prev ON prev.agency_key = this.agency_key AND prev.year = this.year - 1
ORDER BY this.agency_key, this.year, this.document_id, prev.document_id
"""


def _pairs(engine: Engine, columns: Iterable[str]) -> pd.DataFrame:
    """Reports and the report of the same agency the year before (every pair, duplicates too)."""
    wanted = ", ".join(f"this.{c} AS {c}, prev.{c} AS prev_{c}" for c in columns)
    return frame_of(engine, _PAIRS_SQL.format(columns=wanted))


def _base(pair: Any) -> dict[str, Any]:
    return {"agency_key": pair.agency_key, "agency": pair.agency, "year": pair.year, "document_id": pair.id,
            "source": pair.source, "other_year": pair.year - 1, "other_document_id": pair.prev_id,
            "other_source": pair.prev_source}


# ------------------------------------------------------------------------------ cross-year
_COLUMNS = [c.key for c in TEMPLATE.application_columns]
_INFORCE_ROWS = ("rules", "normative_documents")
# 2019-format table 2 rows that print 上一年项目数量 and 本年增/减 (X-ITEMS)
_ITEM_ROWS = tuple(p.split(".")[1] for p in TEMPLATE.cell_paths(TableShape("2019"))
                   if p.endswith(".prev_items"))


def cell_values(engine: Engine, ids: list[int], paths: list[str]) -> dict[tuple[int, str], float | None]:
    """(report id, path) → effective value, for some reports and paths."""
    out: dict[tuple[int, str], float | None] = {}
    with engine.connect() as conn:
        path_ids = dict(conn.execute(select(CellPath.id, CellPath.path)
                                     .where(CellPath.path.in_(paths))).all())
        for start in range(0, len(ids), 500):
            query = effective_cells().where(Cell.report_id.in_(ids[start:start + 500]),
                                            Cell.path_id.in_(list(path_ids))).subquery()
            out.update({(r, path_ids[p]): v for r, p, v in conn.execute(
                select(query.c.report_id, query.c.path_id, query.c.value))})
    return out


def cross_year(engine: Engine, *, passing: bool = False) -> pd.DataFrame:
    """Findings that need two years of one agency (spec template.md §5.2): X-CARRY, X-INFORCE
    (2021 format both years) and X-ITEMS (2019 format both years).

    Pairs are reports with the same ``agency_key`` and consecutive years; a cell blank in either
    year is not compared. ``passing``: also list the comparisons that hold (``passed`` column).
    """
    this, prev = ReportRow.__table__.alias("this"), ReportRow.__table__.alias("prev")
    pairs = frame_of(engine, select(
        this.c.document_id.label("id"), prev.c.document_id.label("prev_id"), this.c.agency_key,
        this.c.agency, prev.c.agency.label("prev_agency"), this.c.year, this.c.template,
        prev.c.template.label("prev_template"), this.c.source, prev.c.source.label("prev_source"))
        .join(prev, (prev.c.agency_key == this.c.agency_key) & (prev.c.year == this.c.year - 1))
        .order_by(this.c.agency_key, this.c.year))
    columns = ["rule", "severity", "passed", "agency_key", "year", "agency", "prev_agency", "document_id",
               "prev_document_id", "source", "prev_source", "cell", "value", "expected", "message",
               "message_en"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    paths = ([f"applications.{r}.{c}" for r in ("carried_over", "carried_forward") for c in _COLUMNS]
             + [f"active_disclosure.{r}.{c}" for r in _INFORCE_ROWS
                for c in ("issued", "repealed", "in_force")]
             + [f"active_disclosure.{r}.{c}" for r in _ITEM_ROWS for c in ("prev_items", "change")])
    values = cell_values(engine, sorted(set(pairs["id"]) | set(pairs["prev_id"])), paths)
    rows: list[dict[str, Any]] = []
    for pair in pairs.itertuples(index=False):
        base = {"document_id": pair.id, "prev_document_id": pair.prev_id,
                "agency_key": pair.agency_key, "year": pair.year, "agency": pair.agency,
                "prev_agency": pair.prev_agency, "source": pair.source, "prev_source": pair.prev_source}
        for column in _COLUMNS:
            now = values.get((pair.id, f"applications.carried_over.{column}"))
            before = values.get((pair.prev_id, f"applications.carried_forward.{column}"))
            if now is None or before is None or (now == before and not passing):
                continue
            label = TEMPLATE.column_label("applications", column)
            message, message_en = _CARRY.message("differs", label=label, now=now, before=before,
                                                 last_year=pair.year - 1)
            rows.append({**base, "rule": _CARRY.id, "severity": "warning", "passed": now == before,
                         "cell": f"applications.carried_over.{column}", "value": now, "expected": before,
                         "message": message, "message_en": message_en})
        if pair.template == "2019" and pair.prev_template == "2019":
            rows.extend(_items(pair, base, values, passing))
        if pair.template != "2021" or pair.prev_template != "2021":
            continue
        for row in _INFORCE_ROWS:
            got = {k: values.get((pair.id, f"active_disclosure.{row}.{k}")) for k in ("issued", "repealed",
                                                                                       "in_force")}
            before = values.get((pair.prev_id, f"active_disclosure.{row}.in_force"))
            if before is None or None in got.values():
                continue
            expected = before + got["issued"] - got["repealed"]  # type: ignore[operator]
            if got["in_force"] == expected and not passing:
                continue
            label = TEMPLATE.row_label(f"active_disclosure.{row}")
            message, message_en = _INFORCE.message("differs", label=label, before=before, **got)
            rows.append({**base, "rule": _INFORCE.id, "severity": "info",
                         "passed": got["in_force"] == expected,
                         "cell": f"active_disclosure.{row}.in_force", "value": got["in_force"],
                         "expected": expected, "message": message, "message_en": message_en})
    return pd.DataFrame(rows, columns=columns)


def _items(pair: Any, base: dict[str, Any], values: dict[tuple[int, str], float | None],
           passing: bool) -> list[dict[str, Any]]:
    """X-ITEMS: this year's 上一年项目数量 = last year's 上一年项目数量 + last year's 本年增/减."""
    rows = []
    for row in _ITEM_ROWS:
        now = values.get((pair.id, f"active_disclosure.{row}.prev_items"))
        before, change = (values.get((pair.prev_id, f"active_disclosure.{row}.{c}")) for c in ("prev_items",
                                                                                                "change"))
        if now is None or before is None or change is None:
            continue
        expected = before + change
        if now == expected and not passing:
            continue
        message, message_en = _ITEMS.message("differs", label=TEMPLATE.row_label(f"active_disclosure.{row}"),
                                             now=now, before=before, change=change, last_year=pair.year - 1)
        rows.append({**base, "rule": _ITEMS.id, "severity": "info", "passed": now == expected,
                     "cell": f"active_disclosure.{row}.prev_items", "value": now, "expected": expected,
                     "message": message, "message_en": message_en})
    return rows


# ------------------------------------------------------------------------------ duplicates
_DUP_SQL = """
SELECT r.document_id, r.agency_key, r.agency, r.year, r.source, r.template, {figures} FROM reports r
JOIN (SELECT agency_key, year FROM reports WHERE agency_key IS NOT NULL AND year IS NOT NULL
      GROUP BY agency_key, year HAVING COUNT(*) > 1) d ON d.agency_key = r.agency_key AND d.year = r.year
ORDER BY r.agency_key, r.year, r.document_id
"""


def _same_tables(first: Any, other: Any) -> bool:
    """Two documents whose copied figures (table 3's outcomes, table 4's totals) are all equal and
    not all empty: the same report, likely published in several formats."""
    pairs = [(getattr(first, c), getattr(other, c)) for c in STAT_COLUMNS]
    known = [(a, b) for a, b in pairs if not (pd.isna(a) and pd.isna(b))]
    return bool(known) and first.template == other.template and all(
        not pd.isna(a) and not pd.isna(b) and a == b for a, b in known)


def duplicates(engine: Engine) -> pd.DataFrame:
    """X-DUP: an agency and year with more than one stored document; one finding per document
    after the first, naming the first and saying whether their tables hold the same figures (one
    report in several formats: info) or not (which one is the official version: warning)."""
    from ..messages import say

    rows: list[dict[str, Any]] = []
    frame = frame_of(engine, _DUP_SQL.format(figures=", ".join(f"r.{c}" for c in STAT_COLUMNS)))
    for (_key, year), group in frame.groupby(["agency_key", "year"], sort=False):
        first = group.iloc[0]
        for other in group.iloc[1:].itertuples(index=False):
            same = _same_tables(first, other)
            detail = "across.same_content" if same else "across.diff_content"
            values = {"agency": other.agency, "year": year, "count": len(group), "other": first.source}
            rows.append({"rule": "X-DUP", "severity": "info" if same else "warning",
                         "agency_key": other.agency_key, "agency": other.agency, "year": year,
                         "document_id": other.document_id, "source": other.source, "other_year": year,
                         "other_document_id": first.document_id, "other_source": first.source,
                         "item": None, "value": None, "expected": None,
                         "message": say("across.dup", "zh", **values, same=say(detail, "zh")),
                         "message_en": say("across.dup", "en", **values, same=say(detail, "en"))})
    return _findings(rows)


# ------------------------------------------------------------------------------ jumps
def jumps(engine: Engine, *, factor: float = JUMP_FACTOR, minimum: float = JUMP_MIN) -> pd.DataFrame:
    """X-JUMP: a figure at least ``factor`` times bigger or smaller than the same agency's the
    year before (the bigger of the two at least ``minimum``); a warning, since a real change is
    possible but a slipped digit or a wrong unit is likelier."""
    pairs = _pairs(engine, JUMP_FIGURES)
    rows: list[dict[str, Any]] = []
    for pair in pairs.itertuples(index=False):
        for column, (label, label_en) in JUMP_FIGURES.items():
            now, before = getattr(pair, column), getattr(pair, f"prev_{column}")
            if now is None or before is None or pd.isna(now) or pd.isna(before) or max(now, before) < minimum:
                continue
            ratio = now / before if before else float("inf")
            if 1 / factor < ratio < factor:
                continue
            message, message_en = _JUMP.message("more" if ratio >= factor else "less", label=label,
                                                label_en=label_en, now=now, before=before, ratio=ratio)
            rows.append({**_base(pair), "rule": _JUMP.id, "severity": "warning", "item": column,
                         "value": now, "expected": before, "message": message, "message_en": message_en})
    return _findings(rows)


# ------------------------------------------------------------------------------ copied text
def _shingles(text: str) -> set[str]:
    # figures change every year in a copied text, punctuation and spacing with the editor
    plain = re.sub(r"[\d０-９.,，、。；;：:（）()《》“”\"'\s%]+", "#", text)
    return {plain[i:i + SHINGLE] for i in range(len(plain) - SHINGLE + 1)}


def similarity(text: str, previous: str) -> float:
    """The share of this year's text also found in last year's: the fraction of its 5-character
    pieces (figures and punctuation set aside) that last year's text contains. 0 for no text."""
    now = _shingles(text)
    return len(now & _shingles(previous)) / len(now) if now else 0.0


def copied_text(engine: Engine, *, threshold: float = COPY_THRESHOLD,
                sections: Sequence[str] = tuple(COPY_SECTIONS)) -> pd.DataFrame:
    """X-COPY: sections 一 and 五 whose text is ``threshold`` (default 50 %) or more the same as
    the same agency's report the year before (:func:`similarity`); sections under 20 characters
    are not compared."""
    pairs = _pairs(engine, ["sections"])
    rows: list[dict[str, Any]] = []
    for pair in pairs.itertuples(index=False):
        if not pair.sections or not pair.prev_sections:
            continue
        now, before = json.loads(pair.sections), json.loads(pair.prev_sections)
        for key in sections:
            number, name, name_en = COPY_SECTIONS[key]
            this_text, prev_text = now.get(key) or "", before.get(key) or ""
            if len(this_text) < 20 or len(prev_text) < 20:
                continue
            share = similarity(this_text, prev_text)
            if share < threshold:
                continue
            message, message_en = _COPY.message("copied", number=number, name=name, name_en=name_en,
                                                share=share, last_year=pair.year - 1)
            rows.append({**_base(pair), "rule": _COPY.id, "severity": "warning", "item": key,
                         "value": round(share, 4), "expected": threshold,
                         "message": message, "message_en": message_en})
    return _findings(rows)


# ------------------------------------------------------------------------------ region vs units
_REGION_SQL = """
SELECT document_id, agency_key, agency, year, source, region_code, level, received
FROM reports WHERE region_code IS NOT NULL AND year IS NOT NULL AND level IS NOT NULL
"""
_GOVERNMENT_LEVELS = ("省", "市", "县")
_MUNICIPALITIES = ("11", "12", "31", "50")  # their districts are counties directly under them


def _parent_region(frame: pd.DataFrame) -> pd.Series:
    """The region whose government a report is a unit of: a department's or township's own
    division; a city government's province; a county government's city (or municipality)."""
    code = frame["region_code"].str
    parent = frame["region_code"].where(frame["level"].isin(["部门", "乡镇"]))
    parent = parent.mask(frame["level"] == "市", code[:2] + "0000")
    county = code[:4] + "00"
    county = county.mask(code[:2].isin(_MUNICIPALITIES), code[:2] + "0000")
    return parent.mask(frame["level"] == "县", county)


def region_units(engine: Engine) -> pd.DataFrame:
    """X-REGION: where a region government's report and reports of its units (its departments and
    townships, the governments one level below) exist for a year, compare applications received.

    A region's report may cover the government itself or the whole region; a whole-region figure
    can never be below the sum of its units, so a region below that sum is a warning (either the
    report covers only the government itself — say so — or a figure is wrong)."""
    frame = frame_of(engine, _REGION_SQL)
    rows: list[dict[str, Any]] = []
    if frame.empty:
        return _findings(rows)
    units = frame.assign(parent=_parent_region(frame)).dropna(subset=["parent", "received"])
    sums = units.groupby(["year", "parent"])["received"].agg(["sum", "count"]).reset_index()
    regions = frame[frame["level"].isin(_GOVERNMENT_LEVELS) & frame["received"].notna()]
    compared = regions.merge(sums, left_on=["year", "region_code"], right_on=["year", "parent"])
    for region in compared[compared["received"] < compared["sum"]].itertuples(index=False):
        total = float(region.sum)
        message, message_en = _REGION.message("fewer", agency=region.agency, received=region.received,
                                              count=region.count, total=total)
        rows.append({"rule": _REGION.id, "severity": "warning", "agency_key": region.agency_key,
                     "agency": region.agency, "year": region.year, "document_id": region.document_id,
                     "source": region.source, "other_year": region.year, "other_document_id": None,
                     "other_source": None, "item": "received", "value": region.received, "expected": total,
                     "message": message, "message_en": message_en})
    return _findings(rows)


# ------------------------------------------------------------------------------ all of them
def across(engine: Engine, *, rules: Iterable[str] = RULES, threshold: float = COPY_THRESHOLD,
           factor: float = JUMP_FACTOR) -> pd.DataFrame:
    """Every finding across reports, of the rules asked (default: all of :data:`RULES`)."""
    wanted = set(rules)
    unknown = wanted - set(RULES)
    if unknown:
        raise ValueError(f"unknown rule(s) {', '.join(sorted(unknown))}: choose from {', '.join(RULES)}")
    parts = []
    if wanted & {"X-CARRY", "X-INFORCE", "X-ITEMS"}:
        carry = cross_year(engine)
        carry = carry[carry["rule"].isin(wanted)]
        parts.append(_findings([
            {"rule": r.rule, "severity": r.severity, "agency_key": r.agency_key, "agency": r.agency,
             "year": r.year, "document_id": r.document_id, "source": r.source, "other_year": r.year - 1,
             "other_document_id": r.prev_document_id, "other_source": r.prev_source, "item": r.cell,
             "value": r.value, "expected": r.expected, "message": r.message, "message_en": r.message_en}
            for r in carry.itertuples(index=False)]))
    if "X-DUP" in wanted:
        parts.append(duplicates(engine))
    if "X-JUMP" in wanted:
        parts.append(jumps(engine, factor=factor))
    if "X-COPY" in wanted:
        parts.append(copied_text(engine, threshold=threshold))
    if "X-REGION" in wanted:
        parts.append(region_units(engine))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _findings([])
    return pd.concat(parts, ignore_index=True).sort_values(["agency_key", "year", "rule"], kind="stable",
                                                           ignore_index=True)


# ------------------------------------------------------------------------------ missing reports
def missing_matrix(engine: Engine, region: str, years: Iterable[int] | None = None) -> pd.DataFrame:
    """Units × years of a region: how many reports each unit (agency) published each year (0:
    missing). Units are every unit of the region on the roster (``gongkai roster``) and every
    agency of the region with a report in any year; years default to every year any of them
    reported (:func:`gongkai.store.roster.matrix`)."""
    from .roster import matrix

    return matrix(engine, region, years)
