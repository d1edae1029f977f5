"""Reading the store: DataFrames, exports (long and wide), cross-year checks and statistics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, select

from ..report import CellValue, Finding, Report
from ..template import TEMPLATE
from .schema import Cell, CellPath, Document, FindingRow, ReportRow, Source

ExportFormat = Literal["csv", "json", "xlsx", "parquet"]
Form = Literal["long", "wide"]
XLSX_MAX_ROWS = 1_048_575  # one row of the sheet is the header

_REPORT_COLUMNS = ("document_id", "sha256", "source", "agency", "agency_key", "year", "template", "hybrid",
                   "title", "published", "media_type", "size", "parser_version", "n_errors", "n_warnings")


def _restore(value: float | None, is_int: bool) -> int | float | None:
    """Values are stored as doubles; give back the ints the parser produced as ints."""
    return int(value) if is_int and value is not None else value


def _frame(engine: Engine, query: Any) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def reports(engine: Engine) -> pd.DataFrame:
    """One row per stored report: source, agency, year, template and counts of findings."""
    query = (select(ReportRow.document_id, Document.sha256, ReportRow.source, ReportRow.agency,
                    ReportRow.agency_key, ReportRow.year, ReportRow.template, ReportRow.hybrid,
                    ReportRow.title, ReportRow.published, Document.media_type, Document.size,
                    ReportRow.parser_version, ReportRow.n_errors, ReportRow.n_warnings)
             .join(Document, Document.id == ReportRow.document_id).order_by(ReportRow.document_id))
    return _frame(engine, query)


def failures(engine: Engine) -> pd.DataFrame:
    """One row per document that could not be parsed, with the reason and every path it had."""
    query = (select(Document.id.label("document_id"), Document.sha256, Source.path, Document.size,
                    Document.media_type, Document.error.label("reason"), Document.parser_version,
                    Document.ingested_at)
             .join(Source, Source.document_id == Document.id, isouter=True)
             .where(Document.status == "failed").order_by(Document.id, Source.path))
    return _frame(engine, query)


def cells_long(engine: Engine) -> pd.DataFrame:
    """Long form: one row per cell of every report, with its status and provenance."""
    query = (select(Cell.report_id.label("document_id"), Document.sha256, ReportRow.agency, ReportRow.year,
                    ReportRow.template, CellPath.path.label("cell"), Cell.value, Cell.status, Cell.raw,
                    Cell.line, Cell.locator, Cell.rule, Cell.note)
             .join(ReportRow, ReportRow.document_id == Cell.report_id)
             .join(Document, Document.id == Cell.report_id)
             .join(CellPath, CellPath.id == Cell.path_id)
             .order_by(Cell.report_id, Cell.path_id))
    frame = _frame(engine, query)
    frame["value"] = frame["value"].astype("float64")
    return frame


def panel_wide(engine: Engine) -> pd.DataFrame:
    """Wide panel: one row per report, its metadata then one column per cell path (values)."""
    meta = reports(engine)
    long = _frame(engine, select(Cell.report_id.label("document_id"), CellPath.path, Cell.value)
                  .join(CellPath, CellPath.id == Cell.path_id))
    if long.empty:
        return meta
    order = list(dict.fromkeys(long["path"]))
    values = long.pivot(index="document_id", columns="path", values="value").astype("float64")
    values = values[[p for p in order if p in values.columns]]
    values.columns.name = None
    return meta.merge(values, left_on="document_id", right_index=True, how="left")


def report(engine: Engine, sha256: str) -> Report | None:
    """The stored report of a document, rebuilt as a :class:`gongkai.Report` (without sections)."""
    from sqlalchemy.orm import Session

    with Session(engine) as conn:
        row = conn.execute(select(ReportRow, Document.media_type).join(
            Document, Document.id == ReportRow.document_id).where(Document.sha256 == sha256)).first()
        if row is None:
            return None
        meta: ReportRow = row[0]
        cells = {path: CellValue(_restore(value, is_int), status, raw, line,
                                 json.loads(locator) if locator else None, rule, note)
                 for path, value, is_int, status, raw, line, locator, rule, note in conn.execute(
                     select(CellPath.path, Cell.value, Cell.is_int, Cell.status, Cell.raw, Cell.line,
                            Cell.locator, Cell.rule, Cell.note).join(CellPath, CellPath.id == Cell.path_id)
                     .where(Cell.report_id == meta.document_id).order_by(Cell.path_id))}
        findings = [Finding(f.rule, f.severity, f.message, f.message_en,  # type: ignore[arg-type]
                            json.loads(f.cells) if f.cells else [], json.loads(f.values) if f.values else {},
                            f.line, f.evidence)
                    for f in conn.execute(select(FindingRow).where(FindingRow.report_id == meta.document_id)
                                          .order_by(FindingRow.seq)).scalars()]
    return Report(agency=meta.agency, year=meta.year, template=meta.template, cells=cells,
                  findings=findings, hybrid=meta.hybrid, title=meta.title, source=meta.source,
                  media_type=row[1], published=meta.published, parser_version=meta.parser_version)


# ------------------------------------------------------------------------------ exports
def write(frame: pd.DataFrame, target: Path, fmt: ExportFormat) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, so Excel reads Chinese), JSON Lines, XLSX or Parquet."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(target, index=False, encoding="utf-8-sig", float_format="%.15g")
    elif fmt == "json":
        frame.to_json(target, orient="records", lines=True, force_ascii=False)
    elif fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise ValueError(f"{target}: {len(frame)} rows do not fit in one Excel sheet "
                             f"({XLSX_MAX_ROWS}); export csv or parquet instead")
        frame.to_excel(target, index=False, engine="openpyxl")
    elif fmt == "parquet":
        frame.to_parquet(target, index=False, engine="pyarrow")
    else:
        raise ValueError(f"unknown export format {fmt!r}: csv, json, xlsx or parquet")
    return target


# ------------------------------------------------------------------------------ cross-year
_COLUMNS = [c.key for c in TEMPLATE.application_columns]
_INFORCE_ROWS = ("rules", "normative_documents")


def _cells(engine: Engine, ids: list[int], paths: list[str]) -> dict[tuple[int, str], float | None]:
    out: dict[tuple[int, str], float | None] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            query = (select(Cell.report_id, CellPath.path, Cell.value)
                     .join(CellPath, CellPath.id == Cell.path_id)
                     .where(Cell.report_id.in_(ids[start:start + 500]), CellPath.path.in_(paths)))
            out.update({(r, p): v for r, p, v in conn.execute(query)})
    return out


def cross_year(engine: Engine, *, passing: bool = False) -> pd.DataFrame:
    """Findings that need two years of one agency (spec template.md §5): X-CARRY and X-INFORCE.

    Pairs are reports with the same ``agency_key`` and consecutive years; a cell blank in either
    year is not compared. ``passing``: also list the comparisons that hold (``passed`` column).
    """
    this, prev = ReportRow.__table__.alias("this"), ReportRow.__table__.alias("prev")
    pairs = _frame(engine, select(
        this.c.document_id.label("id"), prev.c.document_id.label("prev_id"), this.c.agency_key,
        this.c.agency, prev.c.agency.label("prev_agency"), this.c.year, this.c.template,
        prev.c.template.label("prev_template"), this.c.source, prev.c.source.label("prev_source"))
        .join(prev, (prev.c.agency_key == this.c.agency_key) & (prev.c.year == this.c.year - 1))
        .order_by(this.c.agency_key, this.c.year))
    columns = ["rule", "severity", "passed", "agency_key", "year", "agency", "prev_agency", "source",
               "prev_source", "cell", "value", "expected", "message", "message_en"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    paths = ([f"applications.{r}.{c}" for r in ("carried_over", "carried_forward") for c in _COLUMNS]
             + [f"active_disclosure.{r}.{c}" for r in _INFORCE_ROWS
                for c in ("issued", "repealed", "in_force")])
    values = _cells(engine, sorted(set(pairs["id"]) | set(pairs["prev_id"])), paths)
    rows: list[dict[str, Any]] = []
    for pair in pairs.itertuples(index=False):
        base = {"agency_key": pair.agency_key, "year": pair.year, "agency": pair.agency,
                "prev_agency": pair.prev_agency, "source": pair.source, "prev_source": pair.prev_source}
        for column in _COLUMNS:
            now = values.get((pair.id, f"applications.carried_over.{column}"))
            before = values.get((pair.prev_id, f"applications.carried_forward.{column}"))
            if now is None or before is None or (now == before and not passing):
                continue
            label = TEMPLATE.column_label("applications", column)
            rows.append({**base, "rule": "X-CARRY", "severity": "warning", "passed": now == before,
                         "cell": f"applications.carried_over.{column}", "value": now, "expected": before,
                         "message": f"表三「{label}」列：本年上年结转({now:g})≠ {pair.year - 1}年报告的"
                                    f"结转下年度继续办理({before:g})",
                         "message_en": f"Table 3, column {label}: carried over ({now:g}) ≠ carried forward "
                                       f"in the {pair.year - 1} report ({before:g})"})
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
            rows.append({**base, "rule": "X-INFORCE", "severity": "info",
                         "passed": got["in_force"] == expected,
                         "cell": f"active_disclosure.{row}.in_force", "value": got["in_force"],
                         "expected": expected,
                         "message": f"表二「{label}」：现行有效件数({got['in_force']:g})≠ 上年现行有效"
                                    f"({before:g})+本年制发({got['issued']:g})−本年废止({got['repealed']:g})，"
                                    "文件也可能未经废止而失效，请核实",
                         "message_en": f"Table 2, {label}: in force ({got['in_force']:g}) ≠ last year's "
                                       f"({before:g}) + issued ({got['issued']:g}) − repealed "
                                       f"({got['repealed']:g})"})
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------ stats
STATS_SQL = """
SELECT year, template, COUNT(*) AS reports, SUM(received) AS received,
       SUM(granted) AS granted, SUM(partly_granted) AS partly_granted, SUM(results_total) AS results_total
