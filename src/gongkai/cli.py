"""The ``gongkai`` command line.

The core commands (parse, check, eval, render, template) need no optional dependency. The others
belong to an extra (``pip install 'gongkai[store]'`` …) and are loaded only when one runs, so
``gongkai --help`` imports neither SQLAlchemy nor pandas; without its extra, such a command answers
with one line naming the extra to install (Chinese by default, English with ``--lang en`` or
``GONGKAI_LANG=en``).
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

from .errors import ParseError
from .messages import Language as Lang

if TYPE_CHECKING:
    from rich.console import Console
    from typer._click import Command, Context  # the click typer is built on (vendored since 0.29)

    from .report import Report


class LazyCommand(NamedTuple):
    """A command of an optional part, imported only when it runs."""

    loader: str  # "module:register" (its register(app) adds the command) or "module:function"
    extra: str | None  # the extra whose packages it needs, checked before it is imported
    help: str  # its line in `gongkai --help` (tests/test_cli.py checks it against the command's own)


_STORE = "gongkai.store.commands:register"
_COLLECT = "gongkai.collect.commands:register"
_WEB = "gongkai.web.commands:register"

def _part(loader: str, extra: str | None, helps: dict[str, str]) -> dict[str, LazyCommand]:
    """The commands of one optional part: one loader, one extra, a help line each."""
    return {name: LazyCommand(loader, extra, text) for name, text in helps.items()}


# The commands of the optional parts (add yours here, in the order of `gongkai --help`).
LAZY_COMMANDS: dict[str, LazyCommand] = {
    **_part(_STORE, "store", {
        "ingest": "Parse reports into the database: idempotent (documents keyed by sha256) and resumable.",
        "failures": "List the documents that could not be parsed, with the reason.",
        "export": "Export every report: long form (one row per cell), wide panel (one row per report), or "
                  "the official tables (one XLSX per report, statuses coloured).",
        "stats": "Per region, level and year: reports, applications, outcome mix, 公开率, 纠错率 of review "
                 "and litigation, share of reports failing each rule.",
        "cross-year": "Cross-year findings (X-CARRY, X-INFORCE, X-ITEMS) between consecutive reports of one "
                      "agency.",
        "across": "Checks across reports: last year's carried-over, in-force and item counts, duplicates, "
                  "×10 jumps, text copied from last year (sections 一 and 五), a region's report against "
                  "its units'.",
        "missing": "Which units of a region published a report for which year (units × years; 0 = missing).",
        "roster": "The roster of units that must publish a report: import a list, or make it from the "
                  "division table; `gongkai missing` shows who never published.",
        "findings": "List the problems found in the stored reports (filters: rule, severity, region, year, "
                    "level, edition), as a table, CSV or XLSX.",
        "codebook": "Write the codebook: every export column with its Chinese label, table, row, column, "
                    "unit and rules, generated from the template.",
    }),
    **_part(_COLLECT, "collect", {
        "collect": "Collect annual reports from the agencies' websites into the store: list pages → report "
                   "pages → attachments, politely (robots.txt, per-host rate), resumably (a killed run "
                   "continues where it stopped), with conditional GETs on re-runs; then ingest them.",
        "collected": "List the collected documents: URL, unit, title, publication date (and where it was "
                     "read), version, the store's report.",
        "collect-failures": "List the URLs the collector could not fetch, with the reason (robots.txt, HTTP "
                            "status, timeouts, size cap, redirects).",
    }),
    **_part(_WEB, "web", {"serve": "Serve the review web app (pages, JSON API at /api, docs at /docs)."}),
    **_part(_WEB, "store", {"user": "web accounts"}),  # accounts live in the store (argon2 hashes)
    **_part("gongkai.synth.commands:synth", None, {
        "synth": "Write N random reports with their truth, each format in OUT/<format>/ (score one with "
                 "`gongkai eval OUT/<format>`)."}),
}


def _register_collections(target: typer.Typer) -> None:
    """Register every command of LAZY_COMMANDS on ``target`` now (imports them all)."""
    for name in LAZY_COMMANDS:
        _add_to(target, name)


def _add_to(target: typer.Typer, name: str) -> None:
    module_name, attribute = LAZY_COMMANDS[name].loader.split(":")
    function = getattr(importlib.import_module(module_name), attribute)
    if attribute == "register":
        function(target)
    else:
        target.command(name)(function)


# ------------------------------------------------------------------------------------ extras
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def missing_requirements(extra: str, requirements: list[str], installed: Callable[[str], bool],
                         project: str = "gongkai") -> list[str]:
    """The distributions ``extra`` of ``project`` needs that are not installed, following the
    extras it composes (``web = ["gongkai[store]", …]``). ``requirements`` are the project's
    ``Requires-Dist`` lines."""
    missing: list[str] = []
    seen: set[str] = set()

    def walk(wanted: str) -> None:
        if wanted in seen:
            return
        seen.add(wanted)
        for line in requirements:
            spec, _, marker = line.partition(";")
            found = _EXTRA_MARKER.search(marker)
            if found is None or found.group(1) != wanted:
                continue
            match = _REQUIREMENT.match(spec)
            if match is None:
                continue
            name, extras = match.group(1), match.group(2)
            if name.lower() == project:
                for inner in (extras or "").split(","):
                    if inner.strip():
                        walk(inner.strip())
            elif not installed(name) and name not in missing:
                missing.append(name)

    walk(extra)
    return missing


def _installed(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


def _missing_for(extra: str) -> list[str] | None:
    """What ``extra`` lacks here, or None when gongkai's metadata cannot say (run from a source tree
    without an install): then the import itself decides."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        requirements = requires("gongkai") or []
    except PackageNotFoundError:
        return None
    return missing_requirements(extra, requirements, _installed)


