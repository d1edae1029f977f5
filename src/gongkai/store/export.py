"""Reading the store: DataFrames, exports (long, wide, the official tables), cross-year checks.

Everything here reads *effective* values: a cell's newest manual correction (``corrections``,
highest id per report and cell) replaces the parsed value, with status ``corrected``; the
parsed value stays in ``cells`` (see :mod:`gongkai.store.cells`). :func:`report` alone gives the
report as parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import pandas as pd
from sqlalchemy import Engine, Select, func, select, text

from ..report import CellValue, Finding, Report, Status
from ..template import TEMPLATE
from .cells import CORRECTED, effective_cells, effective_report_cells, restore_number
from .schema import Cell, CellPath, Document, FindingRow, ReportRow, Source
from .stats import STAT_COLUMNS

ExportFormat = Literal["csv", "json", "xlsx", "parquet"]
Form = Literal["long", "wide", "official", "workbook"]
FrameKind = Literal["pandas", "polars"]
XLSX_MAX_ROWS = 1_048_575  # one row of the sheet is the header
# A spreadsheet reads a cell starting with one of these as a formula: report text such as a title
# "=HYPERLINK(…)" must stay text in every export (CSV/XLSX injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe (the
    usual neutralisation, shown by Excel and LibreOffice as the text itself); other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    text_columns = [c for c in frame.columns
                    if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    if not text_columns:
        return frame
    frame = frame.copy()
    for column in text_columns:
        frame[column] = frame[column].map(text_cell)
    return frame


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    """A sheet with the header and the rows, made to be read by people: a bold header frozen above
    the rows, with a filter, and columns as wide as their text (measured on the first rows); every
    string typed as a string (``t="s"``), so that no cell becomes a formula whatever it starts
    with. Written row by row (write-only), so a long export costs little memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_column_widths(frame), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    bold, fill = Font(bold=True), PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")

    def heading(value: str) -> Any:
        typed = WriteOnlyCell(sheet, value=value)
        typed.data_type, typed.font, typed.fill = "s", bold, fill
        return typed

    def cell(value: Any) -> Any:
        missing = value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)
        if value is None or missing:  # NaN, NA, NaT: an empty cell
            return None
        if hasattr(value, "item"):  # numpy scalars
            value = value.item()
        if isinstance(value, str):
            typed = WriteOnlyCell(sheet, value=value)
            typed.data_type = "s"
            return typed
        return value

    sheet.append([heading(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell(v) for v in row])
    workbook.save(target)


def _column_widths(frame: pd.DataFrame, rows: int = 200, widest: int = 60) -> list[int]:
    """Each column's width in characters: its header's or its widest value's among the first
    ``rows`` (a Chinese character counts two), between 6 and ``widest``."""
    def width(value: Any) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in ("" if value is None else str(value)))

    head = frame.head(rows)
    return [min(widest, max(6, width(column) + 2,
                            *(width(v) + 2 for v in head[column] if v is not None and v == v)))
            for column in frame.columns]


