"""Tables written in a text format's own markup, as converters write them (pandoc's writers, wiki
and LaTeX exports), read cell by cell.

Read line by line, such a table loses what the markup says: a cell's text wraps over lines there
(「22」 over 「02」 in a narrow grid-table column is 2202), and an empty cell is a cell (a MediaWiki
row's bare 「|」 lines, an AsciiDoc row's 「| |」). Each table is laid out on its grid, spans
expanded, as the HTML reader lays out ``<table>``:

- grid tables (reStructuredText, pandoc's markdown and plain text): ``+---+`` rules, ``|``
  between cells, a cell's lines joined (by a line break: the extractor tells a number's wrapped
  pieces from two numbers, as for a markdown cell's ``<br>``);
- AsciiDoc ``|===`` blocks: each unescaped ``|`` opens a cell (a span such as ``2+`` or ``.3+``
  before it), rows as wide as the ``cols`` attribute says;
- MediaWiki ``{|`` … ``|}``: rows ``|-``, cells ``|``/``!`` (``||``/``!!`` on one line),
  attributes before a single ``|``;
- LaTeX ``tabular``/``longtable``: cells ``&``, rows ``\\``, ``\\multicolumn``/``\\multirow``;
- HTML tables left raw in markdown or Textile (pandoc's strict markdown and Textile writers).

A table whose rows do not make one grid (a row wider or narrower than the others) is left to
the line-by-line reading: its cells would be placed by a guess.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from ..document import Cell
from .aligned import display_width
from .html import Span, build_grid, html_tables

__all__ = ["MarkupTable", "latex_plain", "markup_tables"]


@dataclass(slots=True)
class MarkupTable:
    """A table found in the text: lines ``start`` to ``end`` (0-based, ``end`` excluded)."""

    start: int
    end: int
    grids: list[list[list[Cell]]]  # (one table, or an HTML block's tables and those nested in them)
    markup: str


def markup_tables(lines: list[str], text: str, name: str) -> dict[int, MarkupTable]:
    """The markup tables of ``lines`` (``text`` is their whole text), by their first line's index.
    Each kind is looked for only where its marks occur (most texts cost a few substring tests)."""
    found: dict[int, MarkupTable] = {}
    # (each behind a test of one character, found by memchr: a longer string is looked for at every
    # character of the text)
    if "+" in text and ("+-" in text or "+=" in text):
        _grid_tables(lines, found)
    if "-" in text and "- --" in text:
        _column_rule_tables(lines, found)
    if "=" in text and "|===" in text:
        _asciidoc_tables(lines, found, name)
    if "{" in text and "{|" in text:
        _mediawiki_tables(lines, found, name)
    if "\\" in text and "&" in text and "\\begin{" in text:
        _latex_tables(lines, found, name)
    if "<" in text and ("<table" in text or "<TABLE" in text):
        _html_tables(lines, found, name)
    return found


def _add(found: dict[int, MarkupTable], table: MarkupTable | None) -> None:
    if table is not None and table.grids and not any(
            start < table.end and table.start < other.end for start, other in found.items()):
        found[table.start] = table


def _grid(spans: list[Span], n_rows: int, lines: list[int], name: str,
          short_rows: bool = False) -> list[list[Cell]] | None:
    """The spans laid out on a grid, each row on its source line; None when the rows are not equally
    wide (a cell lost or added somewhere: where each belongs is not known). ``short_rows``: the
    markup lets a row leave out its last cells when they are empty (LaTeX)."""
    if not spans or n_rows == 0:
        return None
    widths = [0] * n_rows
    for span in spans:
        for row in range(span.row, min(span.row + span.rows, n_rows)):
            widths[row] += span.cols
    if len(set(widths)) != 1 and not short_rows:
        return None
    grid = build_grid(spans, n_rows, 1, name)
    for cells, line in zip(grid, lines, strict=True):
        for cell in cells:
            cell.line = line
    return grid


class _Placer:
    """Puts a table's cells on grid positions row by row, skipping positions that a cell above
    still covers (its row span), as browsers do."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.busy: list[int] = []  # busy[c]: the first row a row span above leaves free at column c
        self.row = -1
        self.column = 0

    def new_row(self) -> None:
        self.row += 1
        self.column = 0

    def cell(self, text: str, rows: int = 1, cols: int = 1) -> None:
        if self.row < 0:
            self.new_row()
        while self.column < len(self.busy) and self.busy[self.column] > self.row:
            self.column += 1
        end = self.column + cols
        if end > len(self.busy):
            self.busy.extend([0] * (end - len(self.busy)))
        self.busy[self.column:end] = [self.row + rows] * cols
        self.spans.append(Span(self.row, self.column, rows, cols, text))
        self.column = end

    def columns_used(self) -> int:
        """Columns of the current row taken so far, the row spans from above included."""
        return sum(1 for c in range(len(self.busy)) if self.busy[c] > self.row or c < self.column)


