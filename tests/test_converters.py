"""The converter zoo: text that real tools make of generated reports reads with no wrong value.

Five random reports (fixed seed) are rendered by gongkai's renderer to DOCX and HTML (site
chrome, half GBK), the DOCX converted to PDF by LibreOffice; every converter of
:mod:`gongkai.synth.converters` (pdftotext, pypdfium2, pdfminer, pandoc, markitdown, html2text,
BeautifulSoup, w3m, lynx, Chromium's copy …) turns each file of its kind into text, which is
parsed as text and scored against the truth. For every converter: no silent error, no wrong
inference (a cell the tool's text cannot decide must be ``missing``); for the converters that keep
the cells in reading order, not glued together, also ≥ 99 % of cells correct (issue 9).
``bench/converters.py`` runs the same over many reports and prints the table.

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
from timing import time_limit

REPORTS = 5
SEED = 0
CI = os.environ.get("CI", "").lower() == "true"

# Converters the current extractor gets wrong on these five reports: (test, converter) -> what fails.
# The lead removes an entry when the extractor is fixed (strict=False: a fixed one passes quietly).
KNOWN: dict[tuple[str, str], str] = {
    ("reads_cells", "html2text-debian"): (
        "≈ 83 %: Debian's html2text counts widths in bytes and cuts Chinese characters apart "
        "(「只�262��33��2形」), so the labels of rows whose values share their line are lost; "
        "those cells stay missing"),
    ("reads_cells", "pymupdf4llm"): (
        "97.7 %: r0004 (2019 format) loses its last table-3 rows ((五)5 要求行政机关确认…, (六), (七), 四: "
        "20 cells); table 2's fees amount missing in r0001, r0003, r0005"),
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
PARSE_SECONDS = 60  # a parse that takes longer fails the test (a two-page report parses in well under 1 s)




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
            with time_limit(PARSE_SECONDS, AssertionError, f"{converter.name} text of {source.name}"):
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


ORDERED = [name for name, c in CONVERTERS.items() if c.keeps_order and not c.glues_cells]


@pytest.mark.parametrize("name", _params("reads_cells", ORDERED))
def test_reads_cells(name: str, corpus: dict[str, Path | str]) -> None:
    """A converter that keeps the cells in reading order, apart from each other, loses almost
    nothing: every report is read (none refused) and ≥ 99 % of cells are correct."""
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
