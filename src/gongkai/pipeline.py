"""The pipeline: read (any format → Document) → extract (→ cells) → infer → check (→ findings).

Whether a document is a report at all is decided once, here, after extraction, from evidence
(:func:`report_evidence`): a title or agency and a year, and values read (or printed blanks) in
at least one of the template's tables — or, for a report whose tables were lost by a conversion,
its title, agency and year with the template's section headings in its text. Anything else is
refused with :class:`ParseError` naming the file and what was missing, so that no notice, budget
report or stray JSON is ever stored as a report with every cell missing.

A report JSON that gongkai wrote is read back (:mod:`gongkai.readers.report_json`): its cells as
written, the extractor's findings as written, the checker's findings checked again on its cells.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from .document import Document
from .errors import ParseError
from .report import Finding, Report
from .template import TEMPLATE

__all__ = ["Evidence", "ParseError", "parse", "parse_document", "report_evidence"]

NOT_A_REPORT: Final = "不是政府信息公开工作年度报告"
# 「…政府信息公开工作年度报告」 and its variants; a notice about the reports is none of them
_REPORT_TITLE: Final = re.compile(r"信息公开.{0,8}(?:年度报告|年报|工作报告)$")
_ABOUT_REPORTS: Final = re.compile(r"通知|报送|印发|转发|做好|编制|提交")
# a title's wrapping: quotes and spaces, punctuation at its end, brackets at its end — written as
# one first character and then, looked behind at it, what follows it (the same matches as
# 「[\s《》…]|[。.…]+$|(?:[（(][^（）()]{1,12}[)）])+$」, whose alternatives give the engine no first
# character to look for: it tried all three at every character of the title)
_WRAPPING_MARKS: Final = r"\s《》“”\"「」『』【】"
_END_PUNCTUATION: Final = r"。.：:，,；;！!"
_TITLE_WRAPPING: Final = re.compile(
    rf"[{_WRAPPING_MARKS}{_END_PUNCTUATION}（(](?:(?<=[{_WRAPPING_MARKS}])|(?<=[{_END_PUNCTUATION}])"
    rf"[{_END_PUNCTUATION}]*$|(?<=[（(])[^（）()]{{1,12}}[)）](?:[（(][^（）()]{{1,12}}[)）])*$)")
MIN_HEADINGS: Final = 2  # template section headings a report without table values must still name
MIN_READ: Final = 60  # cells read in two or more tables: a report even with no title to be found


# A parse allocates many small objects and no reference cycles, so reference counting frees all
# of it; the cyclic collector would only keep re-walking the long-lived label caches (a third of
# the time). It is paused for one parse and resumed after (gc.disable() … finally gc.enable(),
# written out: a contextlib.contextmanager costs more than the two calls it wraps).


def parse_document(document: Document) -> Report:
    """Extract, infer and check a document that a reader produced."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_document(document)
    finally:
        if enabled:
            gc.enable()


def _parse_document(document: Document) -> Report:
    from .check import check
    from .extract import extract
    from .extract.ocr_doubt import doubt_ocr_readings

    report = extract(document)
    _refuse_non_report(report, document)
    doubt_ocr_readings(report.cells, report.shape, report.findings)  # OCR misreads: missing, not read
    report.findings.extend(check(report))
    return report


# ------------------------------------------------------------------------------ evidence
@dataclass(frozen=True, slots=True)
class Evidence:
    """What a parse found that only a report has."""

    title: bool  # a title of an annual report (…信息公开工作年度报告), not of a notice about one
    agency: bool  # an agency, not taken from a title of something else
    year: bool
    values: int  # cells read or printed blank, in any of the template's tables
    headings: int  # the template's section headings (一、总体情况 …) the text names

    read: int = 0  # cells read (not blank) …
    tables_read: int = 0  # … in this many of the template's tables

    @property
    def is_report(self) -> bool:
        if self.year and (self.title or self.agency) and self.values:
            return True
        if self.read >= MIN_READ and self.tables_read >= 2:
            # the tables themselves, values and all: a converter dropped the title (trafilatura),
            # the report stays, and S-IDENTITY asks a person for its agency and year
            return True
        # a report whose tables a conversion lost: a full identity, and the report's own headings
        return self.title and self.agency and self.year and self.headings >= MIN_HEADINGS


def is_report_title(title: str | None) -> bool:
    """「某某镇人民政府2023年度政府信息公开工作年度报告（修订）」 yes; 「关于做好2023年度政府信息公开
    工作年度报告编制工作的通知」 no."""
    if not title:
        return False
    bare = _TITLE_WRAPPING.sub("", title)
    bare = _TITLE_WRAPPING.sub("", bare)  # punctuation left before a removed bracket
    return bool(_REPORT_TITLE.search(bare)) and not _ABOUT_REPORTS.search(bare)