def _english(args: list[str]) -> bool:
    """Whether the user asked for English: ``--lang en`` among the arguments, or GONGKAI_LANG=en."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] == "en"
        if arg.startswith("--lang="):
            return arg == "--lang=en"
    return os.environ.get("GONGKAI_LANG", "").lower().startswith("en")


def _language_to_the_command(args: list[str]) -> list[str]:
    """``gongkai --lang en roster import f.csv`` → ``gongkai roster import f.csv --lang en``: the
    language given before a command goes to the command that runs (every command has --lang)."""
    taken: list[str] = []
    rest = list(args)
    while rest and rest[0].startswith("--lang"):
        if rest[0] == "--lang" and len(rest) > 1:
            taken, rest = [*taken, *rest[:2]], rest[2:]
        elif rest[0].startswith("--lang="):
            taken, rest = [*taken, rest[0]], rest[1:]
        else:
            break
    if not taken or not rest or rest[0].startswith("-") or "--help" in rest:
        return args  # nothing to hand on; a help page reads the language itself (LazyGroup)
    end = rest.index("--") if "--" in rest else len(rest)  # after "--" everything is an argument
    last = taken[-1:] if taken[-1].startswith("--lang=") else taken[-2:]  # the last one given wins
    return [*rest[:end], *last, *rest[end:]]


def needs_extra_message(extra: str, english: bool) -> str:
    """The one line a command answers with when its extra is not installed."""
    from .messages import say

    return say("extra.needed", "en" if english else "zh", extra=extra)


def _exit_needing(extra: str, args: list[str], missing: list[str]) -> None:
    from .messages import say

    english = _english(args)
    lang = "en" if english else "zh"
    line = needs_extra_message(extra, english)
    if missing:  # which packages: a partly installed extra is told apart from an absent one
        shown = ", ".join(missing[:3])
        if len(missing) > 3:
            shown += say("extra.more", lang, more=len(missing) - 3, count=len(missing))
        line += say("extra.lacking", lang, shown=shown)
    typer.echo(line, err=True)
    sys.exit(2)


def module_missing_message(module: str, english: bool) -> str:
    """The one line for a module that cannot be imported although its extra looks installed (an
    extra that forgot to declare it, or a damaged install): it names the module, not the extra."""
    from .messages import say

    return say("module.missing", "en" if english else "zh", module=module)


class _NeedsExtra(TyperCommand):
    """A stand-in for a command whose extra is missing: whatever it is given, it says which extra."""

    def __init__(self, name: str, extra: str, missing: list[str]) -> None:
        super().__init__(name, add_help_option=False,
                         context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
        self.extra, self.missing = extra, missing

    def invoke(self, ctx: Context) -> None:
        _exit_needing(self.extra, list(ctx.args), self.missing)


class LazyGroup(TyperGroup):
    """Lists LAZY_COMMANDS without importing them; imports one only when it is run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, Command] = {}
        self._running: list[str] = []
        self._lang = "zh"

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **kwargs: Any) -> Any:
        """As typer's, with its usage errors (a mistyped option, a missing argument) in the
        user's language."""
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

        from .cli_help import show_usage_error
        from .messages import say

        kwargs.update(args=args, prog_name=prog_name, complete_var=complete_var,
                      windows_expand_args=windows_expand_args)
        if not standalone_mode:
            return super().main(standalone_mode=False, **kwargs)
        try:
            result = super().main(standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as error:
            error.show()
            sys.exit(error.exit_code)
        except UsageError as error:
            show_usage_error(error, self._lang)
            sys.exit(error.exit_code)
        except ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo(say("aborted", self._lang), err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def make_context(self, info_name: str | None, args: list[str], parent: Context | None = None,
                     **extra: Any) -> Context:
        # the help in the language asked for (--lang en anywhere, or GONGKAI_LANG), before --help
        # is parsed: it prints the page as soon as it is seen
        from .cli_help import localize

        if parent is None:
            args = _language_to_the_command(list(args))
        self._lang = "en" if _english(list(args)) else "zh"
        localize(self, self._lang)
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        from .cli_help import short_help
        from .messages import help_text

        lazy = LAZY_COMMANDS[cmd_name]  # listed in --help without being imported, with its extra
        described = short_help(help_text(cmd_name, None, lazy.help, self._lang)) or ""
        listed = f"[{lazy.extra}] {described}" if lazy.extra else described
        return TyperCommand(cmd_name, help=listed, short_help=listed)

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        self._running = list(args)  # the command and its arguments, for a message if it fails
        if args and args[0] in LAZY_COMMANDS and args[0] not in self.commands:
            return args[0], self.load(args[0], args[1:]), args[1:]
        if args and args[0] not in self.commands:
            unlisted = _unlisted_command(args[0])
            if unlisted is not None:
                return args[0], unlisted, args[1:]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Context) -> Any:
        # a module a command imports as it runs (pyarrow for parquet, uvicorn for serve …)
        try:
            return super().invoke(ctx)
        except ImportError as error:
            running = self._running or [""]
            _exit_module_missing(error, running[0], running[1:])

    def load(self, name: str, args: list[str]) -> Command:
        """The real command ``name``, or its stand-in when its extra is not installed."""
        if name not in self._loaded:
            extra = LAZY_COMMANDS[name].extra
            missing = _missing_for(extra) if extra else []
            if extra and missing:
                self._loaded[name] = _NeedsExtra(name, extra, missing)
            else:
                try:
                    scratch = typer.Typer(rich_markup_mode=None)
                    _add_to(scratch, name)
                except ImportError as error:
                    _exit_module_missing(error, name, args)
                self._loaded[name] = typer.main.get_group(scratch).commands[name]
            from .cli_help import localize

            localize(self._loaded[name], self._lang, name)
        return self._loaded[name]


def _missing_module(error: BaseException | None) -> str | None:
    """The module a failed import could not find, also when a library wrapped the error in its own
    (pandas: "pyarrow is required for parquet support")."""
    while error is not None:
        if isinstance(error, ModuleNotFoundError) and error.name:
            return error.name
        error = error.__cause__ or error.__context__
    return None


def _unlisted_command(name: str) -> Command | None:
    """A command a module of LAZY_COMMANDS registers but the table does not list yet (found the slow
    way, importing those modules; tests/test_cli.py asks for the table entry)."""
    for loader in dict.fromkeys(lazy.loader for lazy in LAZY_COMMANDS.values()):
        module_name, attribute = loader.split(":")
        if attribute != "register":
            continue
        scratch = typer.Typer(rich_markup_mode=None)
        try:
            getattr(importlib.import_module(module_name), attribute)(scratch)
        except ImportError:
            continue  # its extra is not installed
        found = typer.main.get_group(scratch).commands.get(name)
        if found is not None:
            return found
    return None


def _exit_module_missing(error: ImportError, command: str, args: list[str]) -> None:
    """One line for a module a command cannot import: the extra to install when the extra is not
    (fully) installed, else the module itself. A missing gongkai module is a bug: raised as is."""
    module = _missing_module(error)
    if not module or module.split(".")[0] == "gongkai":
        raise error
    lazy = LAZY_COMMANDS.get(command)
    extra = lazy.extra if lazy else None
    if extra:
        missing = _missing_for(extra)
        if missing is None or missing:  # unknown (not installed as a package) or incomplete
            _exit_needing(extra, args, missing or [module])
    typer.echo(module_missing_message(module.split(".")[0], _english(args)), err=True)
    sys.exit(2)


# plain help (rich_markup_mode=None): typer's rich help imports markdown and syntax highlighting,
# which would more than double the start-up time of `gongkai --help`
app = typer.Typer(cls=LazyGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="政府信息公开工作年度报告 → checked data. Parse, check and score annual reports.")


def _consoles() -> tuple[Console, Console]:
    from rich.console import Console

    # piped output is read by people in wide terminals and by tools: do not wrap it at 80 columns
    return (Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160),
            Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160))


