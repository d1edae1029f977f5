"""The ``gongkai`` command line."""

from __future__ import annotations

import json
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import ParseError
from .report import Report

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="政府信息公开工作年度报告 → checked data. Parse, check and score annual reports.")
# piped output is read by people in wide terminals and by tools: do not wrap it at 80 columns
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)

SAMPLE = Path(__file__).parent / "samples"


def _register_collections() -> None:
    """ingest, failures, export, stats, cross-year (gongkai.store) and synth (gongkai.synth);
    their heavy imports stay lazy."""
    from .store.commands import register
    from .synth.commands import synth
    from .web.commands import register as register_web

    register(app)
    app.command("synth")(synth)
    register_web(app)  # serve, user add (gongkai.web)


_register_collections()


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class Format(StrEnum):
    text = "text"
    json = "json"


def _parse_each(files: list[Path], max_mb: float | None = None):
    """Yield (path, report or None) for each file; failures are reported and skipped."""
    from .pipeline import parse

    max_bytes = int(max_mb * 2**20) if max_mb else None
    for path in files:
        try:
            yield path, parse(path, max_bytes=max_bytes)
        except ParseError as error:
            err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
            yield path, None


Files = Annotated[list[Path], typer.Argument(help="report files (text, HTML, PDF, DOCX, XLSX)")]
OptionalFiles = Annotated[list[Path] | None, typer.Argument(
    help="report files (text, HTML, PDF, DOCX, XLSX)", show_default=False)]
Sample = Annotated[bool, typer.Option("--sample", help="use the bundled sample report")]
MaxMb = Annotated[float | None, typer.Option(
    "--max-mb", help="refuse files larger than this (default 100, or GONGKAI_MAX_FILE_MB)",
    show_default=False)]


def _files_or_sample(files: list[Path] | None, sample: bool) -> list[Path]:
    if sample:
        return sorted(SAMPLE.glob("*.txt")) + list(files or [])
    if not files:
        err.print("give report files, or --sample for the bundled sample")
        raise typer.Exit(2)
    return files


@app.command()
def parse(
    files: OptionalFiles = None,
    sample: Sample = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write DIR/<stem>.json")] = None,
    max_mb: MaxMb = None,
) -> None:
    """Parse reports into the report JSON (stdout, or one file per report with -o)."""
    files = _files_or_sample(files, sample)
    failed = 0
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    for path, report in _parse_each(files, max_mb):
        if report is None:
            failed += 1
            continue
        if output is not None:
            target = output / f"{path.stem}.json"
            target.write_text(report.to_json(), "utf-8")
            err.print("[green]✓[/green] " + escape(f"{path} → {target}"), markup=True, highlight=False)
        elif len(files) == 1:
            sys.stdout.write(report.to_json() + "\n")
        else:
            sys.stdout.write(report.to_json(indent=None) + "\n")
    if failed:
        raise typer.Exit(2)


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def _summary(report: Report, lang: Lang) -> None:
    statuses = Counter(c.status for c in report.cells.values())
    hybrid = "（2021表格，表三（六）按2019格式）" if report.hybrid else ""
    if lang is Lang.en:
        out.print(f"[bold]{report.source}[/bold]  agency: {report.agency}  year: {report.year}  "
                  f"template: {report.template}{' (hybrid)' if report.hybrid else ''}")
        out.print(f"  cells: {statuses['read']} read, {statuses['inferred']} inferred (forced by the "
                  f"arithmetic), {statuses['blank']} blank, {statuses['missing']} missing")
    else:
        out.print(f"[bold]{report.source}[/bold]  单位：{report.agency}  年度：{report.year}  "
                  f"格式：{report.template}年{hybrid}")
        out.print(f"  单元格：读取 {statuses['read']}，推算 {statuses['inferred']}，"
                  f"空白 {statuses['blank']}，缺失 {statuses['missing']}")
    if not report.findings:
        out.print("  [green]" + ("no problems found" if lang is Lang.en else "未发现问题") + "[/green]")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for title in (("severity", "rule", "line", "finding") if lang is Lang.en
                  else ("级别", "规则", "行", "问题")):
        table.add_column(title, overflow="fold")
    order = {"error": 0, "warning": 1, "info": 2}
    for finding in sorted(report.findings, key=lambda f: order[f.severity]):
        severity = finding.severity if lang is Lang.en else _SEVERITY_ZH[finding.severity]
        table.add_row(f"[{_SEVERITY_STYLE[finding.severity]}]{severity}[/]", finding.rule,
                      str(finding.line or ""), finding.text(lang.value))
    out.print(table)