def _closed_blocks(lines: list[str], opening: Callable[[str], str | None],
                   depth: Callable[[str, str, bool], int]) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, what opened it) of each block a line ``opening`` names starts, up to
    the line where ``depth`` (how much a line opens, minus what it closes; ``True`` for the first
    line) sums to 0. An unclosed block ends the search: it is no table."""
    index = 0
    while index < len(lines):
        opened = opening(lines[index])
        if opened is None:
            index += 1
            continue
        level = depth(lines[index], opened, True)
        end = index
        while level > 0:
            end += 1
            if end == len(lines):
                return
            level += depth(lines[end], opened, False)
        yield index, end, opened
        index = end + 1


# ------------------------------------------------------------------------------- grid tables
_GRID_RULE = re.compile(r"^(\s*)\+(?:[-=:]+\+)+\s*$")


def _display_columns(line: str) -> list[int]:
    """The display column of each character (a CJK character is two wide, as pandoc counts)."""
    columns: list[int] = []
    column = 0
    for character in line:
        columns.append(column)
        column += display_width(character)
    return columns


def _grid_tables(lines: list[str], found: dict[int, MarkupTable]) -> None:
    i = 0
    while i < len(lines):
        match = _GRID_RULE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent = len(match.group(1))
        end = i + 1
        while end < len(lines) and lines[end][indent:indent + 1] in ("|", "+"):
            end += 1
        _add(found, _grid_table(lines, i, end))
        i = end


def _grid_table(lines: list[str], start: int, end: int) -> MarkupTable | None:
    rules = [k for k in range(start, end) if _GRID_RULE.match(lines[k])]
    if len(rules) < 2 or rules[-1] != end - 1:
        return None
    bounds = sorted({p for k in rules for p, character in enumerate(lines[k]) if character == "+"})
    placer = _Placer()
    row_lines: list[int] = []
    for top, bottom in pairwise(rules):
        content = lines[top + 1:bottom]
        if not content:
            continue
        placer.new_row()
        row_lines.append(top + 2)  # (1-based: the row's first line)
        if all(line.count("|") == len(bounds) for line in content):
            # a bar for every column on every line: the cells by count (a CJK character wider than
            # its column shifts the bars of its line off the rules' positions, 「| 行 |  |」)
            pieces_by_line = [line.strip()[1:-1].split("|") for line in content]
            for column in range(len(bounds) - 1):
                width = bounds[column + 1] - bounds[column] - 3  # (a space of padding each side)
                placer.cell(_wrapped_cell([p[column].strip() for p in pieces_by_line], width))
            continue
        columns = [_display_columns(line) for line in content]
        bars = [{c for c, ch in zip(cols, line, strict=True) if ch == "|"} for cols, line in zip(
            columns, content, strict=True)]
        if any(ch == "+" and c in bounds for cols, line in zip(columns, content, strict=True)
               for c, ch in zip(cols, line, strict=True)):
            return None  # a rule cut by a row span: not read here
        separators = [p for p in bounds if all(p in line_bars for line_bars in bars)]
        if len(separators) < 2 or separators[0] != bounds[0] or separators[-1] != bounds[-1]:
            return None
        for left, right in pairwise(separators):
            pieces = ["".join(ch for c, ch in zip(cols, line, strict=True) if left < c < right).strip()
                      for cols, line in zip(columns, content, strict=True)]
            spanned = sum(1 for p in bounds if left <= p < right)
            placer.cell(_wrapped_cell(pieces, right - left - 3), cols=spanned)
    grid = _grid(placer.spans, placer.row + 1, row_lines, "")
    return None if grid is None else MarkupTable(start, end, [grid], "grid")


_NUMBER_PIECE = re.compile(r"[\d.．]+")


def _wrapped_cell(pieces: list[str], width: int) -> str:
    """A grid cell's text from its lines. A number too wide for its column is cut into pieces that
    fill the column, the rest on the first line (pandoc: 「25」「01」, 「1」「92」, 「72」「.58253」) or on
    the last: those pieces are one number again. Other lines stay apart (line breaks)."""
    lines = [piece for piece in pieces if piece]
    if len(lines) > 1 and all(_NUMBER_PIECE.fullmatch(line) for line in lines) and (
            all(len(line) == width for line in lines[1:]) or all(len(line) == width for line in lines[:-1])):
        return "".join(lines)
    return "\n".join(lines)


# -------------------------------------------- pandoc's simple and multiline tables (plain, markdown)
# the rule under a header whose dash groups are the columns (「----- ------ ---」)
_COLUMN_RULE = re.compile(r"^\s*-{3,}(?:[ ]+-{3,})+\s*$")
_FULL_RULE = re.compile(r"^\s*-{3,}\s*$")


def _column_rule_tables(lines: list[str], found: dict[int, MarkupTable]) -> None:
    for index, line in enumerate(lines):
        if _COLUMN_RULE.match(line):
            _add(found, _column_rule_table(lines, index))


def _column_rule_table(lines: list[str], rule: int) -> MarkupTable | None:
    """A table whose columns the dash groups of line ``rule`` give: a multiline table (between two
    full-width rules, rows apart by blank lines, a cell's text over several lines) or a simple
    one (a row a line, up to a blank line), each character placed in the column it stands under."""
    columns = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[rule])]
    top = rule - 1
    while top >= 0 and lines[top].strip() and not _FULL_RULE.match(lines[top]):
        top -= 1
    multiline = top >= 0 and _FULL_RULE.match(lines[top]) is not None
    start = top if multiline else top + 1
    header = [k for k in range(start + (1 if multiline else 0), rule)]
    rows: list[list[int]] = [header] if header else []
    end = rule + 1
    current: list[int] = []
    while end < len(lines):
        text = lines[end]
        if multiline and _FULL_RULE.match(text):
            end += 1
            break
        if not text.strip():
            if not multiline:
                break
            if current:
                rows.append(current)
                current = []
        elif _COLUMN_RULE.match(text):
            end += 1  # (a headerless simple table's closing rule)
            break
        elif multiline:
            current.append(end)
        else:
            rows.append([end])
        end += 1
    else:
        if multiline:
            return None  # no closing rule
    if current:
        rows.append(current)
    placer = _Placer()
    row_lines: list[int] = []
    for row in rows:
        by_column: list[list[str]] = [[] for _ in columns]
        for k in row:
            placed = _under_columns(lines[k], columns)
            if placed is None:
                return None
            for column, piece in placed:
                by_column[column].append(piece)
        placer.new_row()
        row_lines.append(row[0] + 1)
        for (left, right), pieces in zip(columns, by_column, strict=True):
            placer.cell(_wrapped_cell(pieces, right - left))
    if len(rows) < 2:
        return None
    grid = _grid(placer.spans, placer.row + 1, row_lines, "")
    return None if grid is None else MarkupTable(start, end, [grid], "columns")


def _under_columns(line: str, columns: list[tuple[int, int]]) -> list[tuple[int, str]] | None:
    """The runs of ``line`` (apart by two spaces or more) with the column each stands under; None
    when a run starts left of every column or reaches past its column's end into the next."""
    display = _display_columns(line)
    result: list[tuple[int, str]] = []
    for match in re.finditer(r"\S+(?: \S+)*", line):
        first = display[match.start()]
        end = display[match.end() - 1] + display_width(match.group()[-1])
        column = bisect_right([left for left, _right in columns], first) - 1
        if column < 0 or end > columns[column][1] + 1:  # (a CJK character may stand one column over)
            return None
        result.append((column, match.group()))
    return result


# ---------------------------------------------------------------------------------- AsciiDoc
_ASCIIDOC_DELIMITER = re.compile(r"^\s*\|={3,}\s*$")
_ASCIIDOC_COLS = re.compile(r"""cols\s*=\s*["']?([^"'\]]*)""")
# a cell's span and style, written right before its 「|」 at a line's start or after a space:
# 「2+|」 two columns, 「.3+|」 three rows, 「2.3+|」 both, 「3*|」 the cell three times over
_ASCIIDOC_SPEC = re.compile(
    r"(?:^|(?<=\s))(?P<spec>(?:(?P<times>\d+)\*)?(?:(?P<cols>\d+)?(?:\.(?P<rows>\d+))?\+)?"
    r"(?:[<^>](?:\.[<^>])?)?(?P<style>[adehlmsv])?)$")
_UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


def _asciidoc_tables(lines: list[str], found: dict[int, MarkupTable], name: str) -> None:
    def depth(line: str, _opened: str, first: bool) -> int:
        return 1 if first else -1 if _ASCIIDOC_DELIMITER.match(line) else 0

    def opening(line: str) -> str | None:
        return "" if _ASCIIDOC_DELIMITER.match(line) else None

    for start, end, _opened in _closed_blocks(lines, opening, depth):
        attributes = lines[start - 1] if start > 0 and lines[start - 1].lstrip().startswith("[") else ""
        _add(found, _asciidoc_table(lines, start, end, attributes, name))


def _asciidoc_width(attributes: str, first_line: str) -> int:
    match = _ASCIIDOC_COLS.search(attributes)
    if match is not None:
        value = match.group(1).strip()
        if value.isdigit():
            return int(value)
        width = 0
        for entry in value.split(","):
            times = re.match(r"\s*(\d+)\*", entry)
            width += int(times.group(1)) if times else 1
        return width
    return len(_UNESCAPED_BAR.findall(first_line))  # without cols, the first line's cells


@dataclass(slots=True)
class _AsciidocCell:
    line: int
    text: str
    rows: int = 1
    cols: int = 1
    times: int = 1


def _asciidoc_spec(before: str, line_start: bool) -> re.Match[str] | None:
    """The span/style spec ending ``before`` (the text up to a 「|」), if it is one: at a line's
    start, or after a space (at the start of a cell's text it would be that text: 「|2+|」)."""
    match = _ASCIIDOC_SPEC.search(before)
    if match is None or not match.group("spec"):
        return None
    at_start = match.start("spec") == 0
    if at_start and not line_start:
        return None
    if match.group("style") and not (at_start and line_start) and not (
            match.group("times") or match.group("cols") or match.group("rows")):
        return None  # a lone letter after a space is the end of a cell's text
    return match


def _asciidoc_table(lines: list[str], start: int, end: int, attributes: str,
                    name: str) -> MarkupTable | None:
    body = [(k, lines[k]) for k in range(start + 1, end) if lines[k].strip()]
    if not body:
        return None
    width = _asciidoc_width(attributes, body[0][1])
    cells: list[_AsciidocCell] = []
    for k, line in body:
        position = 0
        for bar in (m.start() for m in _UNESCAPED_BAR.finditer(line)):
            before = line[position:bar]
            spec = _asciidoc_spec(before, position == 0)
            if spec is not None:
                before = before[:spec.start("spec")]
            if cells:
                # the text up to this 「|」 ends the cell before (on from its own line, or a line below)
                cells[-1].text += ("\n" if position == 0 else "") + before
            elif before.strip():
                return None  # text before the first cell: not a table body
            cells.append(_AsciidocCell(k + 1, "", int(spec.group("rows") or 1) if spec else 1,
                                       int(spec.group("cols") or 1) if spec else 1,
                                       int(spec.group("times") or 1) if spec else 1))
            position = bar + 1
        if cells:
            cells[-1].text += ("\n" if position == 0 else "") + line[position:]
    placer = _Placer()
    row_lines: list[int] = []
    for cell in cells:
        for _ in range(cell.times):
            if placer.row < 0 or placer.columns_used() >= width:
                placer.new_row()
                row_lines.append(cell.line)
            placer.cell(_cell_text(cell.text), rows=cell.rows, cols=cell.cols)
    grid = _grid(placer.spans, placer.row + 1, row_lines, name)
    return None if grid is None else MarkupTable(start, end + 1, [grid], "asciidoc")


def _cell_text(text: str) -> str:
    """A cell's lines trimmed, blank ones dropped, kept apart by line breaks."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# --------------------------------------------------------------------------------- MediaWiki
_WIKI_ATTRIBUTES = re.compile(r"""^\s*(?:[\w-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s|]+)\s*)+$""")
_WIKI_SPAN = re.compile(r"""(rowspan|colspan)\s*=\s*["']?(\d+)""")