class _Lazily:
    """A rich Console made on first use: importing rich's console is not needed for --help."""

    def __init__(self, which: int) -> None:
        self._which = which
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            self._console = _consoles()[self._which]
        return getattr(self._console, name)


out: Console = _Lazily(0)  # type: ignore[assignment]
err: Console = _Lazily(1)  # type: ignore[assignment]

SAMPLE = Path(__file__).parent / "samples"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _needs_formats(to: str) -> None:
    """DOCX and XLSX are written by the formats extra: say so in one line when it is missing."""
    if to in ("docx", "xlsx"):
        missing = _missing_for("formats")
        if missing:
            _exit_needing("formats", sys.argv[1:], missing)


class Format(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


LangOption = Annotated[Lang, typer.Option("--lang", envvar="GONGKAI_LANG", help="language of messages")]


@app.callback()
def _everything(lang: Annotated[Lang | None, typer.Option(
        "--lang", help="language of messages for the command that follows: zh or en "
                       "(default: GONGKAI_LANG, else zh)", show_default=False)] = None) -> None:
    """``gongkai --lang en COMMAND …``: LazyGroup.make_context hands the option to the command."""


def _parse_each(files: list[Path], max_mb: float | None = None,
                lang: str | None = None) -> Iterator[tuple[Path, Report | None]]:
    """Yield (path, report or None) for each file; failures are reported (in ``lang``) and skipped."""
    from .pipeline import parse

    max_bytes = int(max_mb * 2**20) if max_mb else None
    for path in files:
        try:
            yield path, parse(path, max_bytes=max_bytes)
        except ParseError as error:
            _refused(error, lang)
            yield path, None


def _refused(error: ParseError, lang: str | None) -> None:
    """「✗ file：why」 on stderr, the reason in the user's language."""
    from .messages import failure

    err.print("[red]✗[/red] " + _escape(failure(error.name, error.reason, lang)), markup=True,
              highlight=False)


OptionalFiles = Annotated[list[Path] | None, typer.Argument(
    help="report files (text, HTML, PDF, DOCX, XLSX)", show_default=False)]
Sample = Annotated[bool, typer.Option("--sample", help="use the bundled sample report")]
ProgressOption = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", show_default=False,
    help="progress per file with rate and time left (default: a bar on a terminal; --progress: "
         "also plain lines in a log; GONGKAI_PROGRESS=1|0)")]
