"""OCR of scanned PDFs and images (the optional ``[ocr]`` extra: rapidocr-onnxruntime).

Measured on generated scans (150 dpi, noise, skew ≤ 1°, red seal over a table corner): see
bench/formats.py. The tests assert what holds on every scan: no silent error, ≥ 99 % of cells.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest

from gongkai.errors import ParseError
from gongkai.evaluate import score, totals
from gongkai.pipeline import parse_document
from gongkai.readers import ocr

needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr_onnxruntime not installed (pip install 'gongkai[ocr]')")
needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice (soffice) not installed: scans are made from its PDFs")


def test_without_the_extra_the_reason_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    monkeypatch.setattr(ocr, "_engine", None)
    assert not ocr.available()
    for reader in (ocr.read_scanned_pdf, ocr.read_image):
        with pytest.raises(ParseError) as raised:
            reader(b"%PDF-1.4", "scan.pdf")
        assert "pip install 'gongkai[ocr]'" in raised.value.reason


def test_skew_is_measured() -> None:
    np = pytest.importorskip("numpy")
    from PIL import Image, ImageDraw

    page = Image.new("L", (1200, 1600), 240)
    draw = ImageDraw.Draw(page)
    for y in range(200, 1400, 40):  # a ruled table
        draw.line((150, y, 1050, y), fill=20, width=2)
    for x in range(150, 1100, 150):
        draw.line((x, 200, x, 1360), fill=20, width=2)
    for angle in (-0.8, 0.4):
        skewed = np.asarray(page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=240))
        assert abs(ocr._skew(skewed) + angle) <= 0.1


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from gongkai.synth.corpus import make_corpus

    out = tmp_path_factory.mktemp("scans")
    return make_corpus(2, "scan", out, seed=0)["scan"]


@needs_ocr
@needs_soffice
def test_scanned_pdfs_are_read_without_silent_errors(scans: list[Path]) -> None:
    scores, pages, started = [], 0, time.perf_counter()
    for path in scans:
        document = ocr.read_scanned_pdf(path.read_bytes(), path.name)
        pages += document.pages or 0
        truth = json.loads(path.with_name(path.name.replace(".pdf", ".truth.json")).read_text("utf-8"))
        scores.append(score(parse_document(document), truth, path.name))
        # the OCR confidence is available on every table cell that has text
        table_cells = [c for t in document.tables for r in t.rows for c in r.cells if c.text]
        assert table_cells and all(c.confidence is not None and 0 < c.confidence <= 1 for c in table_cells)
        assert all(c.bbox is not None and c.page for c in table_cells)
    elapsed = (time.perf_counter() - started) / max(pages, 1)
    total = totals(scores)
    cells = sum(total.values())
    errors = [(s.name, e) for s in scores for e in s.errors]
    print(f"OCR: {total['correct']}/{cells} cells correct, {elapsed:.2f} s/page", errors)
    assert total["silent_error"] == 0 and total["wrong_inference"] == 0, errors
    assert total["correct"] / cells >= 0.99, errors
    assert all(s.metadata_ok for s in scores)


@needs_ocr
@needs_soffice
def test_an_image_is_read(scans: list[Path]) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(scans[0].read_bytes())
    image = pdf[0].render(scale=150 / 72).to_pil()
    buffer = BytesIO()
    image.save(buffer, "PNG", dpi=(150, 150))
    document = ocr.read_image(buffer.getvalue(), "page1.png")
    assert document.media_type == "image/png" and document.pages == 1
    assert document.tables and any("规章" in c.text for t in document.tables for r in t.rows for c in r.cells)
    title = document.rows[0].cells[0].text
    assert "政府信息公开工作年度" in title


def test_a_damaged_image_is_refused() -> None:
    if not ocr.available():
        pytest.skip("rapidocr_onnxruntime not installed")
    with pytest.raises(ParseError, match="cannot read image"):
        junk = bytes(random.Random(0).randrange(256) for _ in range(100))
        ocr.read_image(b"\x89PNG\r\n\x1a\n" + junk, "x.png")