def report_evidence(report: Report, document: Document | None) -> Evidence:
    """The evidence in the parse of a document (None for a report JSON, whose text is not at
    hand: its section headings are then taken as named)."""
    title = is_report_title(report.title)
    # the extractor takes the agency from the title: a notice's title gives none worth counting
    agency = bool(report.agency and report.agency.strip()) and (title or not report.title)
    values = read = 0
    tables: set[str] = set()
    seen: list[str] = []  # "table." of the tables found: most paths start with one (no split needed)
    for path, cell in report.cells.items():  # (one pass over the cells)
        if cell.status == "read":
            read += 1
            if not any(path.startswith(prefix) for prefix in seen):
                table = path.split(".", 1)[0]
                tables.add(table)
                seen.append(table + ".")
        elif cell.status == "blank":
            values += 1
    values += read
    tables_read = len(tables)
    year = report.year is not None
    # the headings matter only without values; a parse with them is spared the scan of its text
    needed = document is not None and not (year and (title or agency) and values)
    headings = _headings_named(document) if needed and document is not None else len(TEMPLATE.sections)
    return Evidence(title, agency, year, values, headings, read, tables_read)


def _headings_named(document: Document) -> int:
    from .extract.labels import normalize

    flat = normalize("\n".join(row.text for row in document.rows))
    return sum(1 for section in TEMPLATE.sections
               if any(normalize(label) in flat for label in section.label.all))


def _refuse_non_report(report: Report, document: Document | None) -> None:
    """ParseError naming the file and what it lacks, unless the parse has a report's evidence."""
    evidence = report_evidence(report, document)
    if evidence.is_report:
        return
    zh: list[str] = []
    en: list[str] = []
    if report.title and not evidence.title:
        zh.append(f"标题「{report.title}」不是年度报告的标题")
        en.append(f"the title 「{report.title}」 is not one of an annual report")
    elif not (evidence.title or evidence.agency):
        zh.append("未找到报告标题或单位")
        en.append("no report title or agency found")
    if not evidence.year and evidence.title:  # e.g. the official form filled in under its bare title
        zh.append(f"标题中没有{'' if evidence.agency else '单位和'}年度"
                  "（应如「某某镇人民政府2023年度政府信息公开工作年度报告」）")
        en.append(f"the title names no {'' if evidence.agency else 'agency and '}year "
                  "(as in 「某某镇人民政府2023年度政府信息公开工作年度报告」)")
    elif not evidence.year:
        zh.append("未找到报告年度")
        en.append("no year found")
    if not evidence.values:
        if document is not None and not _tables_seen(document):
            zh.append("未找到任何统计表（表二、表三、表四）")
            en.append("no statistics table of the template found")
        else:
            zh.append("统计表中未读到任何数值或空白")
            en.append("no value or printed blank read in any statistics table")
        if evidence.title and evidence.agency and evidence.year:
            zh.append(f"正文中也{'只有 1 个' if evidence.headings else '没有'}年度报告的章节标题"
                      "（一、总体情况 等）")
            en.append(f"and the text names {'only one' if evidence.headings else 'none'} of the report's "
                      "section headings")
    name = document.name if document is not None else (report.source or "<report>")
    raise ParseError(name, f"{NOT_A_REPORT}：{'，'.join(zh)}（not an annual report: {'; '.join(en)}）")


def _tables_seen(document: Document) -> bool:
    from .extract import segment_document

    return bool(segment_document(document).tables_seen)


# ------------------------------------------------------------------------------ report JSON
def _source_name(source: str | bytes | Path) -> str:
    from .readers import _looks_like_path

    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        return str(source)
    return "<text>" if isinstance(source, str) else "<bytes>"


def _checked_again(report: Report, name: str) -> Report:
    """A report read back from its JSON: refused when it lacks a report's evidence (JSON written
    before that was decided at parse time); the checker's findings made afresh from its cells
    (hand-corrected values are checked), the extractor's kept as written."""
    from .check import check

    _refuse_non_report(replace(report, source=name), None)
    severity = {rule.id: rule.severity for rule in TEMPLATE.rules}
    # the extractor's own T3-ROWSET is a warning; the checker's findings carry the rule's severity
    kept: list[Finding] = [f for f in report.findings if severity.get(f.rule) != f.severity]
    report.findings = kept + check(replace(report, findings=[]))
    return report


def parse(source: str | bytes | Path, *, name: str | None = None, max_bytes: int | None = None) -> Report:
    """Parse a report from a path, raw bytes, or its text — or read back a report JSON that
    gongkai wrote (its checker findings made again from its cells).

    Raises :class:`ParseError` naming the file and the reason when the input is not a readable
    report (empty, binary, too large, damaged, encrypted, a zip of many files, wrong kind of
    document, …) or not a report at all (a notice, a budget, another tool's JSON: see
    :class:`Evidence`). ``max_bytes`` overrides the size cap (:data:`gongkai.readers.MAX_FILE_BYTES`).
    """
    from .readers import read_input

    enabled = gc.isenabled()
    gc.disable()  # (the cyclic collector paused for the parse, as in parse_document)
    try:
        found = read_input(source, name=name, max_bytes=max_bytes)
        if isinstance(found, Report):
            return _checked_again(found, name or _source_name(source))
        return _parse_document(found)
    finally:
        if enabled:
            gc.enable()
