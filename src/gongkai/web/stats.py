"""The dashboard's figures, each a small table (columns + rows) the page draws and offers as CSV.

Everything reads ``reports`` (whose copied figures — outcome groups, table 4's totals and
corrected counts — hold the effective values, see :mod:`gongkai.store.stats`) and ``findings``;
no figure reads the 200 cells of each report. Figures are still scans on a million reports, so
they are cached (:class:`StatsCache`) and the cache is dropped when a correction or an upload
changes the data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, text

from ..store.export import text_cell
from ..store.stats import OUTCOMES
from .cache import BoundedCache
from .queries import ListQuery, filters_sql

MAX_AGENCIES = 60  # rows of the missing-reports matrix and of the side-by-side chart


@dataclass(slots=True)
class Figure:
    name: str
    title: str
    kind: str  # bar | stacked | line | heatmap
    columns: list[str]
    rows: list[list[Any]]
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "columns": self.columns,
                "rows": self.rows, "note": self.note, **self.extra}

    def to_csv(self) -> str:
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads UTF-8 Chinese only with the BOM
        writer = csv.writer(out)
        # an agency name such as "=HYPERLINK(…)" must stay text in a spreadsheet (CSV injection)
        writer.writerow([text_cell(c) for c in self.columns])
        writer.writerows([text_cell(v) for v in row] for row in self.rows)
        return out.getvalue()


@dataclass(slots=True)
class Params:
    region: str | None = None
    level: str | None = None
    year: int | None = None
    agency: str | None = None  # an agency_key

    def key(self) -> tuple[Any, ...]:
        return (self.region, self.level, self.year, self.agency)


def _where(params: Params, *, year: bool = True, alias: str = "") -> tuple[str, dict[str, Any]]:
    clauses, values = filters_sql(ListQuery(region=params.region, level=params.level,
                                            year=params.year if year else None), alias)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def counts_by(conn: Connection, params: Params, by: str) -> Figure:
    column = {"year": "year", "region": "COALESCE(province, '未识别')",
              "level": "COALESCE(level, '未识别')"}[by]
    where, values = _where(params, year=by != "year")
    rows = conn.execute(text(f"SELECT {column} AS k, COUNT(*) FROM reports{where} GROUP BY k ORDER BY k"),
                        values).all()
    title = {"year": "各年度报告数", "region": "各省份报告数", "level": "各级别报告数"}[by]
    heading = {"year": "年度", "region": "省份", "level": "级别"}[by]
    return Figure(f"counts_{by}", title, "bar", [heading, "报告数"],
                  [[k if k is not None else "未识别", n] for k, n in rows])


def rules_share(conn: Connection, params: Params) -> Figure:
    where, values = _where(params, alias="r")
    total = conn.execute(text(f"SELECT COUNT(*) FROM reports r{where}"), values).scalar_one()
    joiner = " AND " if where else " WHERE "
    rows = conn.execute(text(
        "SELECT f.rule, COUNT(DISTINCT f.report_id) FROM findings f "
        f"JOIN reports r ON r.document_id = f.report_id"
        f"{where}{joiner}f.severity IN ('error', 'warning') GROUP BY f.rule ORDER BY 2 DESC"), values).all()
    return Figure("rules", "未通过各规则的报告占比（%）", "bar", ["规则", "占比%", "报告数"],
                  [[rule, round(100 * n / total, 2) if total else 0, n] for rule, n in rows],
                  note=f"共 {total} 份报告；只计错误和警告", extra={"series": 1})


_OUTCOME_LABELS = {"granted": "予以公开", "partly_granted": "部分公开", "denied": "不予公开",
                   "unable": "无法提供", "unprocessed": "不予处理", "other_handled": "其他处理"}


def outcomes(conn: Connection, params: Params) -> Figure:
    """Table 3's outcome groups per year, summed over the reports (their copied figures)."""
    where, values = _where(params, year=False)
    joiner = " AND " if where else " WHERE "
    sums = ", ".join(f"SUM({column})" for column in OUTCOMES)
    rows = conn.execute(text(f"SELECT year, {sums} FROM reports{where}{joiner}year IS NOT NULL "
                             "GROUP BY year ORDER BY year"), values).all()
    return Figure("outcomes", "申请办理结果构成（件）", "stacked",
                  ["年度", *(_OUTCOME_LABELS[c] for c in OUTCOMES)],
                  [[year, *(v or 0 for v in sums_)] for year, *sums_ in rows])