MaxMb = Annotated[float | None, typer.Option(
    "--max-mb", help="refuse files larger than this (default 100, or GONGKAI_MAX_FILE_MB)",
    show_default=False)]


def _files_or_sample(files: list[Path] | None, sample: bool, lang: str | None = None) -> list[Path]:
    from .messages import say

    if sample:
        return sorted(SAMPLE.glob("*.txt")) + list(files or [])
    if not files:
        err.print(say("files.none", lang), highlight=False)
        raise typer.Exit(2)
    return files


@app.command()
def parse(
    files: OptionalFiles = None,
    sample: Sample = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write DIR/<stem>.json")] = None,
    max_mb: MaxMb = None,
    progress: ProgressOption = None,
    lang: LangOption = Lang.zh,
) -> None:
    """Parse reports into the report JSON (stdout, or one file per report with -o)."""
    from .messages import say
    from .progress import Progress, mode

    files = _files_or_sample(files, sample, lang.value)
    failed = 0
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    # with -o, stdout is free and each file done is worth showing; JSON on stdout stays alone
    shown = mode(progress) if output is not None and len(files) > 1 else "off"
    bar = Progress(len(files), say("progress.parse", lang.value), lang=lang.value, show=shown)
    for path, report in _parse_each(files, max_mb, lang.value):
        bar.advance()
        if report is None:
            failed += 1
            continue
        if output is not None:
            target = output / f"{path.stem}.json"
            target.write_text(report.to_json(), "utf-8")
            err.print("[green]✓[/green] " + _escape(f"{path} → {target}"), markup=True, highlight=False)
        elif len(files) == 1:
            sys.stdout.write(report.to_json() + "\n")
        else:
            sys.stdout.write(report.to_json(indent=None) + "\n")
    bar.close()
    if failed:
        raise typer.Exit(2)


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _summary(report: Report, lang: Lang,
             where: Callable[[dict[str, Any] | None], str | None] | None = None) -> None:
    """A report's findings for people; ``where``: a cell's locator → its Excel address (XLSX)."""
    from rich.table import Table

    from .messages import header, say, severity

    language = lang.value
    statuses = Counter(c.status for c in report.cells.values())
    unknown = say("unknown", language)
    out.print(f"[bold]{_escape(str(report.source))}[/bold]  " + _escape(say(
        "report.head", language, agency=report.agency or unknown, year=report.year or unknown,
        template=report.template or unknown, hybrid=say("report.hybrid", language) if report.hybrid else "")),
        highlight=False)
    out.print("  " + say("report.cells", language, read=statuses["read"], inferred=statuses["inferred"],
                         blank=statuses["blank"], missing=statuses["missing"]), highlight=False)
    if not report.findings:
        out.print("  [green]" + say("report.clean", language) + "[/green]")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    # an XLSX form's findings name Excel cells (J23); others the line of the text
    place = "finding_cell" if where is not None else "finding_line"
    for column in ("finding_severity", "rule", place, "message"):
        table.add_column(header(column, language), overflow="fold")
    order = {"error": 0, "warning": 1, "info": 2}
    for finding in sorted(report.findings, key=lambda f: order[f.severity]):
        table.add_row(f"[{_SEVERITY_STYLE[finding.severity]}]{severity(finding.severity, language)}[/]",
                      finding.rule, _where(report, finding.cells, where) or str(finding.line or ""),
                      _escape(finding.text(language)))
    out.print(table)


