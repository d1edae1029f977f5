"""The converter zoo: text that real tools make of generated reports reads with no wrong value.

Five random reports (fixed seed) are rendered by gongkai's renderer to DOCX and HTML (site
chrome, half GBK), the DOCX converted to PDF by LibreOffice; every converter of
:mod:`gongkai.synth.converters` (pdftotext, pypdfium2, pdfminer, pandoc, markitdown, html2text,
BeautifulSoup, w3m, lynx, Chromium's copy …) turns each file of its kind into text, which is
parsed as text and scored against the truth. For every converter: no silent error, no wrong
inference (a cell the tool's text cannot decide must be ``missing``); for the converters that keep
the cells in reading order also ≥ 99 % of cells correct (issue 9). ``bench/converters.py`` runs
the same over many reports and prints the table.

A converter whose tool is missing is skipped on a developer machine and fails under ``CI=true``
(.ci/run installs them all: the ``zoo`` extra, pandoc, w3m, lynx, chromium, LibreOffice).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gongkai.errors import ParseError
from gongkai.evaluate import score
from gongkai.synth.converters import CONVERTERS, Converter, convert_many, parse_text

REPORTS = 5
SEED = 0
CI = os.environ.get("CI") == "true"

# Converters the current extractor gets wrong on these five reports: (test, converter) -> what fails.
# The lead removes an entry when the extractor is fixed (strict=False: a fixed one passes quietly).
_INCONSISTENT_R0003 = ("r0003 breaks T3-TOTAL on purpose; F-SOLVE still fills a cell from the broken "
                      "equation (issue 9 item 4): {cells} inferred 6, truth 0")
_SIX_ZEROS_R0001 = ("r0001 leaves the 总计 column blank: rows 二 and 四 print six 0s for seven cells; every "
                    "placement gives 0 to the six applicant columns (a blank one is forced to 0 by the row "
                    "sum), yet those 12 cells stay missing")
_PARTLY = "partly_granted legal_service/total"
_TABLE2_GRID = ("r0002, r0004 (2019 format): table 2 comes out on a 5-column grid with an empty column, "
                "one cell of each row missing")
KNOWN: dict[tuple[str, str], str] = {
    ("no_wrong_value", "pdftotext"): (
        "drawing-order text (column blocks): r0001 (五)3 read 86/47/17/8 for 0/0/0/1 and total inferred 158; "
        "carried_forward.total read 0 for a blank; r0003 (五)5 read 3/1 for 0/0, total inferred 4; "
        "r0004 procurement.items read 4 for 92"),
    ("no_wrong_value", "pdftotext-layout"): _INCONSISTENT_R0003.format(cells=_PARTLY),
    ("no_wrong_value", "pdfplumber"): _INCONSISTENT_R0003.format(cells=_PARTLY),
    ("no_wrong_value", "pdfplumber-layout"): _INCONSISTENT_R0003.format(cells=_PARTLY),
    ("no_wrong_value", "pypdf-layout"): _INCONSISTENT_R0003.format(cells=_PARTLY),
    ("no_wrong_value", "python-docx"): _INCONSISTENT_R0003.format(cells="other_other legal_service/total"),
    ("no_wrong_value", "pdfminer"): (
        "text boxes in column blocks: table 2 values taken from the next box (fees.amount 430 for 2.46, "
        "19645 for 0, 14 for 0; procurement 93/0 for 92/0.1, amount 9 for 0), r0002 carried_forward "
        "research/total 1 for 0"),
    ("no_wrong_value", "pdf2txt.py"): "the same text as pdfminer, the same wrong values",
    ("no_wrong_value", "markitdown-pdf"): (
        "pdfminer's text with markdown tables of misaligned columns: 60+ silent errors and wrong inferences "
        "in all five reports (r0001 new_received.commercial 86 for 17 …)"),
    ("reads_cells", "pdftotext-raw"): _SIX_ZEROS_R0001,
    ("reads_cells", "pypdfium2"): _SIX_ZEROS_R0001,
    ("reads_cells", "pypdf"): _SIX_ZEROS_R0001,
    ("reads_cells", "pymupdf"): _SIX_ZEROS_R0001,
    ("reads_cells", "soffice-txt"): _SIX_ZEROS_R0001,
    ("reads_cells", "mammoth"): _SIX_ZEROS_R0001,
    ("reads_cells", "docx2txt"): _SIX_ZEROS_R0001,
    ("reads_cells", "html2text"): _SIX_ZEROS_R0001,
    ("reads_cells", "bs4-newline"): _SIX_ZEROS_R0001,
    ("reads_cells", "bs4-space"): _SIX_ZEROS_R0001,
    ("reads_cells", "inscriptis"): _SIX_ZEROS_R0001,
    ("reads_cells", "html-text"): _SIX_ZEROS_R0001,
    ("reads_cells", "w3m"): _SIX_ZEROS_R0001,
    ("reads_cells", "lynx"): _SIX_ZEROS_R0001,
    ("reads_cells", "chromium-copy"): _SIX_ZEROS_R0001,
    ("reads_cells", "pdftotext-layout"): _SIX_ZEROS_R0001 + (
        "; r0001 also loses 3 cells in each of 8 rows of (二)–(六)"),
    ("reads_cells", "pdfplumber"): _SIX_ZEROS_R0001 + "; r0001 loses 3 cells in each of 8 rows, as -layout",
    ("reads_cells", "pdfplumber-layout"): _SIX_ZEROS_R0001 + "; r0001 loses 3 cells in each of 8 rows",
    ("reads_cells", "pypdf-layout"): _SIX_ZEROS_R0001 + "; r0001 loses 3 cells in each of 8 rows",
    ("reads_cells", "pymupdf4llm"): (
        "markdown tables with merged header cells: rows 一/二 (new_received, carried_over), (二), (六) items "
        "and table 2's single-value rows (fees, procurement) missing in every report (86.6 %)"),
    ("reads_cells", "pandoc-docx-plain"): (
        "table 4 (15 cells, pandoc's wide simple table) missing in r0001, r0002, r0003, r0005; "
        + _SIX_ZEROS_R0001 + " (92.8 %)"),
    ("reads_cells", "pandoc-html-plain"): "the same text as pandoc-docx-plain: table 4 missing (92.8 %)",
    ("reads_cells", "pandoc-docx-gfm"): "table 2 cells missing: " + _TABLE2_GRID,
    ("reads_cells", "pandoc-html-gfm"): (
        "every report refused: the site chrome's raw <div> lines before the title hide it "
        "(「标题中没有年度」); without them all cells read, but the agency is「<divclass=\"article\">…」"),
    ("reads_cells", "markitdown-docx"): _SIX_ZEROS_R0001 + "; " + _TABLE2_GRID,
    ("reads_cells", "markitdown-html"): _SIX_ZEROS_R0001 + "; " + _TABLE2_GRID,
    ("reads_cells", "python-docx"): _SIX_ZEROS_R0001 + (
        "; tables come after all paragraphs and merged cells repeat their text: table 2 cells missing "
        "in r0002, r0004"),
    ("reads_cells", "bs4-glued"): (
        "every report refused: the page on one line, cells glued "
        "(「未找到报告标题或单位，未找到报告年度」)"),
    ("reads_cells", "bs4-body"): (
        "cells of a row glued with no separator: r0001 table 3 rows lost, table 2 rows lost in r0002, r0004, "
        "r0005 (88.4 %)"),
    ("reads_cells", "lxml-text_content"): "the same text as bs4-body (88.4 %)",
    ("reads_cells", "trafilatura"): (
        "every report refused: trafilatura drops the <h1> title, so no agency and no year; its tables "
        "are clean pipes"),
}


def _unavailable(reason: str) -> None:
    if CI:
        pytest.fail(f"CI must have every converter's tool: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """``kind -> folder`` with REPORTS files and their truths, or ``kind -> reason`` when it
    cannot be made here (PDFs need LibreOffice)."""
    from gongkai.synth.corpus import CorpusError, make_corpus

    out = tmp_path_factory.mktemp("zoo")
    folders: dict[str, Path | str] = {}
    make_corpus(REPORTS, "html,docx", out, SEED)
    folders.update(html=out / "html", docx=out / "docx")
    try:
        make_corpus(REPORTS, "pdf", out, SEED)
        folders["pdf"] = out / "pdf"
    except CorpusError as error:
        folders["pdf"] = str(error)
    return folders


_scores: dict[str, dict[str, Any]] = {}


def _outcome(converter: Converter, corpus: dict[str, Path | str]) -> dict[str, Any]:
    """Convert, parse and score the reports of the converter's kind (once per converter)."""
    if converter.name in _scores:
        return _scores[converter.name]
    missing = converter.missing()
    if missing:
        _unavailable(f"{converter.name} needs {', '.join(missing)} ({converter.install})")
    folder = corpus[converter.kind]
    if isinstance(folder, str):
        _unavailable(f"no {converter.kind} files to convert: {folder}")
    assert isinstance(folder, Path)
    sources = sorted(folder.glob(f"*.{converter.kind}"))
    assert len(sources) == REPORTS, f"expected {REPORTS} {converter.kind} files in {folder}"
    outcome: dict[str, Any] = {"wrong": [], "refused": [], "correct": 0, "cells": 0}
    for source, text in zip(sources, convert_many(converter, sources), strict=True):
        assert isinstance(text, str), f"{converter.name} failed on {source.name}: {text}"
        truth = json.loads(source.with_suffix(".truth.json").read_text("utf-8"))
        try:
            report = parse_text(text, f"{source.stem}.{converter.name}.txt")
        except ParseError as error:
            outcome["refused"].append(f"{source.stem}: {error.reason}")
            continue
        result = score(report, truth, source.stem)
        outcome["cells"] += result.cells
        outcome["correct"] += result.counts["correct"]
        outcome["wrong"] += [f"{source.stem} {e['cell']} {e['outcome']}: expected {e['expected']}, got "
                             f"{e['got']} (raw {e['raw']!r}, line {e['line']})"
                             for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    _scores[converter.name] = outcome
    return outcome


def _params(test: str, names: list[str]) -> list[Any]:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=False, reason=KNOWN[(test, name)]))
            if (test, name) in KNOWN else name for name in names]