def _rate(part: float | None, whole: float | None) -> float | None:
    return round(100 * (part or 0) / whole, 2) if whole else None


def correction_rates(conn: Connection, params: Params) -> Figure:
    """纠错率 = 结果纠正 / 总计, for 行政复议 and for 行政诉讼 (both of its groups), per year."""
    where, values = _where(params, year=False)
    joiner = " AND " if where else " WHERE "
    rows = conn.execute(text(
        "SELECT year, SUM(review_corrected), SUM(review_total), SUM(litigation_corrected), "
        "SUM(litigation_total) "
        f"FROM reports{where}{joiner}year IS NOT NULL GROUP BY year ORDER BY year"), values).all()
    return Figure("correction_rates", "行政复议、行政诉讼纠错率（%）", "line",
                  ["年度", "行政复议纠错率%", "行政诉讼纠错率%", "复议纠正", "复议总计", "诉讼纠正",
                   "诉讼总计"],
                  [[year, _rate(rc, rt), _rate(lc, lt), rc, rt, lc, lt] for year, rc, rt, lc, lt in rows],
                  extra={"series": 2})


MATRIX_UNITS = 500  # rows of the missing-reports matrix on the page (the CSV has every unit)


def missing_matrix(conn: Connection, params: Params) -> Figure:
    """Units × years (:func:`gongkai.store.roster.matrix`): every roster unit of the region — those
    that never published included — and every unit with a report; per year the number of files
    (0: missing). Units missing most years first. Rows: name, level, on the roster, then a count
    per year; ``extra`` says which units and years."""
    from ..store.roster import matrix

    years = [params.year] if params.year is not None else None
    frame = matrix(conn.engine, params.region, years)
    if params.level and not frame.empty:
        frame = frame[frame["level"] == params.level]
    year_columns = [c for c in frame.columns if str(c).isdigit()]
    columns = ["单位", "级别", "名册", *year_columns]
    if frame.empty or not year_columns:
        note = "名册和报告中都没有该地区的单位" if frame.empty else "尚无任何年度的报告"
        return Figure("missing", "缺报矩阵（单位 × 年度）", "matrix", columns, [], note=note,
                      extra={"agencies": [], "keys": [], "years": year_columns, "roster": [],
                             "units": len(frame)})
    missing = (frame[year_columns] == 0).sum(axis=1)
    frame = frame.assign(_missing=missing).sort_values("_missing", ascending=False, kind="stable")
    rows = [[str(unit["agency_name"] or unit["agency_key"]),
             unit["level"] if isinstance(unit["level"], str) else "", "是" if unit["roster"] else "",
             *(int(unit[year]) for year in year_columns)]
            for unit in frame.to_dict("records")]
    on_roster = int(frame["roster"].sum())
    never = int((frame[year_columns].sum(axis=1) == 0).sum())
    return Figure("missing", "缺报矩阵（单位 × 年度）", "matrix", columns, rows,
                  note=f"{len(frame)} 个单位（名册 {on_roster} 个），{never} 个从未发布；缺报最多的在前",
                  extra={"agencies": [row[0] for row in rows], "keys": list(frame["agency_key"]),
                         "years": year_columns, "roster": [bool(v) for v in frame["roster"]],
                         "units": len(frame)})


TIMELINESS_REPORTS = 20_000  # reports the timeliness figure reads: their dates are read anew each time
TIMELINESS_STATES = ("按时", "逾期", "日期不明", "无法定期限")
TIMELINESS_COLOURS = ["#2e7d32", "#c62828", "#9e9e9e", "#d7ccc8"]  # on time green, late red, unknown grey