def _mediawiki_tables(lines: list[str], found: dict[int, MarkupTable], name: str) -> None:
    def depth(line: str, _opened: str, _first: bool) -> int:
        stripped = line.lstrip()
        return stripped.startswith("{|") - stripped.startswith("|}")

    def opening(line: str) -> str | None:
        return "" if line.lstrip().startswith("{|") else None

    for start, end, _opened in _closed_blocks(lines, opening, depth):
        _add(found, _mediawiki_table(lines, start, end, name))


def _wiki_cell(raw: str) -> tuple[str, int, int]:
    """(text, rows, cols) of a cell written ``attributes | text`` or ``text``."""
    head, bar, tail = raw.partition("|")
    if bar and _WIKI_ATTRIBUTES.match(head):
        spans = dict((key, int(value)) for key, value in _WIKI_SPAN.findall(head))
        return tail.strip(), max(spans.get("rowspan", 1), 1), max(spans.get("colspan", 1), 1)
    return raw.strip(), 1, 1


def _mediawiki_table(lines: list[str], start: int, end: int, name: str) -> MarkupTable | None:
    placer = _Placer()
    row_lines: list[int] = []
    pending: list[list[object]] = []  # cells of the current row: [text, rows, cols]
    row_line = start + 2

    def close_row() -> None:
        if pending:
            placer.new_row()
            row_lines.append(row_line)
            for text, rows, cols in pending:
                assert isinstance(text, str) and isinstance(rows, int) and isinstance(cols, int)
                placer.cell(_cell_text(text), rows=rows, cols=cols)
            pending.clear()

    for k in range(start + 1, end):
        stripped = lines[k].strip()
        if stripped.startswith("|-"):
            close_row()
            row_line = k + 2
            continue
        if stripped.startswith("|+") or stripped.startswith("{|"):
            return None  # a caption or a nested table: not read here
        if stripped[:1] in ("|", "!"):
            if not pending:
                row_line = k + 1
            separator = "||" if stripped[0] == "|" else "!!"
            for raw in stripped[1:].split(separator):
                pending.append([*_wiki_cell(raw)])
        elif pending:
            text = pending[-1][0]
            assert isinstance(text, str)
            pending[-1][0] = f"{text}\n{stripped}"  # a cell's text runs on over lines
        elif stripped:
            return None  # text outside any cell
    close_row()
    grid = _grid(placer.spans, placer.row + 1, row_lines, name)
    return None if grid is None else MarkupTable(start, end + 1, [grid], "mediawiki")


