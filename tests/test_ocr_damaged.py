"""OCR on page images damaged on purpose: a digit erased from a table-3 cell is not passed off as
``read`` (P-OCR names the cell and the value it probably is), and a page with no text is refused
naming the file and the page."""

from __future__ import annotations

import json
import shutil
from io import BytesIO
from typing import Any

import pytest

from gongkai.errors import ParseError
from gongkai.pipeline import parse_document
from gongkai.readers import ocr
from gongkai.template import TableShape, equations

needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr not installed (pip install 'gongkai[ocr]')")
needs_tools = pytest.mark.tools("soffice", "cjk-font", "pdftoppm")
DPI = 150


def _tiff(pages: list[Any]) -> bytes:
    buffer = BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], dpi=(DPI, DPI),
                  compression="tiff_lzw")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], dict, Any]:
    """A generated report as straight page images (pdftoppm at 150 dpi, no noise), its truth, and
    what OCR reads from the undamaged pages."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftoppm"):
        pytest.skip("LibreOffice and pdftoppm are needed to make the pages")
    from gongkai.synth.corpus import make_corpus, rasterise

    out = tmp_path_factory.mktemp("damaged")
    pdf = make_corpus(1, "pdf", out, seed=21)["pdf"][0]
    truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text("utf-8"))
    pages = rasterise(pdf.read_bytes(), DPI)
    report = parse_document(ocr.read_image(_tiff(pages), "clean.tiff"))
    return pages, truth, report


def _target(report: Any, truth: dict) -> str:
    """A table-3 cell read correctly, of two or more digits (the second not 0), whose every
    equation is complete: erasing its first digit breaks arithmetic that can be checked."""
    layout = TableShape(report.template, report.hybrid)
    values = {p: c.value for p, c in report.cells.items() if c.status == "read"}
    for path, cell in sorted(report.cells.items()):
        raw = cell.raw or ""
        if not (path.startswith("applications.") and cell.status == "read" and raw.isdigit()
                and len(raw) >= 2 and raw[1] != "0" and cell.locator and cell.locator.get("bbox")):
            continue
        x0, _, x1, _ = cell.locator["bbox"]
        if x1 - x0 > 80:  # a box wider than a number column holds more than the number
            continue
        touching = [eq for eq in equations(layout) if path in eq.paths]
        if touching and all(p in values for eq in touching for p in eq.paths):
            return path
    pytest.skip("no table-3 cell of two digits with complete arithmetic in this report")


def _erase_first_digit(page: Any, bbox: list[float]) -> None:
    """Paint the cell's first glyph white (the leftmost run of columns holding dark pixels)."""
    import numpy as np

    scale = DPI / 72
    x0, top, x1, bottom = (round(v * scale) for v in bbox)
    box = (x0 + 3, top + 3, x1 - 3, bottom - 3)  # inside the rulings
    dark = np.asarray(page.convert("L").crop(box)) < 128
    # columns with ink, but not a ruling (dark nearly all the way down)
    inked = np.flatnonzero(dark.any(axis=0) & (dark.mean(axis=0) < 0.7))
    assert len(inked), "the cell prints something"
    first = [inked[0]]
    for x in inked[1:]:
        if x - first[-1] > 1:
            break
        first.append(x)
    region = (box[0] + first[0] - 1, box[1], box[0] + first[-1] + 2, box[3])
    page.paste((255, 255, 255), region)


@needs_ocr
@needs_tools
def test_an_erased_digit_is_missing_with_a_p_ocr_finding(clean: tuple[list[Any], dict, Any]) -> None:
    pages, truth, report = clean
    path = _target(report, truth)
    cell = report.cells[path]
    printed = str(cell.value)
    page_index = cell.locator["page"] - 1
    damaged = [p.copy() for p in pages]
    _erase_first_digit(damaged[page_index], cell.locator["bbox"])

    after = parse_document(ocr.read_image(_tiff(damaged), "damaged.tiff"))
    doubted = after.cells[path]
    assert doubted.status == "missing" and doubted.value is None, (path, doubted)
    assert doubted.raw and doubted.raw != printed  # the misreading is kept in raw
    assert doubted.locator and "confidence" in doubted.locator
    findings = [f for f in after.findings if f.rule == "P-OCR" and path in f.cells]
    assert findings, [f.message for f in after.findings]
    assert int(printed) in findings[0].values.get("probable", []), findings[0].message
    # the report is not blamed for the OCR's misread
    assert not [f for f in after.findings if f.rule.startswith("T3-") and path in f.cells]
    # every other cell read from the damaged pages is what the clean pages gave
    silent = [p for p, c in after.cells.items() if c.status == "read" and report.cells[p].value != c.value]
    assert not silent


@needs_ocr
def test_a_blank_page_is_refused_naming_the_file_and_the_page() -> None:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (1240, 1754), (246, 246, 244)).save(buffer, "PNG", dpi=(DPI, DPI))
    with pytest.raises(ParseError) as raised:
        ocr.read_image(buffer.getvalue(), "空白.png")
    assert raised.value.name == "空白.png" and "第 1 页" in raised.value.reason
    assert "未识别出文字" in raised.value.reason


@needs_ocr
def test_a_photo_without_text_is_refused_naming_the_file_and_the_page() -> None:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    # a landscape-ish photo: a sky gradient, a hill, a sun, grain
    height, width = 900, 1200
    sky = np.linspace(90, 220, height, dtype=np.float32)[:, None, None] * np.array([0.6, 0.8, 1.0])
    image = Image.fromarray(np.broadcast_to(sky, (height, width, 3)).clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse((850, 80, 1010, 240), fill=(250, 220, 120))
    draw.polygon([(0, 900), (0, 600), (400, 480), (800, 620), (1200, 500), (1200, 900)], fill=(60, 110, 50))
    grain = np.random.default_rng(0).normal(0, 6, (height, width, 1))
    image = Image.fromarray((np.asarray(image, dtype=np.float32) + grain).clip(0, 255).astype(np.uint8))
    buffer = BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(buffer, "JPEG", quality=85)
    with pytest.raises(ParseError) as raised:
        parse_document(ocr.read_image(buffer.getvalue(), "风景.jpg"))
    assert raised.value.name == "风景.jpg"
    assert "第 1 页" in raised.value.reason or "不是政府信息公开工作年度报告" in raised.value.reason

