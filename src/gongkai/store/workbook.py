"""The supervisor's workbook (``gongkai export --form workbook``): one XLSX file with

* 汇总 — per unit and year: published or not, on time or not (C-LATE), applications received,
  公开率, errors and warnings; every roster unit of the selection, so units that never published
  show up as 未发布;
* 问题清单 — every finding of the selected reports;
* 面板 — the wide panel (one row per report, one column per cell) with Chinese headers;
* 数据字典 — the codebook of the panel's columns;
* then every report in the official layout, one sheet each.

Every table sheet has a frozen, bold header, column widths fitted to its text, number formats
(counts ``0``, shares ``0.0%``, dates ``yyyy-mm-dd``); text that a spreadsheet would run as a
formula stays text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from . import export
from .cells import effective_report_cells
from .export import Filters
from .sheets import write_frame

__all__ = ["summary", "write_workbook"]


def summary(engine: Engine, filters: Filters | None = None, lang: str = "zh") -> pd.DataFrame:
    """Per unit and year (every roster unit of the selection, every unit with a report): files,
    published or not, publication date, deadline and timeliness, received, 公开率, errors and
    warnings of its report (of several files: the one with the fewest errors)."""
    from .roster import matrix

    filters = filters or Filters()
    reports = export.reports(engine, filters)
    years = list(filters.years) or sorted({int(y) for y in reports["year"].dropna()})
    units = matrix(engine, filters.region, years)
    if filters.levels:
        units = units[units["level"].isin(filters.levels)]
    reports = export.with_timeliness(reports, engine, filters, lang)
    reports = reports.sort_values(["n_errors", "n_warnings", "document_id"])
    english = lang == "en"
    rows = []
    for unit in units.itertuples(index=False):
        mine = reports[reports["agency_key"] == unit.agency_key]
        for year in years:
            files = mine[mine["year"] == year]
            first = files.iloc[0] if len(files) else None
            late = set(files["timeliness"]) if len(files) else set()
            rows.append({
                "agency_name": unit.agency_name, "level": unit.level, "agency_key": unit.agency_key,
                "roster": (("yes" if english else "是") if unit.roster else ""), "year": year,  # for people
                "published_any": (("yes" if english else "已发布") if len(files)
                                  else ("no" if english else "未发布")),
                "files": len(files),
                "published": first["published"] if first is not None else None,
                "published_source": first["published_source"] if first is not None else None,
                "deadline": first["deadline"] if first is not None else None,
                "timeliness": (("late" if english else "逾期") if ("late" in late or "逾期" in late)
                               else first["timeliness"] if first is not None else None),
                "received": first["received"] if first is not None else None,
                "granted_rate": _rate(first) if first is not None else None,
                "n_errors": first["n_errors"] if first is not None else None,
                "n_warnings": first["n_warnings"] if first is not None else None,
                "source": first["source"] if first is not None else None,
            })
    return pd.DataFrame(rows, columns=["agency_name", "level", "agency_key", "roster", "year",
                                       "published_any",
                                       "files", "published", "published_source", "deadline", "timeliness",
                                       "received", "granted_rate", "n_errors", "n_warnings", "source"])


def _rate(report: Any) -> float | None:
    total = report["results_total"]
    if total is None or pd.isna(total) or not total:
        return None
    granted = sum(v for v in (report["granted"], report["partly_granted"])
                  if v is not None and not pd.isna(v))
    return granted / total


def _sheet_name(report_id: int, agency: str | None, year: Any, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']+", "", f"{report_id} {agency or '未知单位'} "
                                         f"{'' if pd.isna(year) else int(year)}")
    name = base[:31].strip()
    suffix = 2
    while name in used:
        name = f"{base[:27]}~{suffix}"
        suffix += 1
    used.add(name)
    return name


def write_workbook(engine: Engine, target: Path, filters: Filters | None = None, lang: str = "zh",
                   on_report: Callable[[int, int], None] | None = None) -> Path:
    """Write the supervisor's workbook (see module docstring); ``on_report(done, total)`` after
    each report's sheet."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from ..render import FormTable, form_blocks
    from ..render._xlsx import write_table
    from ..template import TableShape
    from . import codebook
    from .schema import ReportRow

    labels = lang if lang == "en" else "zh"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总" if lang != "en" else "summary"
    write_frame(sheet, export.labelled(summary(engine, filters, lang), labels),
                dates=tuple(export.labelled(pd.DataFrame(columns=["published", "deadline"]), labels).columns))
    found = export.findings(engine, filters)
    columns = ["agency", "level", "year", "severity", "rule", "message" if lang != "en" else "message_en",
               "cells",
               "line", "evidence", "source", "document_id"]
    found = found[columns].copy()
    from ..messages import severity

    found["severity"] = [severity(s, lang) for s in found["severity"]]
    write_frame(workbook.create_sheet("问题清单" if lang != "en" else "findings"),
                export.labelled(found, labels))
    panel = export.panel_wide(engine, filters)
    panel = export.with_timeliness(panel, engine, filters, lang)
    date_columns = tuple(export.labelled(pd.DataFrame(columns=["published", "signed", "deadline"]),
                                         labels).columns)
    write_frame(workbook.create_sheet("面板" if lang != "en" else "panel"), export.labelled(panel, labels),
                dates=date_columns)
    codebook.write_sheet(workbook.create_sheet("数据字典" if lang != "en" else "codebook"))
    query = (select(ReportRow.document_id, ReportRow.agency, ReportRow.year, ReportRow.template,
                    ReportRow.hybrid,
                    ReportRow.title)
             .where(ReportRow.template.is_not(None)).order_by(ReportRow.document_id))
    if filters:
        query = query.where(filters.clause())
    with engine.connect() as conn:
        chosen = conn.execute(query).all()
    used: set[str] = set()
    for done, (report_id, agency, year, template, hybrid, title) in enumerate(chosen, start=1):
        with engine.connect() as conn:
            cells = effective_report_cells(conn, report_id)
        layer = workbook.create_sheet(_sheet_name(report_id, agency, year, used))
        layer.cell(1, 1, title or f"{agency or ''}{year or ''}").data_type = "s"
        row = 3
        for block in form_blocks(TableShape(template, bool(hybrid)), None):  # type: ignore[arg-type]
            if isinstance(block, FormTable):
                write_table(layer, block, row, cells.get)
                row += block.n_rows + 1
        for column, width in ((1, 14), (2, 14), (3, 34)):
            layer.column_dimensions["ABC"[column - 1]].width = width
        layer.freeze_panes = "A2"
        if on_report:
            on_report(done, len(chosen))
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target