# ------------------------------------------------------------------------------------- LaTeX
_LATEX_BEGIN = re.compile(r"\\begin\{(tabular\*?|longtable|tabularx|tabulary)\}")
_LATEX_RULES = re.compile(
    r"\\(?:toprule|midrule|bottomrule|hline|endhead|endfirsthead|endfoot|endlastfoot|cline\{[^}]*\}"
    r"|cmidrule(?:\([^)]*\))?\{[^}]*\}|noalign\{[^}]*\})")
_LATEX_MULTI = re.compile(r"\\multi(column|row)\{(\d+)\}\{[^{}]*\}\{")
_LATEX_ESCAPES = {"\\%": "%", "\\&": "&", "\\_": "_", "\\#": "#", "\\$": "$", "{[}": "[", "{]}": "]",
                  "\\textasciitilde{}": "~", "\\textbackslash{}": "\\", "~": " "}
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?(?:\[[^\]]*\])?")
_LATEX_CAPTION = re.compile(r"\\caption\*?\{[^{}]*\}")


def _latex_tables(lines: list[str], found: dict[int, MarkupTable], name: str) -> None:
    def opening(line: str) -> str | None:
        match = _LATEX_BEGIN.search(line)
        return match.group(1) if match is not None else None

    def depth(line: str, environment: str, first: bool) -> int:
        return first - (f"\\end{{{environment}}}" in line)

    for start, end, environment in _closed_blocks(lines, opening, depth):
        after_begin = _LATEX_BEGIN.search(lines[start]).end()  # type: ignore[union-attr]  # (it opened)
        _add(found, _latex_table(lines, start, end, environment, after_begin, name))