def timeliness_by_year(conn: Connection, params: Params) -> Figure:
    """Reports on time and late per year (art. 49 of the Regulation: departments by 31 January,
    governments by 31 March; :mod:`gongkai.check.timeliness`), with those whose date is not known
    and those with no legal deadline. The dates are read from each report (its page metadata, the
    text, the URL, the signature), so a filter narrower than :data:`TIMELINESS_REPORTS` reports is
    asked for."""
    from ..store.export import Filters, frame_of, timeliness
    from ..store.schema import ReportRow

    columns = ["年度", *TIMELINESS_STATES]
    where, values = _where(params)
    total = conn.execute(text(f"SELECT COUNT(*) FROM reports{where}"), values).scalar_one()
    if total > TIMELINESS_REPORTS:
        return Figure("timeliness", "按时发布情况（份）", "stacked", columns, [],
                      note=f"共 {total:,} 份报告，逐份判断太多：请选择地区或年度"
                           f"（至多 {TIMELINESS_REPORTS:,} 份）")
    chosen = Filters(region=params.region or None, years=(params.year,) if params.year is not None else (),
                     levels=(params.level,) if params.level else ())
    judged = timeliness(conn.engine, chosen)
    query = select(ReportRow.document_id, ReportRow.year)
    years = frame_of(conn.engine, query.where(chosen.clause()) if chosen else query)
    merged = judged.merge(years, on="document_id")
    merged = merged[merged["year"].notna()]
    counts = merged.groupby([merged["year"].astype(int), "timeliness"]).size()
    rows = [[int(year), *(int(counts.get((year, state), 0)) for state in TIMELINESS_STATES)]
            for year in sorted({int(y) for y in merged["year"]})]
    late = sum(row[2] for row in rows)
    return Figure("timeliness", "按时发布情况（份）", "stacked", columns, rows,
                  note=f"逾期 {late} 份；期限：部门 1 月 31 日前，各级人民政府 3 月 31 日前"
                       "（条例第四十九条）；日期不明：未找到发布日期，不作推测",
                  extra={"series": len(TIMELINESS_STATES), "colors": TIMELINESS_COLOURS})


MAX_MATCHES = 20


def search_agencies(conn: Connection, params: Params, q: str) -> list[dict[str, Any]]:
    """Agencies whose name or key contains ``q`` (within the dashboard's region and level), the
    ones with most reports first: key, a name it reports under, reports, first and last year."""
    q = q.strip()
    if not q:
        return []
    where, values = _where(params, year=False)
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    values["agency_q"] = f"%{escaped}%"
    joiner = " AND " if where else " WHERE "
    rows = conn.execute(text(
        "SELECT agency_key, MAX(COALESCE(agency_name, agency)), COUNT(*), MIN(year), MAX(year) "
        f"FROM reports{where}{joiner}agency_key IS NOT NULL AND (agency_key LIKE :agency_q ESCAPE '\\' "
        "OR agency LIKE :agency_q ESCAPE '\\' OR agency_name LIKE :agency_q ESCAPE '\\') "
        f"GROUP BY agency_key ORDER BY 3 DESC, 2 LIMIT {MAX_MATCHES}"), values).all()
    return [{"key": key, "name": name or key, "reports": n, "first_year": first, "last_year": last}
            for key, name, n, first, last in rows]


MAX_REGIONS = 400