@app.command()
def check(
    files: OptionalFiles = None,
    sample: Sample = False,
    format: Annotated[Format, typer.Option("--format", help="text for people, json for machines")] = (
        Format.text),
    lang: Annotated[Lang, typer.Option("--lang", help="language of messages")] = Lang.zh,
    max_mb: MaxMb = None,
) -> None:
    """Check reports against every rule of the template; exit 1 when any error is found."""
    files = _files_or_sample(files, sample)
    any_error = False
    results = []
    for path, report in _parse_each(files, max_mb):
        if report is None:
            any_error = True
            results.append({"source": str(path), "error": "unreadable"})
            continue
        any_error |= bool(report.errors)
        if format is Format.json:
            results.append({"source": str(path), "agency": report.agency, "year": report.year,
                            "template": report.template, "hybrid": report.hybrid,
                            "findings": [f.to_dict() for f in report.findings]})
        else:
            _summary(report, lang)
            out.print()
    if format is Format.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    if any_error:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    truth_dir: Annotated[Path, typer.Argument(help="folder with NAME.truth.json beside each source")],
    format: Annotated[Format, typer.Option("--format")] = Format.text,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="list every cell not correct")] = False,
) -> None:
    """Score parses against ground truth (report-json.md): correct / missing / silent errors."""
    from .evaluate import evaluate_dir, totals

    scores = evaluate_dir(truth_dir)
    if not scores:
        err.print(f"no *.truth.json under {truth_dir}")
        raise typer.Exit(2)
    total = totals(scores)
    if format is Format.json:
        sys.stdout.write(json.dumps({"documents": [s.to_dict() for s in scores],
                                     "total": dict(total)}, ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(box=None, header_style="bold")
        for column in ("document", "cells", "correct", "missing", "silent errors", "wrong inferences",
                       "agency", "year", "template"):
            table.add_column(column)
        for s in scores:
            if s.failure:
                table.add_row(Path(s.name).name, *["-"] * 7, f"[red]{escape(s.failure)}[/]")
                continue
            table.add_row(Path(s.name).name, str(s.cells), str(s.counts["correct"]), str(s.counts["missing"]),
                          _bad(s.counts["silent_error"]), _bad(s.counts["wrong_inference"]),
                          _ok(s.agency_ok), _ok(s.year_ok), _ok(s.template_ok))
            if verbose:
                for e in s.errors:
                    table.add_row("", "", f"  {e['cell']}", f"{e['outcome']}: expected {e['expected']}, "
                                  f"got {e['got']} ({e['status']}, line {e['line']})")
        out.print(table)
        cells = sum(total.values())
        meta = sum(s.metadata_ok for s in scores)
        out.print(f"{len(scores)} documents, {cells} cells: {total['correct']} correct "
                  f"({100 * total['correct'] / max(cells, 1):.2f} %), {total['missing']} missing, "
                  f"{total['silent_error']} silent errors, {total['wrong_inference']} wrong inferences; "
                  f"metadata right for {meta}/{len(scores)}")
    if total["silent_error"] or total["wrong_inference"] or any(s.failure for s in scores):
        raise typer.Exit(1)


class Output(StrEnum):
    docx = "docx"
    xlsx = "xlsx"
    html = "html"
    md = "md"


def _load_report(path: Path) -> Report:
    """A report from its JSON (as `gongkai parse` writes it) or from any readable report file."""
    from .pipeline import parse

    if path.suffix.lower() == ".json":
        try:
            return Report.from_json(path.read_text("utf-8"))
        except (OSError, ValueError, KeyError) as error:
            raise ParseError(str(path), f"not a report JSON ({error})") from None
    return parse(path)


@app.command()
def render(
    report: Annotated[Path, typer.Argument(help="a report JSON, or any readable report file")],
    to: Annotated[Output, typer.Option("--to", help="output format")] = Output.docx,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
) -> None:
    """Write a report's three tables as the official template lays them out."""
    from .render import render as render_report

    try:
        data = render_report(_load_report(report), to.value)
    except ParseError as error:
        err.print("[red]✗[/red] " + escape(str(error)), markup=True, highlight=False)
        raise typer.Exit(2) from None
    target = output or report.with_suffix(f".{to.value}")
    target.write_bytes(data)
    err.print("[green]✓[/green] " + escape(str(target)), markup=True, highlight=False)


@app.command()
def template(
    format: Annotated[str, typer.Option("--format", help="2019 or 2021")] = "2021",
    to: Annotated[Output, typer.Option("--to", help="output format")] = Output.xlsx,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
) -> None:
    """Write the blank official form, to fill in and check with `gongkai check` before publishing."""
    from .render import blank_form

    if format not in ("2019", "2021"):
        err.print("--format is 2019 or 2021")
        raise typer.Exit(2)
    target = output or Path(f"gongkai-form-{format}.{to.value}")
    target.write_bytes(blank_form(format, to.value))
    err.print("[green]✓[/green] " + escape(str(target)), markup=True, highlight=False)


def _ok(flag: bool) -> str:
    return "[green]✓[/]" if flag else "[red]✗[/]"


def _bad(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"


def main() -> None:  # pragma: no cover - entry point
    app()
