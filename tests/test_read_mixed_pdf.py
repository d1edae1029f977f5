"""A PDF with some pages typed (text layer) and some scanned: each page read by the right path,
one Document in page order.

Made with the real tools: a random report rendered to DOCX, converted to PDF by LibreOffice,
a copy of that PDF rasterised into a scan (150 dpi, noise, skew, a red seal on the first page),
and pages of both merged into one PDF with PDFium (pypdfium2's ``import_pages``).
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest

from gongkai.document import Document
from gongkai.evaluate import score
from gongkai.pipeline import parse, parse_document
from gongkai.readers import ocr
from gongkai.readers.pdf import read_pdf

# LibreOffice makes the typed pages' PDF, pdftoppm rasterises the scanned one
pytestmark = pytest.mark.tools("soffice", "cjk-font", "pdftoppm")
needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr_onnxruntime not installed (pip install 'gongkai[ocr]')")


def _merge(typed: bytes, scan: bytes, scanned: set[int]) -> bytes:
    """Page i (0-based) from ``scan`` when i is in ``scanned``, else from ``typed``."""
    import pypdfium2 as pdfium

    sources = pdfium.PdfDocument(typed), pdfium.PdfDocument(scan)
    merged = pdfium.PdfDocument.new()
    for index in range(len(sources[0])):
        merged.import_pages(sources[index in scanned], [index])
    out = io.BytesIO()
    merged.save(out)
    for document in (merged, *sources):
        document.close()
    return out.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, dict]:
    """(LibreOffice PDF, its scan, truth) of one random two-page report."""
    from gongkai.synth.corpus import make_corpus, scan_pdf

    out = tmp_path_factory.mktemp("mixed")
    [pdf] = make_corpus(1, "pdf", out, seed=0)["pdf"]
    truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text("utf-8"))
    typed = pdf.read_bytes()
    scan = scan_pdf(typed, random.Random(1), agency=truth["agency"])
    return typed, scan, truth


def _pages_of(document: Document, confident: bool) -> set[int]:
    """Pages of the table cells that have text and (do / do not) carry an OCR confidence."""
    return {c.page for t in document.tables for r in t.rows for c in r.cells
            if c.text and (c.confidence is not None) == confident and c.page}


@needs_ocr
def test_a_scanned_page_between_typed_ones_is_read_by_ocr_into_the_same_document(
        report: tuple[bytes, bytes, dict], tmp_path: Path) -> None:
    typed, scan, truth = report
    path = tmp_path / "mixed.pdf"
    path.write_bytes(_merge(typed, scan, scanned={1}))
    document = read_pdf(path.read_bytes(), path.name)
    assert document.pages == 2
    assert document.warnings[0] == ("page 2 has no text layer (scanned) and was read by OCR: "
                                    "see each cell's confidence")
    assert _pages_of(document, confident=False) == {1} and _pages_of(document, confident=True) == {2}
    # table 3 starts on the typed page and ends on the scanned one: still one grid, joined by rows
    spans = [sorted({c.page for r in t.rows for c in r.cells}) for t in document.tables]
    assert spans.count([1, 2]) == 1, spans
    # the typed page reads exactly as without the scan
    alone = read_pdf(typed, "typed.pdf")
    assert ([[c.text for c in r.cells] for r in document.rows if r.cells[0].page == 1]
            == [[c.text for c in r.cells] for r in alone.rows if r.cells[0].page == 1])
    result = score(parse(path), truth, path.name)
    assert result.counts["correct"] == result.cells and result.metadata_ok, result.errors


@needs_ocr
def test_a_scanned_first_page_before_a_typed_one(report: tuple[bytes, bytes, dict]) -> None:
    """The scanned page carries the red seal over a corner of table 3: cells it hides may be
    missing (each with a finding), never a wrong number."""
    typed, scan, truth = report
    document = read_pdf(_merge(typed, scan, scanned={0}), "mixed.pdf")
    assert document.warnings[0].startswith("page 1 has no text layer (scanned) and was read by OCR")
    assert _pages_of(document, confident=True) == {1} and _pages_of(document, confident=False) == {2}
    assert document.rows[0].cells[0].page == 1 and document.rows[-1].cells[0].page == 2
    parsed = parse_document(document)
    result = score(parsed, truth, "mixed.pdf")
    assert result.counts["silent_error"] == 0 and result.counts["wrong_inference"] == 0, result.errors
    assert result.counts["correct"] / result.cells >= 0.97 and result.metadata_ok, result.errors
    missing = {e["cell"] for e in result.errors}
    assert all(parsed.cells[path].status == "missing" or parsed.cells[path].value is None for path in missing)
    assert parsed.findings  # the doubtful cells are reported, not silently dropped


def test_without_the_ocr_extra_the_typed_pages_are_read_and_the_scanned_one_named(
        report: tuple[bytes, bytes, dict], monkeypatch: pytest.MonkeyPatch) -> None:
    typed, scan, _ = report
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # the extra is not installed
    document = read_pdf(_merge(typed, scan, scanned={1}), "mixed.pdf")
    assert document.warnings[0] == ("page 2 has no text layer (scanned) and was not read: "
                                    f"{ocr.OCR_MISSING}")
    assert {c.page for r in document.rows for c in r.cells} == {1}
    assert document.tables and not _pages_of(document, confident=True)
