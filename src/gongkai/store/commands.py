"""``gongkai ingest|failures|export|stats|cross-year|across|missing``: the store on the command line.

Register on the main app with ``register(app)``. Nothing heavy is imported until a command runs,
so ``gongkai --help`` stays fast and works without the ``store`` extra installed.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    import pandas as pd

    from . import Store

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)

Db = Annotated[str, typer.Option("--db", envvar="GONGKAI_DB",
                                 help="SQLite file or postgresql://user:pass@host/db")]
DEFAULT_DB = "./gongkai.db"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    parquet = "parquet"


class Form(StrEnum):
    long = "long"
    wide = "wide"
    official = "official"


class Engine(StrEnum):
    local = "local"
    ray = "ray"
    dask = "dask"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def open_or_exit(db: str, extra: str = "store") -> Store:
    """The store at ``db`` for a command, or a clear message and exit 2 (a missing optional
    dependency names the extra that brings it; an unusable database says why)."""
    try:
        from . import StoreError, open_store
    except ImportError as error:
        err.print(f"this command needs an optional dependency: {error.name} (pip install 'gongkai[{extra}]')",
                  markup=False)
        raise typer.Exit(2) from None
    try:
        return open_store(db)
    except StoreError as error:
        err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
        raise typer.Exit(2) from None


def _show(frame: pd.DataFrame, fmt: TableFormat) -> None:
    if fmt is TableFormat.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is TableFormat.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, lines=True))
    else:
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*("" if v is None or v != v else f"{v:.4g}" if isinstance(v, float) else str(v)
                            for v in row))
        out.print(table)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="report files, folders and zip archives")],
    db: Db = DEFAULT_DB,
    workers: Annotated[int, typer.Option("--workers", "-j", help="parsing processes (default: CPUs)")] = 0,
    reparse: Annotated[bool, typer.Option("--reparse", help="re-parse documents stored by an older parser "
                                                            "version")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="documents per transaction")] = 1000,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="show a progress bar")] = True,
    engine: Annotated[Engine, typer.Option("--engine", help="where to parse: local processes, a Ray "
                                                            "cluster (Ray Data) or a dask.distributed "
                                                            "cluster")] = Engine.local,
    address: Annotated[str | None, typer.Option("--address", help="the Ray or dask scheduler to use "
                                                                  "(default: a local cluster)")] = None,
    keep_source: Annotated[bool, typer.Option("--keep-source/--no-keep-source",
                                              help="store each file's bytes (zlib, up to 20 MB) so a "
                                                   "cell can be shown in its source")] = True,
) -> None:
    """Parse reports into the database: idempotent (documents keyed by sha256) and resumable."""
    from .ingest import EngineError

    store = open_or_exit(db)
    with store:
        try:
            result = store.ingest(paths, workers=workers or os.cpu_count() or 1, reparse=reparse,
                                  progress=progress and sys.stderr.isatty(), batch_size=batch_size,
                                  engine=engine.value, address=address, keep_source=keep_source)
        except EngineError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            raise typer.Exit(2) from None
    for path, reason in result.failures[:20]:
        err.print("[red]✗[/red] " + escape(f"{path}: {reason}"), markup=True, highlight=False)
    if len(result.failures) > 20:
        err.print(f"… and {len(result.failures) - 20} more (gongkai failures --db {db})")
    err.print(f"{result.seen} files in {result.seconds:.1f} s ({result.rate:,.0f}/s): "
              f"{result.parsed} parsed, "
              f"{result.reparsed} re-parsed, {result.failed} failed, {result.skipped} already stored, "
              f"{result.duplicates} duplicates" + (f"; {result.outdated} stored by an older parser "
                                                   "(--reparse to update)" if result.outdated else ""),
              highlight=False)


def failures(db: Db = DEFAULT_DB,
             format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table) -> None:
    """List the documents that could not be parsed, with the reason."""
    with open_or_exit(db) as store:
        _show(store.failures()[["path", "reason", "sha256", "size", "parser_version"]], format)


def export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write "
                                                "(default: gongkai-<form>.<format>)")] = None,
    db: Db = DEFAULT_DB,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
    form: Annotated[Form, typer.Option("--form", help="long: one row per cell with its status; "
                                                      "wide: one row per report; official (xlsx): one "
                                                      "workbook per report into the folder -o, one sheet "
                                                      "per table as the template lays it out")] = Form.long,
) -> None:
    """Export every report: long form (one row per cell), wide panel (one row per report), or the
    official tables (one XLSX per report, statuses coloured). Values include manual corrections."""
    target = output or (Path("gongkai-official") if form is Form.official
                        else Path(f"gongkai-{form.value}.{format.value}"))
    with open_or_exit(db) as store:
        try:
            store.export(target, format=format.value, form=form.value)
        except ValueError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            raise typer.Exit(2) from None
    err.print("[green]✓[/green] " + escape(str(target)), markup=True, highlight=False)


def stats(db: Db = DEFAULT_DB,
          format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
          by: Annotated[str, typer.Option("--by", help="grouping columns, comma-separated, from: "
                                                       "province, city, county, region_code, level, year, "
                                                       "template")] = "province,level,year",
          rules: Annotated[bool, typer.Option("--rules/--no-rules", help="share of reports failing each "
                                                                          "rule")] = True) -> None:
    """Per region, level and year: reports, applications, outcome mix, 公开率, 纠错率 of review and
    litigation, share of reports failing each rule."""
    with open_or_exit(db) as store:
        try:
            frame = store.stats([c.strip() for c in by.split(",") if c.strip()], rules=rules)
        except ValueError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            raise typer.Exit(2) from None
    _show(frame, format)


def cross_year(db: Db = DEFAULT_DB,
               format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table) -> None:
    """Cross-year findings (X-CARRY, X-INFORCE, X-ITEMS) between consecutive reports of one agency."""
    with open_or_exit(db) as store:
        frame = store.cross_year()
    _show(frame[["rule", "severity", "agency_key", "year", "cell", "value", "expected", "message"]]
          if format is TableFormat.table else frame, format)


Rules = Annotated[list[str] | None, typer.Option("--rule", help="only these rules (repeat): X-CARRY, "
                                                 "X-INFORCE, X-ITEMS, X-DUP, X-JUMP, X-COPY, X-REGION")]
Threshold = Annotated[float, typer.Option("--threshold", help="X-COPY: share of a section's text found "
                                                              "in last year's")]
Factor = Annotated[float, typer.Option("--factor", help="X-JUMP: ratio to last year")]
Years = Annotated[str | None, typer.Option("--years", help="e.g. 2021-2024 (default: every year the "
                                                           "region reported)")]


def across(db: Db = DEFAULT_DB,
           format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
           rule: Rules = None, threshold: Threshold = 0.5, factor: Factor = 10.0) -> None:
    """Checks across reports: last year's carried-over, in-force and item counts, duplicates, ×10
    jumps, text copied from last year (sections 一 and 五), a region's report against its units'."""
    from .across import RULES

    with open_or_exit(db) as store:
        try:
            frame = store.across(rules=rule or RULES, threshold=threshold, factor=factor)
        except ValueError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            raise typer.Exit(2) from None
    _show(frame[["rule", "severity", "agency", "year", "item", "message"]]
          if format is TableFormat.table else frame, format)


def missing(region: Annotated[str, typer.Option("--region", help="a division code (320800) or name "
                                                                  "(淮安市, 洪泽区)")],
            db: Db = DEFAULT_DB,
            format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
            years: Years = None) -> None:
    """Which units of a region published a report for which year (units × years; 0 = missing)."""
    span = None
    if years:
        first, _, last = years.partition("-")
        span = range(int(first), int(last or first) + 1)
    with open_or_exit(db) as store:
        frame = store.missing(region, span)
    if frame.empty:
        err.print(f"no reports of {region} in {store.name}", highlight=False)
        raise typer.Exit(1)
    if format is TableFormat.table:
        year_columns = [c for c in frame.columns if c.isdigit()]
        shown = frame.copy()
        for column in year_columns:
            shown[column] = shown[column].map(lambda n: "✗" if n == 0 else "✓" if n == 1 else f"✓×{n}")
        _show(shown, format)
        gaps = int((frame[year_columns] == 0).to_numpy().sum())
        err.print(f"{len(frame)} units × {len(year_columns)} years: {gaps} reports missing", highlight=False)
    else:
        _show(frame, format)


COMMANDS = {"ingest": ingest, "failures": failures, "export": export, "stats": stats,
            "cross-year": cross_year, "across": across, "missing": missing}


def register(app: typer.Typer) -> None:
    """Add the store's commands to the ``gongkai`` app."""
    for name, function in COMMANDS.items():
        app.command(name)(function)