def _where(report: Report, cells: list[str],
           where: Callable[[dict[str, Any] | None], str | None] | None) -> str:
    """The Excel addresses of a finding's cells (J23, …), when the report is an XLSX workbook."""
    if where is None:
        return ""
    found = [a for a in (where(report.cells[c].locator) for c in cells if c in report.cells) if a]
    return " ".join(dict.fromkeys(found[:4])) + (" …" if len(found) > 4 else "")


@app.command()
def check(
    files: OptionalFiles = None,
    sample: Sample = False,
    format: Annotated[Format, typer.Option("--format", help="text for people, json for machines")] = (
        Format.text),
    lang: LangOption = Lang.zh,
    max_mb: MaxMb = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="exit 1 when a finding of this severity "
                                            "or worse is found; never: only an unreadable file fails "
                                            "(exit 2)")] = FailOn.error,
    progress: ProgressOption = None,
) -> None:
    """Check reports against every rule of the template; exit 1 when any error is found."""
    from .messages import say
    from .progress import Progress, mode
    from .sheet_cells import addresser

    files = _files_or_sample(files, sample, lang.value)
    failing = {FailOn.error: {"error"}, FailOn.warning: {"error", "warning"}, FailOn.never: set()}[fail_on]
    unreadable = found = False
    results: list[dict[str, Any]] = []
    tally: Counter[str] = Counter()  # findings by severity, reports by severity, reports by rule
    bar = Progress(len(files), say("progress.check", lang.value), lang=lang.value,
                   show=mode(progress) if len(files) > 1 else "off")
    for path, report in _parse_each(files, max_mb, lang.value):
        if report is None:
            unreadable = True
            tally["unreadable"] += 1
            results.append({"source": str(path), "error": "unreadable"})
            bar.advance()
            continue
        _count(tally, report)
        found |= any(f.severity in failing for f in report.findings)
        if format is Format.json:
            results.append({"source": str(path), "agency": report.agency, "year": report.year,
                            "template": report.template, "hybrid": report.hybrid,
                            "findings": [f.to_dict() for f in report.findings]})
        else:
            _summary(report, lang, addresser(path) if path.suffix.lower() == ".xlsx" else None)
            out.print()
        bar.advance()  # after what was found in the file: the line closes it
    bar.close()
    if format is Format.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    if len(files) > 1:
        _closing_summary(tally, lang, out if format is Format.text else err)
    if unreadable:
        raise typer.Exit(2)
    if found:
        raise typer.Exit(1)