@pytest.mark.parametrize("name", _params("no_wrong_value", list(CONVERTERS)))
def test_no_wrong_value(name: str, corpus: dict[str, Path | str]) -> None:
    """No converter's text gives a silent error or a wrong inference."""
    outcome = _outcome(CONVERTERS[name], corpus)
    assert not outcome["wrong"], f"{name}: {len(outcome['wrong'])} wrong value(s):\n" + "\n".join(
        outcome["wrong"][:20])


ORDERED = [name for name, converter in CONVERTERS.items() if converter.keeps_order]


@pytest.mark.parametrize("name", _params("reads_cells", ORDERED))
def test_reads_cells(name: str, corpus: dict[str, Path | str]) -> None:
    """A converter that keeps the cells in reading order loses almost nothing: every report is
    read (none refused) and ≥ 99 % of cells are correct."""
    outcome = _outcome(CONVERTERS[name], corpus)
    assert not outcome["refused"], f"{name}: refused " + "; ".join(outcome["refused"])
    share = outcome["correct"] / outcome["cells"]
    assert share >= 0.99, f"{name}: {outcome['correct']}/{outcome['cells']} cells correct ({share:.2%})"


def test_every_converter_is_real() -> None:
    """The zoo names each tool once, with an input kind and what to install."""
    assert len(CONVERTERS) >= 30
    for name, converter in CONVERTERS.items():
        assert converter.name == name and converter.kind in ("pdf", "docx", "html") and converter.install
    kinds = {c.kind for c in CONVERTERS.values()}
    assert kinds == {"pdf", "docx", "html"}