def region_choices(conn: Connection) -> list[tuple[str, str]]:
    """(division code, full name) of the provinces, cities and counties that have reports or roster
    units, for the matrix's region selector; at most :data:`MAX_REGIONS` (counties go first)."""
    from ..agency import divisions

    codes: set[str] = set()
    for source in ("reports", "roster_units"):
        codes |= {c for (c,) in conn.execute(text(
            f"SELECT DISTINCT substr(region_code, 1, 6) FROM {source} WHERE region_code IS NOT NULL")) if c}
    table = divisions()
    wanted: set[str] = set()
    for code in codes:
        for width in (2, 4, 6):
            prefix = code[:width].ljust(6, "0")
            if prefix in table:
                wanted.add(prefix)
    ranked = sorted(wanted, key=lambda c: (c[2:] != "0000", c[4:] != "00", c))[:MAX_REGIONS]

    def name(code: str) -> str:
        """「江苏省淮安市」 for 320800: the division's name after those above it."""
        depth = 2 if code[2:] == "0000" else 4 if code[4:] == "00" else 6
        parts = [table.get(code[:width].ljust(6, "0")) for width in (2, 4, 6) if width <= depth]
        return "".join(dict.fromkeys(p for p in parts if p))  # a municipality is province and city

    return sorted(((code, name(code)) for code in ranked), key=lambda item: item[0])


def agency_years(conn: Connection, params: Params) -> Figure:
    """One agency year by year; ``agency`` is its agency_key or a name it reports under."""
    if not params.agency:
        return Figure("agency", "单位逐年对比", "bar", ["年度"], [],
                      note="请在上方“单位”框中搜索并选择一个单位")
    rows = conn.execute(text(
        "SELECT year, SUM(received), SUM(granted), SUM(partly_granted), SUM(results_total), SUM(n_errors) "
        "FROM reports WHERE (agency_key = :a OR agency = :a OR agency_name = :a) AND year IS NOT NULL "
        "GROUP BY year ORDER BY year"), {"a": params.agency}).all()
    name = conn.execute(text(
        "SELECT MAX(COALESCE(agency_name, agency)) FROM reports WHERE agency_key = :a OR agency = :a "
        "OR agency_name = :a"), {"a": params.agency}).scalar() or params.agency
    return Figure("agency", f"{name} 逐年对比", "bar",
                  ["年度", "新收申请", "予以公开", "部分公开", "办理总计", "错误数"], [list(r) for r in rows],
                  note=None if rows else f"没有单位“{params.agency}”的报告")


def region_agencies(conn: Connection, params: Params) -> Figure:
    where, values = _where(params)
    rows = conn.execute(text(
        "SELECT MAX(COALESCE(agency_name, agency, agency_key, '未识别')), SUM(received), "
        "SUM(granted) + SUM(partly_granted), SUM(results_total), SUM(n_errors) "
        f"FROM reports{where} GROUP BY COALESCE(agency_key, agency) ORDER BY 2 DESC LIMIT {MAX_AGENCIES}"),
        values).all()
    return Figure("region", "地区内各单位对比", "bar",
                  ["单位", "新收申请", "公开(含部分)", "办理总计", "错误数"],
                  [list(r) for r in rows], note="按地区、级别、年度筛选；按新收申请数排序")


CHARTS: dict[str, Callable[[Connection, Params], Figure]] = {
    "counts_year": lambda c, p: counts_by(c, p, "year"),
    "counts_region": lambda c, p: counts_by(c, p, "region"),
    "counts_level": lambda c, p: counts_by(c, p, "level"),
    "rules": rules_share,
    "outcomes": outcomes,
    "correction_rates": correction_rates,
    "missing": missing_matrix,
    "timeliness": timeliness_by_year,
    "agency": agency_years,
    "region": region_agencies,
}


class StatsCache:
    """Figures by (name, filters), kept ``ttl`` seconds, at most ``max_entries`` of them (least
    recently used leave first); ``clear`` after writes."""

    def __init__(self, ttl: float = 300.0, max_entries: int = 512) -> None:
        self._figures: BoundedCache[Figure] = BoundedCache(max_entries, ttl=ttl)

    def get(self, conn: Connection, name: str, params: Params) -> Figure:
        key = (name, *params.key())
        hit = self._figures.get(key)
        if hit is not None:
            return hit
        return self._figures.put(key, CHARTS[name](conn, params))

    def clear(self) -> None:
        self._figures.clear()

    def __len__(self) -> int:
        return len(self._figures)
