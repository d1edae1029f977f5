"""The stored cells with the reviewers' corrections applied: *effective* values.

A cell's newest manual correction (``corrections``, highest id per report and cell) replaces the
parsed value, with status ``corrected``; the parsed value stays in ``cells``. The exports
(:mod:`gongkai.store.export`), the figures ``reports`` copies (:func:`gongkai.store.stats.refresh_stats`)
and the official tables all read these, so they live below each of them.
"""

from __future__ import annotations

import json
from typing import cast

from sqlalchemy import Connection, Select, case, func, literal, select

from ..report import CellValue, Number, Status
from .schema import Cell, CellPath, Correction

__all__ = ["CORRECTED", "effective_cells", "effective_report_cells", "effective_values", "restore_number"]

CORRECTED = "corrected"  # the status a corrected cell is shown with


def restore_number(value: float | None, is_int: bool) -> Number | None:
    """Values are stored as doubles; give back the ints the parser produced as ints."""
    return int(value) if is_int and value is not None else value


def effective_cells() -> Select:
    """Every cell with corrections applied: report_id, path_id, value, status, is_int, raw, line,
    locator, rule, note (a subquery to join or filter; the newest correction per cell wins)."""
    newest = (select(func.max(Correction.id).label("id"))
              .group_by(Correction.report_id, Correction.path_id).subquery("newest"))
    fix = (select(Correction.report_id, Correction.path_id, Correction.value)
           .join(newest, newest.c.id == Correction.id).subquery("fix"))
    fixed = fix.c.report_id.is_not(None)
    return (select(Cell.report_id, Cell.path_id,
                   case((fixed, fix.c.value), else_=Cell.value).label("value"),
                   case((fixed, literal(CORRECTED)), else_=Cell.status).label("status"),
                   case((fixed, fix.c.value == func.round(fix.c.value)), else_=Cell.is_int).label("is_int"),
                   Cell.raw, Cell.line, Cell.locator, Cell.rule, Cell.note)
            .outerjoin(fix, (fix.c.report_id == Cell.report_id) & (fix.c.path_id == Cell.path_id)))


def effective_values(conn: Connection, report_id: int) -> dict[str, float | None]:
    """path → effective value of one report's cells."""
    cells = effective_cells().where(Cell.report_id == report_id).subquery()
    return dict(conn.execute(select(CellPath.path, cells.c.value)
                             .join(cells, cells.c.path_id == CellPath.id)).all())


def effective_report_cells(conn: Connection, report_id: int) -> dict[str, CellValue]:
    """path → effective cell of one report (status ``corrected`` where a reviewer changed it)."""
    cells = effective_cells().where(Cell.report_id == report_id).subquery()
    rows = conn.execute(select(CellPath.path, cells.c.value, cells.c.is_int, cells.c.status, cells.c.raw,
                               cells.c.line, cells.c.locator, cells.c.rule, cells.c.note)
                        .join(cells, cells.c.path_id == CellPath.id))
    # a parsed Status, or CORRECTED: the official tables colour both
    return {path: CellValue(restore_number(value, bool(is_int)), cast(Status, status), raw, line,
                            json.loads(locator) if locator else None, rule, note)
            for path, value, is_int, status, raw, line, locator, rule, note in rows}
