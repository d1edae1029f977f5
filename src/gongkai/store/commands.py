"""``gongkai ingest|failures|export|stats|cross-year|across|missing|roster|findings|codebook``: the store
on the command line. What they print for people comes from :mod:`gongkai.messages` (Chinese by
default; ``--lang en`` or ``GONGKAI_LANG=en``); commands that only read refuse a ``--db`` that does
not exist instead of creating an empty one.

Register on the main app with ``register(app)``. Nothing heavy is imported until a command runs,
so ``gongkai --help`` stays fast and works without the ``store`` extra installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..messages import Language as Lang
from ..messages import header, reason, say
from ..template import EDITIONS

if TYPE_CHECKING:
    import pandas as pd

    from . import Store

out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)

Db = Annotated[str, typer.Option("--db", envvar="GONGKAI_DB",
                                 help="SQLite file or postgresql://user:pass@host/db")]
DEFAULT_DB = "./gongkai.db"


LangOption = Annotated[Lang, typer.Option("--lang", envvar="GONGKAI_LANG",
                                          help="language of messages: zh or en")]
ProgressOption = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", show_default=False,
    help="progress per file with rate and time left (default: a bar on a terminal; --progress: "
         "also plain lines in a log; GONGKAI_PROGRESS=1|0)")]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    parquet = "parquet"


class Form(StrEnum):
    long = "long"
    wide = "wide"
    official = "official"
    workbook = "workbook"


class Labels(StrEnum):
    keys = "keys"
    zh = "zh"


class Engine(StrEnum):
    local = "local"
    ray = "ray"
    dask = "dask"


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, lang: str | None = None) -> typer.Exit:
    """Exit 2 after「✗ why」; a refusal the store worded in English is said in ``lang``."""
    err.print("[red]✗[/red] " + escape(reason(message, lang)), markup=True, highlight=False)
    return typer.Exit(2)


def open_or_exit(db: str, extra: str = "store", *, create: bool = True, lang: str | None = None) -> Store:
    """The store at ``db`` for a command, or a clear message and exit 2 (a missing optional
    dependency names the extra that brings it; an unusable database says why). ``create=False``
    (commands that only read): a SQLite file that does not exist is refused, not created."""
    try:
        from . import StoreError, open_store
    except ImportError as error:
        err.print(say("db.extra", lang, module=error.name, extra=extra), markup=False)
        raise typer.Exit(2) from None
    if not create and "://" not in db and not Path(db).expanduser().exists():
        raise _fail(say("db.missing", lang, db=db))
    if not create and db.startswith("sqlite:///") and db != "sqlite:///:memory:" \
            and not Path(db.removeprefix("sqlite:///")).exists():
        raise _fail(say("db.missing", lang, db=db))
    try:
        return open_store(db)
    except StoreError as error:
        raise _fail(str(error), lang) from None


def _show(frame: pd.DataFrame, fmt: TableFormat, lang: str | None = None) -> None:
    """A frame on stdout: CSV and JSON with the column keys (for tools), a table with headers for
    people (:func:`gongkai.messages.header`)."""
    if fmt is TableFormat.csv:
        sys.stdout.write(frame.to_csv(index=False))
    elif fmt is TableFormat.json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, lines=True))
    elif frame.empty:  # a header alone reads like a broken command: say that nothing matched
        err.print(say("rows.none", lang), highlight=False)
    else:
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        from rich.cells import cell_len

        for column in frame.columns:
            title = header(str(column), lang)
            table.add_column(title, overflow="fold", min_width=min(cell_len(title), 16))
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
    batch_size: Annotated[int, typer.Option("--batch-size", help="documents per transaction "
                                                                 "(default 1000)")] = 1000,
    progress: ProgressOption = None,
    engine: Annotated[Engine, typer.Option("--engine", help="where to parse: local processes, a Ray "
                                                            "cluster (Ray Data) or a dask.distributed "
                                                            "cluster")] = Engine.local,
    address: Annotated[str | None, typer.Option("--address", help="the Ray or dask scheduler to use "
                                                                  "(default: a local cluster)")] = None,
    keep_source: Annotated[bool, typer.Option("--keep-source/--no-keep-source",
                                              help="store each file's bytes (zlib, up to 20 MB) so a "
                                                   "cell can be shown in its source")] = True,
    lang: LangOption = Lang.zh,
) -> None:
    """Parse reports into the database: idempotent (documents keyed by sha256) and resumable."""
    from ..progress import Progress, mode
    from .ingest import EngineError

    workers = workers or os.cpu_count() or 1
    store = open_or_exit(db, lang=lang.value)
    # the bar moves as each file's parse finishes (as far as the engine reports it)
    bar = Progress(0, say("progress.ingest", lang.value), lang=lang.value, show=mode(progress))
    with store, bar:
        try:
            result = store.ingest(paths, workers=workers, reparse=reparse, progress=False,
                                  batch_size=batch_size or 1000,
                                  engine=engine.value, address=address, keep_source=keep_source,
                                  on_progress=bar.update)
        except EngineError as error:
            raise _fail(str(error), lang.value) from None
    for path, why in result.failures[:20]:
        err.print("[red]✗[/red] " + escape(f"{path}: {reason(why, lang.value)}"), markup=True,
                  highlight=False)
    if len(result.failures) > 20:
        err.print(say("ingest.more_failures", lang.value, more=len(result.failures) - 20, db=db),
                  highlight=False)
    line = say("ingest.summary", lang.value, seen=result.seen, seconds=result.seconds, rate=result.rate,
               parsed=result.parsed, reparsed=result.reparsed, failed=result.failed, skipped=result.skipped,
               duplicates=result.duplicates)
    if result.outdated:
        line += say("ingest.outdated", lang.value, outdated=result.outdated)
    err.print(line, highlight=False)


def failures(db: Db = DEFAULT_DB,
             format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
             lang: LangOption = Lang.zh) -> None:
    """List the documents that could not be parsed, with the reason."""
    with open_or_exit(db, create=False, lang=lang.value) as store:
        frame = store.failures()[["path", "reason", "sha256", "size", "parser_version"]]
    if format is TableFormat.table:  # for people: the reason in their language, the digest shortened
        frame = frame.assign(reason=[reason(r, lang.value) for r in frame["reason"]],
                             sha256=[str(h)[:12] for h in frame["sha256"]])
    _show(frame, format, lang.value)


# ------------------------------------------------------------------------------ filters
Region = Annotated[str | None, typer.Option("--region", help="a division code (320800) or name (淮安市): "
                                                             "its reports and those of every unit below it")]
YearOption = Annotated[str | None, typer.Option("--year", help="a year or a span: 2023, 2021-2024")]
LevelOption = Annotated[str | None, typer.Option("--level",
                                                 help="levels, comma-separated: 省,市,县,乡镇,部门")]
Edition = Annotated[str | None, typer.Option("--edition", help="template edition: 2019 or 2021")]


def _span(value: str | None, lang: str, key: str) -> tuple[int, ...]:
    if not value:
        return ()
    first, _, last = value.partition("-")
    if not first.strip().isdigit() or (last and not last.strip().isdigit()):
        raise _fail(say(key, lang))
    return tuple(range(int(first), int(last or first) + 1))


def _filters(region: str | None, year: str | None, level: str | None, edition: str | None,
             lang: str) -> object:
    from .export import Filters
    from .roster import LEVELS

    levels = tuple(v.strip() for v in (level or "").replace("，", ",").split(",") if v.strip())
    bad = [v for v in levels if v not in LEVELS]
    if bad:
        raise _fail(say("roster.bad_level", lang, level="、".join(bad)))
    editions = tuple(v.strip() for v in (edition or "").split(",") if v.strip())
    if any(v not in EDITIONS for v in editions):
        raise _fail(say("export.bad_edition", lang))
    return Filters(region=region or None, years=_span(year, lang, "export.bad_year"), levels=levels,
                   editions=editions)


def export(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write "
                                                "(default: gongkai-<form>.<format>)")] = None,
    db: Db = DEFAULT_DB,
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
    form: Annotated[Form, typer.Option("--form", help="long: one row per cell with its status; "
                                                      "wide: one row per report; official (xlsx): one "
                                                      "workbook per report into the folder -o, one sheet "
                                                      "per table as the template lays it out; workbook "
                                                      "(xlsx): the supervisor's workbook — summary per "
                                                      "unit, findings, panel, codebook and every report "
                                                      "in the official layout")] = Form.long,
    region: Region = None, year: YearOption = None, level: LevelOption = None, edition: Edition = None,
    labels: Annotated[Labels, typer.Option("--labels", help="column headers: keys (cell paths, for "
                                                            "tools) or zh (Chinese labels, see "
                                                            "gongkai codebook)")] = Labels.keys,
    lang: LangOption = Lang.zh,
    progress: ProgressOption = None,
) -> None:
    """Export every report: long form (one row per cell), wide panel (one row per report), or the
    official tables (one XLSX per report, statuses coloured). Values include manual corrections."""
    from ..progress import Progress, mode
    from . import export as exporting
    from .workbook import write_workbook

    chosen = _filters(region, year, level, edition, lang.value)
    assert isinstance(chosen, exporting.Filters)
    if form in (Form.official, Form.workbook) and format is not ExportFormat.xlsx:
        if format is ExportFormat.csv and (output is None or output.suffix.lower() != ".csv"):
            format = ExportFormat.xlsx  # the only format of these forms (official: -o is a folder)
        else:
            raise _fail(say("export.official_xlsx" if form is Form.official else "export.workbook_xlsx",
                            lang.value))
    target = output or (Path("gongkai-official") if form is Form.official
                        else Path(f"gongkai-{form.value}.{format.value}"))
    shown = mode(progress)
    with open_or_exit(db, create=False, lang=lang.value) as store:
        try:
            if form is Form.official:
                with Progress(0, say("progress.export", lang.value), lang=lang.value, show=shown,
                              unit="reports") as bar:
                    exporting.write_official(store.engine, target, chosen, on_report=bar.update)
            elif form is Form.workbook:
                with Progress(0, say("progress.export", lang.value), lang=lang.value, show=shown,
                              unit="reports") as bar:
                    write_workbook(store.engine, target, chosen, lang.value, on_report=bar.update)
            else:  # the reports' cells are read in parts: the bar moves as more reports arrive
                with Progress(0, say("progress.export", lang.value), lang=lang.value, show=shown,
                              unit="reports") as bar:
                    read = exporting.cells_long if form is Form.long else exporting.panel_wide
                    frame = read(store.engine, chosen, on_report=bar.update)
                if form is Form.wide:
                    frame = exporting.with_timeliness(frame, store.engine, chosen, lang.value)
                if labels is Labels.zh:  # for people: the unit and year first, the digests last
                    ids = [c for c in ("document_id", "sha256") if c in frame.columns]
                    ordered = [*(c for c in frame.columns if c not in ids), *ids]
                    frame = exporting.labelled(frame[ordered], "zh")
                exporting.write(frame, target, format.value)
        except ValueError as error:
            raise _fail(str(error), lang.value) from None
    err.print("[green]✓[/green] " + escape(say("written", lang.value, target=target)), markup=True,
              highlight=False)


# the columns `stats` shows people (all of them in --format csv|json)
STATS_SHOWN = ("reports", "error_share", "received", "disclosure_rate", "review_total", "review_correction_ra"
                                                                                        "te",
               "litigation_total", "litigation_correction_rate")
_SHARES = ("error_share", "disclosure_rate", "review_correction_rate", "litigation_correction_rate")


def stats(db: Db = DEFAULT_DB,
          format: Annotated[TableFormat, typer.Option("--format", help="table: a readable choice of "
                                                      "columns; csv|json: every column")] = TableFormat.table,
          by: Annotated[str, typer.Option("--by", help="grouping columns, comma-separated, from: "
                                                       "province, city, county, region_code, level, year, "
                                                       "template")] = "province,level,year",
          rules: Annotated[bool, typer.Option("--rules/--no-rules", help="share of reports failing each "
                                                                          "rule")] = True,
          lang: LangOption = Lang.zh) -> None:
    """Per region, level and year: reports, applications, outcome mix, 公开率, 纠错率 of review and
    litigation, share of reports failing each rule."""
    with open_or_exit(db, create=False, lang=lang.value) as store:
        try:
            frame = store.stats([c.strip() for c in by.split(",") if c.strip()], rules=rules)
        except ValueError as error:
            raise _fail(str(error), lang.value) from None
    if format is not TableFormat.table:
        _show(frame, format, lang.value)
        return
    groups = [c for c in frame.columns if c in ("province", "city", "county", "region_code", "level", "year",
                                                "template")]
    worst = sorted((c for c in frame.columns if c.startswith("fail_")),
                   key=lambda c: -frame[c].fillna(0).mean())
    shown = frame[[*groups, *(c for c in STATS_SHOWN if c in frame.columns), *worst[:3]]].copy()
    for column in shown.columns:
        if column in _SHARES or column.startswith(("fail_", "share_")):
            shown[column] = shown[column].map(lambda v: "" if v is None or v != v else f"{v:.1%}")
        elif column in ("received", "review_total", "litigation_total"):
            shown[column] = shown[column].map(lambda v: "" if v is None or v != v else f"{v:,.0f}")
    # the rules failed most often, each column headed by the rule's name
    shown = shown.rename(columns={c: c.removeprefix("fail_") for c in worst[:3]})
    _show(shown, format, lang.value)
    if worst:
        err.print(say("stats.rule_note", lang.value), highlight=False)


def cross_year(db: Db = DEFAULT_DB,
               format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
               lang: LangOption = Lang.zh) -> None:
    """Cross-year findings (X-CARRY, X-INFORCE, X-ITEMS) between consecutive reports of one agency."""
    with open_or_exit(db, create=False, lang=lang.value) as store:
        frame = store.cross_year()
    message = "message_en" if lang is Lang.en else "message"
    _show(frame[["rule", "severity", "agency", "year", "source", "prev_source", "cell", "value", "expected",
                 message]] if format is TableFormat.table else frame, format, lang.value)


Rules = Annotated[list[str] | None, typer.Option("--rule", help="only these rules (repeat): X-CARRY, "
                                                 "X-INFORCE, X-ITEMS, X-DUP, X-JUMP, X-COPY, X-REGION")]
Threshold = Annotated[float, typer.Option("--threshold", help="X-COPY: share of a section's text found "
                                                              "in last year's")]
Factor = Annotated[float, typer.Option("--factor", help="X-JUMP: ratio to last year")]
Years = Annotated[str | None, typer.Option("--years", help="e.g. 2021-2024 (default: every year the "
                                                           "region reported)")]


def across(db: Db = DEFAULT_DB,
           format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
           rule: Rules = None, threshold: Threshold = 0.5, factor: Factor = 10.0,
           lang: LangOption = Lang.zh) -> None:
    """Checks across reports: last year's carried-over, in-force and item counts, duplicates, ×10
    jumps, text copied from last year (sections 一 and 五), a region's report against its units'."""
    from .across import RULES

    with open_or_exit(db, create=False, lang=lang.value) as store:
        try:
            frame = store.across(rules=rule or RULES, threshold=threshold, factor=factor)
        except ValueError as error:
            raise _fail(str(error), lang.value) from None
    message = "message_en" if lang is Lang.en else "message"
    # both files of a pair: this report's and the one it is compared with
    _show(frame[["rule", "severity", "agency", "year", "source", "other_source", "item", message]]
          if format is TableFormat.table else frame, format, lang.value)


def missing(region: Annotated[str, typer.Option("--region", help="a division code (320800) or name "
                                                                  "(淮安市, 洪泽区)")],
            db: Db = DEFAULT_DB,
            format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
            years: Years = None, lang: LangOption = Lang.zh) -> None:
    """Which units of a region published a report for which year (units × years; 0 = missing)."""
    span = _span(years, lang.value, "missing.bad_years") or None
    with open_or_exit(db, create=False, lang=lang.value) as store:
        frame = store.missing(region, span)
    if frame.empty:
        err.print(say("missing.none", lang.value, region=region, db=store.name), highlight=False)
        raise typer.Exit(1)
    year_columns = [c for c in frame.columns if str(c).isdigit()]
    if not year_columns:
        err.print(say("missing.no_years", lang.value, region=region), highlight=False)
        raise typer.Exit(2)
    if format is TableFormat.table:
        shown = frame.drop(columns=["agency_key"]).copy()
        shown["roster"] = shown["roster"].map(lambda on: "✓" if on else "")
        for column in year_columns:
            shown[column] = shown[column].map(lambda n: "✗" if n == 0 else "✓" if n == 1 else f"✓×{n}")
        _show(shown, format, lang.value)
        gaps = int((frame[year_columns] == 0).to_numpy().sum())
        err.print(say("missing.summary", lang.value, units=len(frame), years=len(year_columns), gaps=gaps,
                      roster=int(frame["roster"].sum())), highlight=False)
    else:
        _show(frame, format, lang.value)


# ------------------------------------------------------------------------------ findings
class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class FindingsFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def findings(db: Db = DEFAULT_DB,
             format: Annotated[FindingsFormat, typer.Option("--format", help="table, csv, json, or xlsx "
                                                            "(with -o)")] = FindingsFormat.table,
             output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write (csv, "
                                                         "xlsx)")] = None,
             rule: Annotated[list[str] | None, typer.Option("--rule",
                                                            help="only these rules (repeat)")] = None,
             severity: Annotated[list[Severity] | None, typer.Option("--severity", help="only these "
                                                                     "severities (repeat)")] = None,
             region: Region = None, year: YearOption = None, level: LevelOption = None,
             edition: Edition = None, lang: LangOption = Lang.zh) -> None:
    """List the problems found in the stored reports (filters: rule, severity, region, year, level,
    edition), as a table, CSV or XLSX."""
    from ..messages import severity as severity_name
    from . import export as exporting

    chosen = _filters(region, year, level, edition, lang.value)
    assert isinstance(chosen, exporting.Filters)
    with open_or_exit(db, create=False, lang=lang.value) as store:
        frame = exporting.findings(store.engine, chosen, rules=tuple(rule or ()),
                                   severities=tuple(s.value for s in severity or ()))
    if format is FindingsFormat.table:
        message = "message_en" if lang is Lang.en else "message"
        shown = frame[["severity", "rule", "agency", "year", "source", message]].copy()
        shown["severity"] = [severity_name(s, lang.value) for s in shown["severity"]]
        _show(shown, TableFormat.table, lang.value)
        return
    if format is FindingsFormat.json and output is None:
        _show(frame, TableFormat.json, lang.value)
        return
    if format is FindingsFormat.csv and output is None:
        sys.stdout.write(exporting._csv_safe(frame).to_csv(index=False))
        return
    target = output or Path(f"gongkai-findings.{format.value}")
    exporting.write(exporting.labelled(frame, lang.value) if format is FindingsFormat.xlsx else frame, target,
                    format.value)  # type: ignore[arg-type]
    err.print("[green]✓[/green] " + escape(say("written", lang.value, target=target)), markup=True,
              highlight=False)


# ------------------------------------------------------------------------------ codebook
class CodebookFormat(StrEnum):
    md = "md"
    csv = "csv"
    xlsx = "xlsx"


def codebook(format: Annotated[CodebookFormat, typer.Option("--format", help="md, csv or xlsx")] = (
                 CodebookFormat.md),
             output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write (default: "
                                                         "stdout; xlsx: gongkai-codebook.xlsx)")] = None,
             lang: LangOption = Lang.zh) -> None:
    """Write the codebook: every export column with its Chinese label, table, row, column, unit and
    rules, generated from the template."""
    from . import codebook as book

    if format is CodebookFormat.xlsx:
        target = output or Path("gongkai-codebook.xlsx")
        target.write_bytes(book.to_xlsx())
        err.print("[green]✓[/green] " + escape(say("written", lang.value, target=target)), markup=True,
                  highlight=False)
        return
    content = book.to_markdown() if format is CodebookFormat.md else book.to_csv()
    if output is None:
        sys.stdout.write(content)
    else:
        output.write_text(content, "utf-8-sig" if format is CodebookFormat.csv else "utf-8")
        err.print("[green]✓[/green] " + escape(say("written", lang.value, target=output)), markup=True,
                  highlight=False)


# ------------------------------------------------------------------------------ roster
roster_app = typer.Typer(help="The roster of units that must publish a report: import a list, or make "
                              "it from the division table; `gongkai missing` shows who never published.",
                         no_args_is_help=True, rich_markup_mode=None)


@roster_app.command("import")
def roster_import(file: Annotated[Path, typer.Argument(help="CSV or XLSX: 单位名称 (name), 区划代码 (code), "
                                                           "级别 (level), 上级 (parent), 网址 (site_url)")],
                  db: Db = DEFAULT_DB, lang: LangOption = Lang.zh) -> None:
    """Add the units of a CSV or XLSX list to the roster (a unit already on it is updated)."""
    from .roster import RosterError, read_file, save

    try:
        entries = read_file(file, lang.value)
    except RosterError as error:
        raise _fail(str(error), lang.value) from None
    with open_or_exit(db, lang=lang.value) as store:
        added, updated = save(store.engine, entries, "import")
        total = len(_roster(store))
    err.print(say("roster.imported", lang.value, added=added, updated=updated, total=total), highlight=False)


@roster_app.command("from-divisions")
def roster_from_divisions(code: Annotated[str, typer.Argument(help="division code, e.g. 320800 (淮安市)")],
                          levels: Annotated[str, typer.Option("--levels", help="comma-separated: 省,市,县 "
                                                              "(乡镇 and 部门 are not in the division "
                                                              "table: import them)")] = "市,县",
                          db: Db = DEFAULT_DB, lang: LangOption = Lang.zh) -> None:
    """Add the governments of a division and of the divisions below it (from the bundled table)."""
    from .roster import RosterError, from_divisions, save

    wanted = [v.strip() for v in levels.replace("，", ",").split(",") if v.strip()]
    try:
        entries, notes = from_divisions(code, wanted, lang.value)
    except RosterError as error:
        raise _fail(str(error), lang.value) from None
    for note in notes:
        err.print("[yellow]![/yellow] " + escape(note), markup=True, highlight=False)
    if not entries:
        raise _fail(say("roster.nothing", lang.value))
    with open_or_exit(db, lang=lang.value) as store:
        added, updated = save(store.engine, entries, "divisions")
        total = len(_roster(store))
    err.print(say("roster.imported", lang.value, added=added, updated=updated, total=total), highlight=False)


def _roster(store: Store, region: str | None = None) -> pd.DataFrame:
    from .roster import units

    return units(store.engine, region)


@roster_app.command("list")
def roster_list(db: Db = DEFAULT_DB, region: Region = None,
                format: Annotated[TableFormat, typer.Option("--format")] = TableFormat.table,
                lang: LangOption = Lang.zh) -> None:
    """List the roster (of a region)."""
    with open_or_exit(db, create=False, lang=lang.value) as store:
        frame = _roster(store, region)
    if format is TableFormat.table:
        frame = frame.drop(columns=["agency_key"]).assign(
            origin=[say(f"roster.origin.{o}", lang.value) if o in ("import", "divisions") else o
                    for o in frame["origin"]])
    _show(frame, format, lang.value)


@roster_app.command("clear")
def roster_clear(db: Db = DEFAULT_DB, lang: LangOption = Lang.zh) -> None:
    """Remove every unit from the roster."""
    from .roster import clear

    with open_or_exit(db, create=False, lang=lang.value) as store:
        count = clear(store.engine)
    err.print(say("roster.cleared", lang.value, count=count), highlight=False)


COMMANDS: dict[str, Callable[..., None]] = {
    "ingest": ingest, "failures": failures, "export": export, "stats": stats, "cross-year": cross_year,
    "across": across, "missing": missing, "findings": findings, "codebook": codebook}


def register(app: typer.Typer) -> None:
    """Add the store's commands to the ``gongkai`` app."""
    for name, function in COMMANDS.items():
        app.command(name)(function)
    app.add_typer(roster_app, name="roster")