def _count(tally: Counter[str], report: Report) -> None:
    severities = Counter(f.severity for f in report.findings)
    tally["reports"] += 1
    for severity in ("error", "warning"):
        tally[severity] += severities[severity]
        tally[f"with_{severity}"] += severities[severity] > 0
    for rule in {f.rule for f in report.findings if f.severity in ("error", "warning")}:
        tally[f"rule:{rule}"] += 1


def _closing_summary(tally: Counter[str], lang: Lang, console: Console) -> None:
    """Reports, errors, warnings and the rules failed most often, after a check of many files."""
    from .messages import say

    console.print(say("check.summary", lang.value, reports=tally["reports"], unreadable=tally["unreadable"],
                      errors=tally["error"], with_errors=tally["with_error"], warnings=tally["warning"],
                      with_warnings=tally["with_warning"]), highlight=False)
    rules = sorted(((n, k[5:]) for k, n in tally.items() if k.startswith("rule:")),
                   key=lambda pair: (-pair[0], pair[1]))
    if rules:
        shown = ("，" if lang is Lang.zh else ", ").join(
            say("check.rule_count", lang.value, rule=rule, reports=n) for n, rule in rules[:5])
        console.print(say("check.worst", lang.value, rules=shown), highlight=False)


@app.command("eval")
def eval_(
    truth_dir: Annotated[Path, typer.Argument(help="folder with NAME.truth.json beside each source")],
    format: Annotated[Format, typer.Option("--format")] = Format.text,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="list every cell not correct")] = False,
    lang: LangOption = Lang.zh,
) -> None:
    """Score parses against ground truth (report-json.md): correct / missing / silent errors."""
    from .evaluate import evaluate_dir, totals
    from .messages import header, reason, say

    language = lang.value
    scores = evaluate_dir(truth_dir)
    if not scores:
        err.print(say("eval.none", language, folder=truth_dir), highlight=False)
        raise typer.Exit(2)
    total = totals(scores)
    if format is Format.json:
        sys.stdout.write(json.dumps({"documents": [s.to_dict() for s in scores],
                                     "total": dict(total)}, ensure_ascii=False, indent=1) + "\n")
    else:
        from rich.table import Table

        table = Table(box=None, header_style="bold")
        for column in ("document", "cells", "correct", "missing", "silent_errors", "wrong_inferences",
                       "agency", "year", "template"):
            table.add_column(header(column, language))
        for s in scores:
            if s.failure:
                shown = _escape(reason(s.failure, language))
                table.add_row(Path(s.name).name, *["-"] * 7, f"[red]{shown}[/]")
                continue
            table.add_row(Path(s.name).name, str(s.cells), str(s.counts["correct"]), str(s.counts["missing"]),
                          _bad(s.counts["silent_error"]), _bad(s.counts["wrong_inference"]),
                          _ok(s.agency_ok), _ok(s.year_ok), _ok(s.template_ok))
            if verbose:
                for e in s.errors:
                    table.add_row("", "", f"  {e['cell']}", _escape(say(
                        "eval.cell" if e["line"] is not None else "eval.cell_nowhere", language,
                        outcome=header(f"outcome.{e['outcome']}", language), expected=e["expected"],
                        got="—" if e["got"] is None else e["got"],
                        status=header(f"status.{e['status']}", language), line=e["line"])))
        out.print(table)
        cells = sum(total.values())
        meta = sum(s.metadata_ok for s in scores)
        out.print(say("eval.summary", language, documents=len(scores), cells=cells, correct=total["correct"],
                      share=100 * total["correct"] / max(cells, 1), missing=total["missing"],
                      silent=total["silent_error"], wrong=total["wrong_inference"], meta=meta),
                  highlight=False)
    if total["silent_error"] or total["wrong_inference"] or any(s.failure for s in scores):
        raise typer.Exit(1)


