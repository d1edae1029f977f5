"""Text reader: plain text, markdown, or any text conversion → Document.

Each source line becomes one row. A line is split into cells by the separator it shows:
markdown pipes (``| a | b |``), tabs, or `` | `` separators (with trailing pipe). Anything else
is one cell; the extractor splits space-separated numbers itself. Markdown separator rows
(``|---|---|``), the rules of plain-text tables (``------ ------``) and blank lines carry nothing
and are skipped, but line numbers stay those of the source so every value can be traced to its
line.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from typing import Final

from ..document import Cell, Document
from ..errors import ParseError
from .aligned import aligned_rows, has_spaced_values
from .markup_tables import latex_plain, markup_tables

MAX_TEXT_BYTES: Final = 50 * 1024 * 1024  # a report is ~10 KB of text; anything this big is not one

_MD_SEPARATOR: Final = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# a line break inside a markdown table's cell: kept as one in the cell's text (a number a narrow
# cell wrapped, 「189<br>50」, is told from two values a converter put in one cell, 「1 0」)
_BREAK: Final = re.compile(r"<br\s*/?>", re.IGNORECASE)
# the rules of pandoc's plain-text tables (「---------- ---------- ------」, 「=====」) and grid
# tables (「+------+------+」): lines, not rows of empty cells
_TABLE_RULE: Final = re.compile(r"^\s*(?:[-=]{3,}(?:\s+[-=]{3,})*|\+[-=:+]+\+)\s*$")
# a line of nothing but HTML tags (「<div class="nav">」「</div>」), as markdown keeps raw HTML
# (pandoc's gfm, crawlers' markdown): markup, not text; a title-finder must not read it as a line
_TAGS_ONLY: Final = re.compile(r"^(?:</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|<!--.*?-->|\s)+$")
# a paragraph's markup in converters' output formats, around its text: headings 「= 标题 =」「== 标题」
# (MediaWiki, AsciiDoc), 「# 标题 {#id}」's attributes (pandoc's markdown), 「.. rubric:: 标题」
# (reStructuredText), bold 「'''标题'''」 (MediaWiki)
_HEADING_MARKS: Final = re.compile(r"^(=+)\s+(.+?)(?:\s+=+)?\s*$")
_HEADING_ATTRIBUTES: Final = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
_DIRECTIVE: Final = re.compile(r"^\.\.\s+[a-z-]+::\s*")
# Textile's and Jira's block signatures: 「h1(#id). 标题」「h2. 一、总体情况」「p. 」「bq. 」
_BLOCK_SIGNATURE: Final = re.compile(r"^(?:h[1-6]|p|bq)(?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])*[<>=]*\.\s+")
_WIKI_BOLD: Final = re.compile(r"'{2,}")
# lines of markup alone: pandoc's fenced divs 「::: nav」, reStructuredText's containers and
# fields (「:name: …」) and Org's drawers (「:PROPERTIES:」)
_MARKUP_ONLY: Final = re.compile(r"^(?::{3,}.*|:[A-Za-z_][\w-]*:(?:\s.*)?|\.\.\s+container::.*)$")
# a slash or dash between two words, a space either side or none (a blank cell's 「/」 stands
# between numbers or separators; 「增/减」 names a column, 「1/2」 is a page)
_WORD_PUNCTUATION: Final = "（）《》“”"  # (a slash in 「</div>」 or a URL separates no words)
_SEPARATING_MARK: Final = {"/": re.compile(r" ?(?<!增)/(?!减) ?"), "-": re.compile(r" ?-(?!\d) ?")}
_MARK_SEPARATED: Final = 8  # marks between words that make a text separated by that mark
# a character written as an HTML reference (Textile and markdown writers escape some: 「&#45;12」)
_CHARACTER_REFERENCE: Final = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")
# a markdown writer's escape of a character its syntax uses (「\\-2」 for -2); not of a pipe, which
# inside a table's cell stays the cell's text
_MARKDOWN_ESCAPE: Final = re.compile(r"(?<!\\)\\([-*_#.+~<>\[\]()!`])")
# bytes that do not occur in text (all controls but tab, newlines, form feed and escape)
_CONTROL_BYTES: Final = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# _CONTROL's
_CONTROL_CHARACTER_BYTES: Final = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# the same, one bytes object each (found by memchr: bytes.translate reads the data byte by byte, and
# _CONTROL_BYTES is a part of them, so where none of these is there are none of those either)
_CONTROL_CHARACTER_BYTE_LIST: Final = [bytes([b]) for b in _CONTROL_CHARACTER_BYTES]


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode report bytes: BOM first, then UTF-8, UTF-16 (by its NUL pattern), GB18030.

    GB18030 is a superset of GBK and GB2312, which Chinese government sites still use.
    Returns (text, encoding). Raises ParseError for binary data or an unknown encoding.
    """
    if not data.strip():
        raise ParseError(name, "empty file")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return _strict(data[2:], encoding, name), encoding
    sample = data[:4096]
    # (no NUL in the sample, found by memchr: no UTF-16, and no halves of it to count NULs in)
    even, odd = (sample[0::2].count(0), sample[1::2].count(0)) if sample.find(b"\x00") >= 0 else (0, 0)
    if even + odd > len(sample) // 100 and min(even, odd) * 3 <= max(even, odd):
        # UTF-16 without BOM: ASCII (digits, tabs, newlines) leaves NULs on one byte parity only
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(name, "binary data, not a text report") from None
        if len(_CONTROL.findall(text[:4096])) > 8:
            raise ParseError(name, "binary data, not a text report")
        return text, encoding
    # in UTF-8 and GB18030 a control character is its own byte (no byte of a multi-byte character is
    # below 0x80, nor 0x7f): few control bytes where the first 4,096 characters can lie (4 bytes
    # each at most) spare looking through the text for them
    head = data[:4 * 4096]
    few_controls = True
    if _any_byte_of(head, _CONTROL_CHARACTER_BYTE_LIST):  # (none in most texts: nothing to count)
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if controls > len(sample) // 100:
            raise ParseError(name, "binary data, not a text report")
        few_controls = len(head) - len(head.translate(None, _CONTROL_CHARACTER_BYTES)) <= 8
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not few_controls and len(_CONTROL.findall(text[:4096])) > 8:
            raise ParseError(name, "binary data, not a text report")
        return text, encoding
    raise ParseError(name, "not text in a known encoding (UTF-8, GB18030/GBK, UTF-16)")