def frame_of(engine: Engine, query: Any, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rows of a query (a SQLAlchemy statement, or SQL text) as a pandas frame."""
    if isinstance(query, str):
        query = text(query)
    with engine.connect() as conn:
        result = conn.execute(query, params or {})
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def to_kind(frame: pd.DataFrame, kind: FrameKind) -> Any:
    """A pandas frame as asked: itself, or a polars frame."""
    if kind == "pandas":
        return frame
    if kind == "polars":
        try:
            import polars as pl
        except ImportError:
            raise ImportError("polars frames need polars: pip install 'gongkai[polars]'", name="polars") \
                from None
        return pl.from_pandas(frame)
    raise ValueError(f"unknown frame kind {kind!r}: pandas or polars")


@dataclass(frozen=True)
class Filters:
    """Which reports an export or listing takes: a region (division code or name, with
    everything below it), years, levels (省/市/县/乡镇/部门) and template editions (2019/2021).
    Empty: every report."""

    region: str | None = None
    years: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.region or self.years or self.levels or self.editions)

    def sql(self) -> tuple[str, dict[str, Any]]:
        """A condition on the ``reports`` table (qualified), with its parameters."""
        parts: list[str] = []
        params: dict[str, Any] = {}
        if self.region:
            from ..agency import identify

            code = self.region if self.region.isdigit() else identify(self.region).region_code
            if code:
                code = code.ljust(6, "0")[:6]
                depth = 2 if code[2:] == "0000" else 4 if code[4:] == "00" else 6
                parts.append("substr(reports.region_code, 1, :f_depth) = :f_prefix")
                params.update(f_depth=depth, f_prefix=code[:depth])
            else:
                parts.append("(reports.province = :f_name OR reports.city = :f_name "
                             "OR reports.county = :f_name OR reports.agency LIKE :f_like)")
                params.update(f_name=self.region, f_like=f"{self.region}%")
        for column, values, name in (("year", self.years, "f_year"), ("level", self.levels, "f_level"),
                                     ("template", self.editions, "f_edition")):
            if values:
                names = [f"{name}{i}" for i in range(len(values))]
                parts.append(f"reports.{column} IN ({', '.join(':' + n for n in names)})")
                params.update(zip(names, values, strict=True))
        return " AND ".join(parts) or "1 = 1", params

    def clause(self) -> Any:
        condition, params = self.sql()
        return text(condition).bindparams(**params)


def reports(engine: Engine, filters: Filters | None = None) -> pd.DataFrame:
    """One row per stored report: source, agency and its identity, year, template, counts of
    findings and the copied figures (effective values)."""
    query = reports_query()
    if filters:
        query = query.where(filters.clause())
    return frame_of(engine, query)


def reports_query() -> Select:
    """The query behind :func:`reports` (its columns are the wide panel's first columns)."""
    identity = [getattr(ReportRow, c) for c in ("agency_name", "region_code", "province", "city", "county",
                                                 "township", "level")]
    return (select(ReportRow.document_id, Document.sha256, ReportRow.source, ReportRow.agency,
                    ReportRow.agency_key, *identity, ReportRow.year, ReportRow.template, ReportRow.hybrid,
                    ReportRow.title, ReportRow.published, Document.media_type, Document.size,
                    ReportRow.parser_version, ReportRow.n_errors, ReportRow.n_warnings,
                    ReportRow.failed_rules, *(getattr(ReportRow, c) for c in STAT_COLUMNS))
            .join(Document, Document.id == ReportRow.document_id).order_by(ReportRow.document_id))


def failures(engine: Engine) -> pd.DataFrame:
    """One row per document that could not be parsed, with the reason and every path it had."""
    query = (select(Document.id.label("document_id"), Document.sha256, Source.path, Document.size,
                    Document.media_type, Document.error.label("reason"), Document.parser_version,
                    Document.ingested_at)
             .join(Source, Source.document_id == Document.id, isouter=True)
             .where(Document.status == "failed").order_by(Document.id, Source.path))
    return frame_of(engine, query)


PART_ROWS = 20_000  # rows read at a time by an export that shows its progress (200 cells a report)


def _read_counting_reports(engine: Engine, query: Any, filters: Filters | None,
                           on_report: Callable[[int, int], None]) -> pd.DataFrame:
    """The rows of ``query`` as a frame, read in parts; ``on_report(done, total)`` as the rows of
    more reports (its first column) arrive, so a long export shows its progress."""
    counting = select(func.count()).select_from(ReportRow)
    with engine.connect() as conn:
        total = conn.execute(counting.where(filters.clause()) if filters else counting).scalar_one()
        on_report(0, total)
        result = conn.execution_options(stream_results=True, yield_per=PART_ROWS).execute(query)
        columns = list(result.keys())
        rows: list[Any] = []
        seen: set[Any] = set()
        for part in result.partitions():
            rows.extend(part)
            seen.update(row[0] for row in part)
            on_report(min(len(seen), total), total)
    on_report(total, total)
    return pd.DataFrame(rows, columns=columns)


def cells_long(engine: Engine, filters: Filters | None = None,
               on_report: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Long form: one row per cell of every report, with its (effective) value, status and
    provenance; ``on_report(done, total)`` as the reports are read."""
    cells = effective_cells().subquery("cells")
    query = (select(cells.c.report_id.label("document_id"), Document.sha256, ReportRow.agency,
                    ReportRow.agency_key, ReportRow.region_code, ReportRow.level, ReportRow.year,
                    ReportRow.template, CellPath.path.label("cell"), cells.c.value, cells.c.status,
                    cells.c.raw, cells.c.line, cells.c.locator, cells.c.rule, cells.c.note)
             .join(ReportRow, ReportRow.document_id == cells.c.report_id)
             .join(Document, Document.id == cells.c.report_id)
             .join(CellPath, CellPath.id == cells.c.path_id)
             .order_by(cells.c.report_id, cells.c.path_id))
    if filters:
        query = query.where(filters.clause())
    frame = frame_of(engine, query) if on_report is None else _read_counting_reports(engine, query, filters,
                                                                                     on_report)
    frame["value"] = frame["value"].astype("float64")
    return frame


def panel_wide(engine: Engine, filters: Filters | None = None,
               on_report: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Wide panel: one row per report, its metadata then one column per cell path (effective
    values); ``on_report(done, total)`` as the reports' cells are read."""
    meta = reports(engine, filters)
    cells = effective_cells().subquery("cells")
    query = (select(cells.c.report_id.label("document_id"), CellPath.path, cells.c.value)
             .join(CellPath, CellPath.id == cells.c.path_id))
    if filters:
        query = query.join(ReportRow, ReportRow.document_id == cells.c.report_id).where(filters.clause())
    long = frame_of(engine, query) if on_report is None else _read_counting_reports(engine, query, filters,
                                                                                    on_report)
    if long.empty:
        return meta
    order = list(dict.fromkeys(long["path"]))
    values = long.pivot(index="document_id", columns="path", values="value").astype("float64")
    values = values[[p for p in order if p in values.columns]]
    values.columns.name = None
    return meta.merge(values, left_on="document_id", right_index=True, how="left")


def report(engine: Engine, sha256: str) -> Report | None:
    """The stored report of a document as parsed (corrections not applied), rebuilt as a
    :class:`gongkai.Report`."""
    from sqlalchemy.orm import Session

    with Session(engine) as conn:
        row = conn.execute(select(ReportRow, Document.media_type).join(
            Document, Document.id == ReportRow.document_id).where(Document.sha256 == sha256)).first()
        if row is None:
            return None
        meta: ReportRow = row[0]
        # the column holds the Status a parsed CellValue had (no corrections here): a plain str to SQLAlchemy
        cells = {path: CellValue(restore_number(value, is_int), cast(Status, status), raw, line,
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
                  media_type=row[1], published=meta.published, parser_version=meta.parser_version,
                  sections=json.loads(meta.sections) if meta.sections else {})


# ------------------------------------------------------------------------------ exports
def write(frame: pd.DataFrame, target: Path, fmt: ExportFormat) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, so Excel reads Chinese), JSON Lines, XLSX or Parquet."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _csv_safe(frame).to_csv(target, index=False, encoding="utf-8-sig", float_format="%.15g")
    elif fmt == "json":
        frame.to_json(target, orient="records", lines=True, force_ascii=False)
    elif fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise ValueError(f"{target}: {len(frame)} rows do not fit in one Excel sheet "
                             f"({XLSX_MAX_ROWS}); export csv or parquet instead")
        _write_xlsx(frame, target)
    elif fmt == "parquet":
        frame.to_parquet(target, index=False, engine="pyarrow")
    else:
        raise ValueError(f"unknown export format {fmt!r}: csv, json, xlsx or parquet")
    return target


# ------------------------------------------------------------------------------ the official tables
def official_xlsx(engine: Engine, report_id: int) -> bytes:
    """One report as an XLSX workbook with one sheet per table (二、三、四), each laid out like the
    official template by :mod:`gongkai.render` with its effective values, coloured by status
    (corrections in yellow), and a sheet ``说明`` naming the report and the colours."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    from ..render import FormTable, form_blocks
    from ..render._xlsx import STATUS_FILLS, write_table
    from ..template import TableShape

    with engine.connect() as conn:
        meta = conn.execute(select(ReportRow.agency, ReportRow.year, ReportRow.template, ReportRow.hybrid,
                                   ReportRow.title, ReportRow.source)
                            .where(ReportRow.document_id == report_id)).first()
        if meta is None:
            raise ValueError(f"no stored report {report_id}")
        if meta.template is None:
            raise ValueError(f"report {report_id} ({meta.source}) has no template format to lay out")
        cells = effective_report_cells(conn, report_id)
    numbers = {s.key: f"{s.number}、{s.label.text}" for s in TEMPLATE.sections}
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    for row in (("单位", meta.agency), ("年度", meta.year), ("格式", f"{meta.template}年"),
                ("标题", meta.title), ("来源", meta.source)):
        notes.append(list(row))
        value = notes.cell(notes.max_row, 2)
        if isinstance(value.value, str):
            value.data_type = "s"  # report text is never a formula (CSV/XLSX injection)
    notes.append([])
    fills = STATUS_FILLS
    legend = {"read": "读取", "blank": "空白", "missing": "缺失", "inferred": "推算", CORRECTED: "人工更正"}
    for status, label in legend.items():
        notes.append([label, status])
        if status in fills:
            notes.cell(notes.max_row, 1).fill = PatternFill("solid", start_color=fills[status],
                                                            end_color=fills[status])
    for block in form_blocks(TableShape(meta.template, bool(meta.hybrid)), meta.title):
        if not isinstance(block, FormTable):
            continue
        sheet = workbook.create_sheet(numbers[block.section][:31])
        write_table(sheet, block, 1, cells.get)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_official(engine: Engine, folder: Path, filters: Filters | None = None,
                   on_report: Callable[[int, int], None] | None = None) -> list[Path]:
    """Every report with a template format as ``folder/<id>-<agency>-<year>.xlsx``
    (:func:`official_xlsx`); ``on_report(done, total)`` after each file written."""
    import re

    folder.mkdir(parents=True, exist_ok=True)
    query = (select(ReportRow.document_id, ReportRow.agency, ReportRow.year)
             .where(ReportRow.template.is_not(None)).order_by(ReportRow.document_id))
    if filters:
        query = query.where(filters.clause())
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    written = []
    for report_id, agency, year in rows:
        name = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{report_id}-{agency or '未知单位'}-{year or '未知年度'}")
        target = folder / f"{name}.xlsx"
        target.write_bytes(official_xlsx(engine, report_id))
        written.append(target)
        if on_report:
            on_report(len(written), len(rows))
    return written


# ------------------------------------------------------------------------------ for people
def findings(engine: Engine, filters: Filters | None = None, *, rules: tuple[str, ...] = (),
             severities: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every stored finding of the reports ``filters`` selects (of ``rules`` and ``severities``
    when given), with the report's agency, level, region, year and source."""
    query = (select(FindingRow.report_id.label("document_id"), ReportRow.agency, ReportRow.level,
                    ReportRow.region_code, ReportRow.year, ReportRow.template, ReportRow.source,
                    FindingRow.seq, FindingRow.severity, FindingRow.rule, FindingRow.message,
                    FindingRow.message_en, FindingRow.cells, FindingRow.line, FindingRow.evidence)
             .join(ReportRow, ReportRow.document_id == FindingRow.report_id)
             .order_by(FindingRow.report_id, FindingRow.seq))
    if filters:
        query = query.where(filters.clause())
    if rules:
        query = query.where(FindingRow.rule.in_(rules))
    if severities:
        query = query.where(FindingRow.severity.in_(severities))
    frame = frame_of(engine, query)
    frame["cells"] = [", ".join(json.loads(c)) if isinstance(c, str) else None for c in frame["cells"]]
    return frame


def collected_dates(engine: Engine) -> dict[str, list[Any]]:
    """sha256 → the publication dates the collector read for a document (meta, page text, URL,
    list page) as :class:`gongkai.check.timeliness.Dated`; empty without collected documents."""
    from datetime import date

    from ..check.timeliness import SOURCES, Dated

    out: dict[str, list[Any]] = {}
    rows = frame_of(engine, "SELECT sha256, dates, url FROM collect_documents ORDER BY id")
    for sha, dates, url in rows.itertuples(index=False):
        for source, value in (json.loads(dates) if dates else {}).items():
            if source in SOURCES and source != "signature":
                try:
                    out.setdefault(sha, []).append(Dated(date.fromisoformat(value), source, url))
                except (TypeError, ValueError):
                    continue
    return out


TIMELINESS_COLUMNS = ["document_id", "published", "published_source", "signed", "deadline", "timeliness",
                      "days_late"]


def timeliness(engine: Engine, filters: Filters | None = None, lang: str = "zh") -> pd.DataFrame:
    """Per report: the publication date and where it was read (the collector's page metadata, the
    page text, the URL; :mod:`gongkai.check.timeliness`), the signature date, the legal deadline,
    按时 / 逾期 / 日期不明 / 无法定期限, and days late. Never a guessed date."""
    from ..check.timeliness import assess, publication_dates

    query = (select(ReportRow.document_id, Document.sha256, ReportRow.agency, ReportRow.level, ReportRow.year,
                    ReportRow.published, ReportRow.source, ReportRow.sections)
             .join(Document, Document.id == ReportRow.document_id).order_by(ReportRow.document_id))
    if filters:
        query = query.where(filters.clause())
    frame = frame_of(engine, query)
    known = collected_dates(engine)
    rows = []
    for row in frame.itertuples(index=False):
        agency, level, published, source, sections = (v if isinstance(v, str) else None for v in (
            row.agency, row.level, row.published, row.source, row.sections))
        year = None if pd.isna(row.year) else int(row.year)
        report = Report(agency=agency, year=year, template=None, cells={}, source=source, published=published,
                        sections=json.loads(sections) if sections else {})
        result = assess(level, year, [*known.get(row.sha256, []), *publication_dates(report)])
        decisive = result.decisive
        rows.append({"document_id": row.document_id,
                     "published": result.published.date.isoformat() if result.published else None,
                     "published_source": result.published.where(lang) if result.published else None,
                     "signed": result.signed.date.isoformat() if result.signed else None,
                     "deadline": result.deadline.isoformat() if result.deadline else None,
                     "timeliness": result.status(lang),
                     "days_late": (decisive.date - result.deadline).days
                     if result.late and decisive and result.deadline else None})
    return pd.DataFrame(rows, columns=TIMELINESS_COLUMNS)


def with_timeliness(frame: pd.DataFrame, engine: Engine, filters: Filters | None = None,
                    lang: str = "zh") -> pd.DataFrame:
    """A frame of reports (``document_id``) with the :func:`timeliness` columns; its ``published``
    becomes the publication date decided there (from every source, with ``published_source``)."""
    return frame.drop(columns=["published"], errors="ignore").merge(
        timeliness(engine, filters, lang), on="document_id", how="left")


def cell_header(path: str) -> str:
    """A cell path's Chinese column header: 表三「(一)予以公开」「自然人」."""
    try:
        return TEMPLATE.cell_label(path)
    except (KeyError, ValueError):
        return path


def labelled(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The frame with headers for people (Chinese by default): metadata columns from
    :data:`gongkai.messages.HEADERS`, cell paths as the template names them (unique)."""
    from ..messages import header

    names: dict[str, str] = {}
    used: set[str] = set()
    for column in frame.columns:
        name = str(column)
        if name.count(".") == 2 and name.split(".")[0] in ("active_disclosure", "applications",
                                                             "review_litigation"):
            label = cell_header(name) if lang != "en" else name
        else:
            label = header(name, lang)
        if label in used:
            label = f"{label}（{name}）"
        used.add(label)
        names[column] = label
    return frame.rename(columns=names)