class Output(StrEnum):
    docx = "docx"
    xlsx = "xlsx"
    html = "html"
    md = "md"


def _load_report(path: Path) -> Report:
    """A report from its JSON (as `gongkai parse` writes it: the parse reads it back by content, and
    refuses any other JSON) or from any readable report file."""
    from .pipeline import parse

    return parse(path)


@app.command()
def render(
    report: Annotated[Path, typer.Argument(help="a report JSON, or any readable report file")],
    to: Annotated[Output, typer.Option("--to", help="output format")] = Output.docx,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
    lang: LangOption = Lang.zh,
) -> None:
    """Write a report's three tables as the official template lays them out."""
    from .render import render as render_report

    _needs_formats(to.value)
    try:
        data = render_report(_load_report(report), to.value)
    except ParseError as error:
        _refused(error, lang.value)
        raise typer.Exit(2) from None
    target = output or report.with_suffix(f".{to.value}")
    target.write_bytes(data)
    err.print("[green]✓[/green] " + _escape(str(target)), markup=True, highlight=False)


@app.command()
def template(
    edition: Annotated[str | None, typer.Option("--edition", help="2019 or 2021 (default: the latest)")] = (
        None),
    to: Annotated[Output, typer.Option("--to", help="output format")] = Output.xlsx,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
    lang: LangOption = Lang.zh,
    old_edition: Annotated[str | None, typer.Option("--format", hidden=True,
                                                    help="the old name of --edition")] = None,
) -> None:
    """Write the blank official form, to fill in and check with `gongkai check` before publishing."""
    from .messages import say
    from .render import blank_form
    from .template import EDITIONS

    chosen = edition or old_edition or EDITIONS[-1]
    if chosen not in EDITIONS:
        err.print(say("template.bad_format", lang.value, editions=" / ".join(EDITIONS)), highlight=False)
        raise typer.Exit(2)
    _needs_formats(to.value)
    target = output or Path(f"gongkai-form-{chosen}.{to.value}")
    target.write_bytes(blank_form(chosen, to.value))
    err.print("[green]✓[/green] " + _escape(str(target)), markup=True, highlight=False)


def _ok(flag: bool) -> str:
    return "[green]✓[/]" if flag else "[red]✗[/]"


def _bad(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"


def main() -> None:  # pragma: no cover - entry point
    app()