def _any_byte_of(data: bytes, each: list[bytes]) -> bool:
    return any(data.find(one) >= 0 for one in each)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ParseError(name, f"invalid {encoding} at byte {error.start}") from None


def markup_of(line: str) -> str:
    if line.startswith("|"):
        return "markdown"
    return "pipes" if "|" in line else "tabs"


def _pipe_cells(inner: str) -> list[str]:
    """The cells between the pipes of ``inner``, each trimmed, a ``<br>`` in one kept as a line
    break. A cell holding only a line break (「\\\\」: pandoc's org writer for LibreOffice's empty
    cell 「<p><br/></p>」) is empty."""
    if "<" not in inner:  # (no <br>: most rows; the pattern is not run cell by cell)
        cells = [c.strip() for c in inner.split("|")]
    else:
        cells = [_BREAK.sub("\n", c).strip() for c in inner.split("|")]
    if "\\\\" in inner:
        cells = ["" if c == "\\\\" else c for c in cells]
    return cells


def split_cells(line: str) -> list[str] | None:
    """Cells of one line, or None for a line that carries nothing (blank, markdown rule)."""
    stripped = line.strip()
    if not stripped or stripped == "|":
        return None  # (a pipe alone on its line, a token per line, separates cells; it holds none)
    # a rule has a dash, an equals sign or a plus: most lines have none and skip both patterns
    if ("-" in stripped or "=" in stripped or "+" in stripped) and (
            _MD_SEPARATOR.match(stripped) or _TABLE_RULE.match(stripped)):
        return None
    if stripped[0] == "<" and stripped[-1] == ">" and _TAGS_ONLY.match(stripped):
        return None
    if line.startswith("|"):
        # markdown rows open with a pipe; in the `a | b | ` style an indented leading pipe
        # closes an empty first cell instead
        inner = stripped[1:]
        if inner.endswith("|"):
            inner = inner[:-1]
        return _pipe_cells(inner)
    if "|" in stripped:
        # pipes before tabs: a tab beside a pipe (「\t0\t|\t1\t|\t|」) is the pipe's padding, and an
        # empty cell between two pipes is still one
        cells = _pipe_cells(stripped)
        if stripped.endswith("|"):
            cells.pop()  # the trailing pipe closes the row; it opens no cell
        return cells
    if "\t" in line:
        return _spaced_words_joined([c.strip() for c in line.rstrip("\r\n").split("\t")])
    return [stripped]


def _spaced_words_joined(cells: list[str]) -> list[str]:
    """A label spaced out character by character whose spaces became tabs (「(四)\t无\t法\t提\t供」,
    「五、存\t在\t的\t主\t要…」) is one cell again: else its 「无」 reads as a blank cell's mark, and
    a heading no longer ends the table before it. The run joins the cell before it when that
    ends in a Chinese character. A run of blank marks alone (「无\t无」) stays cells."""
    if sum(len(c) == 1 for c in cells) < 2:
        return cells
    joined: list[str] = []
    run: list[str] = []
    for cell in [*cells, ""]:
        if len(cell) == 1 and _is_chinese(cell):
            run.append(cell)
            continue
        if len(run) >= 2 and any(c != "无" for c in run):
            if joined and joined[-1] and _is_chinese(joined[-1][-1]):
                joined[-1] += "".join(run)
            else:
                joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        joined.append(cell)
    return joined[:-1]