def _skip_group(text: str, position: int) -> int:
    """The position after the brace group opening at ``position`` (braces balanced)."""
    depth = 0
    for index in range(position, len(text)):
        if text[index] == "{" and text[index - 1] != "\\":
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _latex_body_start(text: str, position: int, arguments: int) -> int:
    """Where the body begins after ``\\begin{…}``: its optional ``[…]`` and ``arguments`` brace
    groups (the column spec; a width before it for tabular*, tabularx) skipped."""
    while arguments:
        while position < len(text) and text[position] in " \n":
            position += 1
        if position < len(text) and text[position] == "[":
            position = text.find("]", position) + 1 or len(text)
            continue
        if position < len(text) and text[position] == "{":
            position = _skip_group(text, position)
        arguments -= 1
    return position


def _latex_rows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each row of the body: up to each ``\\\\`` outside braces and minipages."""
    rows: list[tuple[int, int]] = []
    depth = 0
    row_start = start
    index = start
    while index < end:
        character = text[index]
        if character == "\\":
            if text.startswith("\\\\", index) and depth == 0:
                rows.append((row_start, index))
                index += 2
                if index < end and text[index] == "[":  # 「\\[2pt]」
                    index = text.find("]", index) + 1 or end
                row_start = index
                continue
            if text.startswith("\\tabularnewline", index) and depth == 0:
                rows.append((row_start, index))
                index += len("\\tabularnewline")
                row_start = index
                continue
            if text.startswith("\\begin{minipage}", index):
                depth += 1
            elif text.startswith("\\end{minipage}", index):
                depth -= 1
            index += 2  # (an escaped character, 「\\&」「\\{」, is skipped with its backslash)
            continue
        if character == "{":
            depth += 1
        elif character == "}":
            depth -= 1
        index += 1
    rows.append((row_start, end))
    return rows


def _latex_table(lines: list[str], start: int, end: int, environment: str, after_begin: int,
                 name: str) -> MarkupTable | None:
    text = "\n".join(lines[start:end + 1])
    line_starts = [0]
    for line in lines[start:end + 1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    arguments = 2 if environment in ("tabular*", "tabularx", "tabulary") else 1
    body_start = _latex_body_start(text, after_begin, arguments)
    body_end = text.find(f"\\end{{{environment}}}", body_start)
    placer = _Placer()
    row_lines: list[int] = []
    for row_start, row_end in _latex_rows(text, body_start, body_end):
        raw_row = _LATEX_CAPTION.sub("", _LATEX_RULES.sub("", text[row_start:row_end]))
        if not raw_row.strip():
            continue
        placer.new_row()
        offset = row_start + len(text[row_start:row_end]) - len(text[row_start:row_end].lstrip())
        row_lines.append(start + bisect_right(line_starts, offset))
        for raw_cell in _latex_cells(raw_row):
            cols = 1
            multi = _LATEX_MULTI.search(raw_cell)
            while multi is not None:
                # a \\multirow's rows below print their own (empty) cells: only columns count
                if multi.group(1) == "column":
                    cols = int(multi.group(2))
                raw_cell = raw_cell[:multi.start()] + raw_cell[multi.end():]
                multi = _LATEX_MULTI.search(raw_cell)
            placer.cell(latex_plain(raw_cell), cols=cols)
    grid = _grid(placer.spans, placer.row + 1, row_lines, name, short_rows=True)
    return None if grid is None else MarkupTable(start, end + 1, [grid], "latex")


def _latex_cells(row: str) -> list[str]:
    """A row's cells: split at each ``&`` that is neither escaped nor inside braces."""
    cells: list[str] = []
    depth = 0
    current: list[str] = []
    previous = ""
    for character in row:
        if character == "{" and previous != "\\":
            depth += 1
        elif character == "}" and previous != "\\":
            depth -= 1
        if character == "&" and depth == 0 and previous != "\\":
            cells.append("".join(current))
            current = []
        else:
            current.append(character)
        previous = character
    cells.append("".join(current))
    return cells


def latex_plain(text: str) -> str:
    """LaTeX text as plain text: commands dropped, their arguments kept, escapes undone, a cell's
    lines kept apart by line breaks (「\\textbf{三、收到…}」 → 「三、收到…」)."""
    if "\\" not in text and "{" not in text and "}" not in text and "~" not in text:
        return _cell_text(text)
    text = re.sub(r"\\(?:begin|end)\{minipage\}(?:\[[^\]]*\])?(?:\{[^{}]*\})?", "", text)
    for escaped, plain in _LATEX_ESCAPES.items():
        text = text.replace(escaped, plain)
    text = _LATEX_COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "")
    return _cell_text(text)


# -------------------------------------------------------------------------------------- HTML
def _html_tables(lines: list[str], found: dict[int, MarkupTable], name: str) -> None:
    def depth(line: str, _opened: str, _first: bool) -> int:
        lowered = line.lower()
        return lowered.count("<table") - lowered.count("</table")

    def opening(line: str) -> str | None:
        return "" if "<table" in line.lower() else None

    for start, end, _opened in _closed_blocks(lines, opening, depth):
        _add(found, MarkupTable(start, end + 1, html_tables("\n".join(lines[start:end + 1]), start + 1, name),
                                "html"))
