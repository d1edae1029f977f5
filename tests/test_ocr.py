"""OCR of scanned PDFs and images (the optional ``[ocr]`` extra: RapidOCR 3, PP-OCRv6).

Measured on generated scans (150 dpi, noise, skew ≤ 1°, red seal over a table corner): see
bench/formats.py. The tests assert what holds on every scan: no silent error, ≥ 99 % of cells.
"""

from __future__ import annotations

import json
import random
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from gongkai.errors import ParseError
from gongkai.evaluate import score, totals
from gongkai.pipeline import parse_document
from gongkai.readers import ocr

needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr not installed (pip install 'gongkai[ocr]')")
NOTO_SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk
needs_noto = pytest.mark.tools("noto-cjk")  # draws with NOTO_SANS
needs_soffice = pytest.mark.tools("soffice", "cjk-font", "pdftoppm")  # scans: LibreOffice PDFs rasterised


def _no_engine(name: str | None = None) -> None:
    raise ImportError("No module named 'rapidocr'")


def test_without_the_extra_the_reason_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "engine_available", lambda name: False)
    monkeypatch.setattr(ocr, "load_engine", _no_engine)
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


def _bridged_stroke_page() -> Any:
    """A ruled table at 150 dpi drawn with the Noto CJK font, tight rows as in table 2 of a
    LibreOffice report (scan r0155 of the synthetic corpus): the central stroke of 「中」
    reaches the ruling under its row, and the stem of the 「1」 of 「313.889894」 in the merged
    cell below starts on that ruling, so the two strokes and the ruling make one vertical run
    of 46 px (a column line needs 37) that stops 4 px short of the next ruling."""
    from PIL import Image, ImageDraw, ImageFont

    big, small = ImageFont.truetype(str(NOTO_SANS), 26), ImageFont.truetype(str(NOTO_SANS), 18)
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for y in (600, 640, 680, 708, 734):
        draw.line((190, y, 1050, y), fill="black", width=2)
    for x, bottom in ((190, 734), (400, 734), (620, 680), (840, 680), (1050, 734)):
        draw.line((x, 600, x, bottom), fill="black", width=2)
    for y, texts in ((620, ("项目", "本年", "上年", "合计")), (660, ("数量", "12", "34", "46")),
                     (694, ("名称",)), (721, ("总额",))):
        for x, text in zip((210, 430, 650, 870), texts, strict=False):
            draw.text((x, y), text, fill="black", font=small, anchor="lm")
    draw.text((888, 674), "中央资金", fill="black", font=big)  # 中's stroke at x = 900, down to y = 706
    draw.text((879, 698), "313.889894", fill="black", font=big)  # the 1's stem at x = 900, from y = 710
    return page


@needs_noto
def test_a_stroke_bridged_through_a_ruling_is_no_column_line() -> None:
    np = pytest.importorskip("numpy")
    grey = np.asarray(_bridged_stroke_page().convert("L"))
    dark = grey < ocr._threshold(grey)
    runs = ocr._segments(ocr._runs(dark, 37, axis=0).T, 37)
    rows = ocr._segments(ocr._runs(dark, 37, axis=1), 37)
    bridged = [run for run in runs if abs(run.position - 900) <= 2]
    assert bridged and bridged[0].end - bridged[0].start > 37  # the page does bridge the strokes
    kept = ocr._column_lines(runs, rows, 37)
    assert [round(run.position) for run in kept] == [190, 400, 620, 840, 1050]


@needs_ocr
@needs_noto
def test_a_merged_cell_is_not_split_by_strokes_of_text() -> None:
    buffer = BytesIO()
    _bridged_stroke_page().save(buffer, "PNG", dpi=(150, 150))
    document = ocr.read_image(buffer.getvalue(), "bridged.png")
    assert len(document.tables) == 1
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows == [["项目", "本年", "上年", "合计"], ["数量", "12", "34", "46"],
                    ["名称", "中央资金", "", ""], ["总额", "313.889894", "", ""]]
    assert all(cell.merged for row in document.tables[0].rows[2:] for cell in row.cells[2:])


def test_a_table_cut_by_the_page_keeps_its_column_lines() -> None:
    """Column lines that all stop at the same height with no ruling ahead are a table cut by the
    page break (WPS draws no closing ruling there): they are kept; a lone open stroke is not."""
    rows = [ocr._Run(100.5, 0, 502, 99, 102), ocr._Run(200.5, 0, 502, 199, 202)]
    columns = [ocr._Run(x, 99, 260, int(x) - 1, int(x) + 1) for x in (1.0, 250.0, 500.0)]
    stroke = ocr._Run(300.0, 180, 230, 299, 301)  # crosses the ruling at 200 only
    assert ocr._column_lines([*columns, stroke], rows, 37) == columns


def test_strokes_of_a_bold_heading_are_no_ruling() -> None:
    """Touching strokes of a bold heading under a noisy scan make a horizontal run of 40-63 px
    (「收到和」 in scan r0004): short, ending on no column line, it is dropped (so not erased
    before OCR: 「改进」 with a stroke erased read 「？7进」). A ruling as short under one narrow
    cell ends on the cell's column lines and is kept."""
    columns = [ocr._Run(x, 100, 300, int(x) - 1, int(x) + 1) for x in (200.0, 250.0)]
    cell_ruling = ocr._Run(180.5, 199, 252, 180, 181)
    heading = ocr._Run(490.0, 408, 450, 490, 490)
    table_ruling = ocr._Run(150.5, 150, 1050, 150, 151)  # long: kept wherever it ends
    broken = [ocr._Run(300.5, 150, 600, 300, 301), ocr._Run(300.0, 606, 660, 299, 301),
              ocr._Run(300.5, 667, 1050, 300, 301)]  # a ruling broken twice, by the seal say
    runs = [table_ruling, cell_ruling, heading, *broken]
    assert ocr._row_lines(runs, columns, 37) == [table_ruling, cell_ruling, *broken]


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
        pytest.skip("rapidocr not installed")
    with pytest.raises(ParseError, match="cannot read image"):
        junk = bytes(random.Random(0).randrange(256) for _ in range(100))
        ocr.read_image(b"\x89PNG\r\n\x1a\n" + junk, "x.png")