def _is_chinese(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


_NOT_LINE_BREAKS: Final = "\f\v\x1c\x1d\x1e\x85\u2028\u2029"
def _separates_words(text: str, mark: str) -> bool:
    """Does ``mark`` stand between two Chinese words (a space either side or none) at least
    ``_MARK_SEPARATED`` times? (Each mark looked at where it is: a pattern tried at every
    character of the text cost more than the rest of the reader.)"""
    found = 0
    position = text.find(mark)
    while position >= 0:
        before = position - 1 if position > 0 and text[position - 1] != " " else position - 2
        after = position + 1 if position + 1 < len(text) and text[position + 1] != " " else position + 2
        if before >= 0 and after < len(text) and _is_word(text[before]) and _is_word(text[after]) and not (
                text[before] == "增" and text[after] == "减"):
            found += 1
            if found >= _MARK_SEPARATED:
                return True
        position = text.find(mark, position + 1)
    return False


def _occurs(text: str, mark: str, times: int) -> bool:
    """``text.count(mark) >= times`` for a one-character ``mark``, found by ``find`` (memchr) instead
    of counting every character of the text."""
    position = -1
    for _ in range(times):
        position = text.find(mark, position + 1)
        if position < 0:
            return False
    return True


def _is_word(character: str) -> bool:
    return _is_chinese(character) or character in _WORD_PUNCTUATION


_CSV_MIN_ROWS: Final = 5  # records of values a text needs before it is read as CSV
_CSV_VALUE: Final = re.compile(r"[-+]?\d+(?:\.\d+)?|[-—/／无]")


def csv_rows(text: str) -> dict[int, list[str]]:
    """Line index → fields, for a text written as comma-separated values (a table exported to CSV,
    cells a crawler joined with commas): most of its lines are records of three fields or more.
    Read as text, 「行政许可,374,374,374」 would be one number with thousands separators. A quoted
    field may hold line breaks: the record is given at its first line, its other lines as []."""
    if not _occurs(text, ",", 2 * _CSV_MIN_ROWS):
        return {}
    # (most texts with commas are prose: told by counting, before the csv module reads every line)
    lines = 0
    with_commas = 0
    for line in text.split("\n"):
        if line.strip():
            lines += 1
            if line.count(",") >= 2:
                with_commas += 1
    if with_commas < _CSV_MIN_ROWS or with_commas * 2 < lines:
        return {}
    rows: dict[int, list[str]] = {}
    reader = csv.reader(io.StringIO(text))
    first = 0
    try:
        for fields in reader:
            last = reader.line_num - 1
            if len(fields) >= 3:
                rows[first] = [field.strip() for field in fields]
                rows.update((k, []) for k in range(first + 1, last + 1))
            first = last + 1
    except csv.Error:
        return {}
    records = sum(1 for fields in rows.values() if fields)
    # rows of values, not sentences with commas: half their fields or more empty or a number
    values = sum(1 for fields in rows.values() if fields and 2 * sum(
        1 for field in fields if not field or _CSV_VALUE.fullmatch(field)) >= len(fields))
    return rows if values >= _CSV_MIN_ROWS and records * 2 >= lines else {}


def _paragraph_text(text: str, latex: bool) -> str | None:
    """A paragraph's text without its markup (None: a line of markup alone)."""
    if not text:
        return text
    first = text[0]
    if first in ":." and _MARKUP_ONLY.match(text):
        return None
    if first == "=":
        heading = _HEADING_MARKS.match(text)
        if heading is not None:
            text = heading.group(2)
    elif first == ".":
        text = _DIRECTIVE.sub("", text)
    elif first in "hpb" and ". " in text[:200]:
        text = _BLOCK_SIGNATURE.sub("", text)
    if text.endswith("}") and "{" in text:
        text = _HEADING_ATTRIBUTES.sub("", text)
    if "'" in text and "''" in text:
        text = _WIKI_BOLD.sub("", text)
    if latex and "\\" in text:
        text = latex_plain(text).replace("\n", " ")
    return text.strip()


def _no_line_breaks(text: str) -> str:
    """``text`` with the characters that are no line break (`_NOT_LINE_BREAKS`) as spaces. One
    replace per character present: str.translate looks every character of the text up in a dict
    (half of the reader's time on a 10 kB report)."""
    for character in _NOT_LINE_BREAKS:
        if character in text:
            text = text.replace(character, " ")
    return text


def read_text(data: bytes | str, name: str) -> Document:
    if isinstance(data, bytes):
        if len(data) > MAX_TEXT_BYTES:
            raise ParseError(name, f"file too large for a report ({len(data) // 2**20} MiB)")
        text, encoding = decode(data, name)
    else:
        text, encoding = data, None
        if not text.strip():
            raise ParseError(name, "empty text")
    document = Document(name=name, media_type="text/plain", encoding=encoding)
    table_rows: list[list[Cell]] = []
    markup: list[str] = []
    for mark in "/-":
        if _occurs(text, mark, _MARK_SEPARATED) and _separates_words(text, mark):
            # cells a crawler joined with slashes or dashes (「（三）不予公开/1.属于国家秘密/0/0/0/」):
            # there the mark is no blank cell's but a separator, as a pipe is (「增/减」 is a column's
            # name; a dash before a digit may be a minus sign)
            text = _SEPARATING_MARK[mark].sub("|", text)
    if "&" in text and ";" in text:
        text = _CHARACTER_REFERENCE.sub(lambda m: html.unescape(m.group()), text)
    # lines as editors and grep count them: a form feed (pdftotext's page break), vertical tab or
    # Unicode line separator is no line break (str.splitlines would make it one and shift every
    # line number after it)
    # (a test for one character finds it by memchr; one for two reads every character of the text)
    unix = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    lines = _no_line_breaks(unix).split("\n")
    if lines and not lines[-1]:
        lines.pop()
    # tables laid out in fixed-width columns (one search of the text where there are none)
    aligned = aligned_rows(lines) if has_spaced_values(text) else {}
    separated = csv_rows("\n".join(lines)) if "," in text else {}
    # tables in a markup's own syntax (grid tables, AsciiDoc, MediaWiki, LaTeX, raw HTML): laid out
    # on their grids; the lines they take are not read again
    latex = "\\" in text and ("\\begin{" in text or "\\textbf{" in text)
    if "\\" in text and not latex:
        lines = [_MARKDOWN_ESCAPE.sub(r"\1", line) if "\\" in line else line for line in lines]
    in_markup = markup_tables(lines, text, name)
    skip_to = 0
    # (a counter, not enumerate(start=1), and _flush a function, not a closure: compiled, both
    # went through generic calls at every line)
    number = 0
    for line in lines:
        number += 1
        if number - 1 < skip_to:
            continue
        if in_markup:
            block = in_markup.get(number - 1)
            if block is not None:
                _flush(document, table_rows, markup)
                for grid in block.grids:
                    document.add_table(grid, exact=True)
                skip_to = block.end
                continue
        fields = separated.get(number - 1) if separated else None
        if fields == []:
            continue  # a line inside a quoted field of the record above
        cells = fields or aligned.get(number - 1) or split_cells(line)
        if cells is None:
            if line.strip() == "|" and table_rows and _cell_left_open(lines[number - 2], table_rows[-1],
                                                                      number):
                # 「| … | 9 | 」 then 「 |」: a line break inside the row's last cell (pandoc's Jira
                # writer for LibreOffice's empty cell 「<p><br/></p>」): an empty cell, not a lost one
                table_rows[-1].append(Cell(text="", line=number - 1, column=len(table_rows[-1])))
                continue
            if not line.strip():
                _flush(document, table_rows, markup)  # a blank line ends a table (as markdown tables)
            continue
        if len(cells) == 1:
            _flush(document, table_rows, markup)
            paragraph = _paragraph_text(cells[0], latex)
            if paragraph is not None:
                document.add_paragraph(paragraph, number)
        else:
            style = "csv" if fields else "aligned" if number - 1 in aligned else markup_of(line)
            if markup and markup[0] != style:
                _flush(document, table_rows, markup)  # a different way of writing cells starts another table
            if markup:
                markup[0] = style
            else:
                markup.append(style)
            table_rows.append([Cell(text=c, line=number, column=i) for i, c in enumerate(cells)])
    _flush(document, table_rows, markup)
    return document


def _cell_left_open(previous: str, row: list[Cell], number: int) -> bool:
    """Did the line before (the row's own) end in a pipe and a space, a cell opened there?"""
    return (bool(row) and row[0].line == number - 1 and previous.endswith(" ")
            and previous.rstrip().endswith("|"))


def _flush(document: Document, table_rows: list[list[Cell]], markup: list[str]) -> None:
    """The table whose rows were collected, added to the document (nothing when none were)."""
    if table_rows:
        document.add_table(list(table_rows), exact=False, markup=markup[0])
        table_rows.clear()
        markup.clear()