FROM reports GROUP BY year, template ORDER BY year, template
"""
RULES_SQL = """
SELECT r.year, r.template, f.rule, COUNT(DISTINCT f.report_id) AS failing
FROM findings f JOIN reports r ON r.document_id = f.report_id
WHERE f.severity IN ('error', 'warning')
GROUP BY r.year, r.template, f.rule
"""


def stats(engine: Engine) -> pd.DataFrame:
    """Per year and template: reports, applications received, 公开率 ((一)+(二))/(七) pooled over the
    reports, and for each rule the share of reports with an error or warning from it.

    The first query is answered from the covering index ``ix_reports_stats`` alone; the second
    scans ``ix_findings_rule`` (findings are few per report) and looks reports up by primary key.
    """
    from sqlalchemy import text

    with engine.connect() as conn:
        base = pd.DataFrame(conn.execute(text(STATS_SQL)).all(),
                            columns=["year", "template", "reports", "received", "granted", "partly_granted",
                                     "results_total"])
        rules = pd.DataFrame(conn.execute(text(RULES_SQL)).all(),
                             columns=["year", "template", "rule", "failing"])
    if base.empty:
        return base
    opened = base["granted"].fillna(0) + base["partly_granted"].fillna(0)
    base["disclosure_rate"] = (opened / base["results_total"].where(base["results_total"] > 0)).astype(float)
    base = base.drop(columns=["granted", "partly_granted", "results_total"])
    if not rules.empty:
        share = rules.pivot_table(index=["year", "template"], columns="rule", values="failing",
                                  aggfunc="sum", dropna=False)
        share.columns = [f"fail_{c}" for c in share.columns]
        base = base.merge(share.reset_index(), on=["year", "template"], how="left")
        for column in share.columns:
            base[column] = base[column].fillna(0) / base["reports"]
    return base
