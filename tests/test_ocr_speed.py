"""What the OCR engine does to save time must not change what it reads: text detection on the
page's inked region only (``ocr_engines._inked_region``) puts every line where it is on the page,
and the per-character boxes worked out line by line at once are RapidOCR's own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gongkai.readers import ocr, ocr_engines

needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="rapidocr not installed (pip install 'gongkai[ocr]')")


def _paper(height: int = 1754, width: int = 1240, seed: int = 0) -> Any:
    """A page of scanner-grey paper with specks of noise, as the reader hands it to the engine."""
    rng = np.random.default_rng(seed)
    page = rng.normal(238, 6, (height, width)).clip(0, 255).astype(np.uint8)
    specks = rng.integers(0, [height, width], (200, 2))
    page[specks[:, 0], specks[:, 1]] = 40  # single dark pixels: noise, not print
    return page


def _rgb(grey: Any) -> Any:
    return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))


def test_inked_region_holds_the_print_with_a_margin_and_the_detector_stride() -> None:
    page = _paper()
    page[900:930, 700:1010] = 20  # a line of print
    page[1200:1220, 300:340] = 30  # and a number lower left
    region, (top, left) = ocr_engines._inked_region(_rgb(page), 736)
    margin = ocr_engines.DET_CROP_MARGIN
    assert top <= 900 - margin + 4 and left <= 300 - margin + 4
    assert top >= 900 - margin - 4 and left >= 300 - margin - 4  # the paper above and left is left out
    assert region.shape[0] % 32 == 0 and region.shape[1] % 32 == 0
    assert top + region.shape[0] >= 1220 + margin and left + region.shape[1] >= 1010 + margin
    # the region's pixels are the page's
    assert np.array_equal(region[900 - top:930 - top, 700 - left:1010 - left, 0], page[900:930, 700:1010])
    assert region.shape[0] * region.shape[1] < 0.25 * page.size


def test_a_blank_or_small_page_is_detected_whole() -> None:
    blank = _rgb(_paper())
    region, offset = ocr_engines._inked_region(blank, 736)
    assert region is blank and offset == (0, 0)  # specks of noise are no print
    small = _rgb(_paper(400, 600))
    small[100:120, 100:300] = 20
    region, offset = ocr_engines._inked_region(small, 736)
    assert region is small and offset == (0, 0)  # RapidOCR enlarges it for detection: left as it was


def _page_with_text() -> Any:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.fromarray(_paper())
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=30)
    draw.text((620, 1010), "2022 Annual 4379", fill=15, font=font)
    draw.text((250, 1300), "218", fill=15, font=font)
    draw.text((900, 1300), "60", fill=15, font=font)
    return _rgb(np.asarray(image))


def _read(engine: Any, image: Any) -> list[tuple[str, tuple[float, float], list[tuple[float, float]]]]:
    lines = engine.recognise(image)
    return sorted((line.text, (min(x for x, _ in line.box), min(y for _, y in line.box)),
                   [(min(x for x, _ in g.box), max(x for x, _ in g.box)) for g in line.glyphs])
                  for line in lines)


@needs_ocr
def test_detection_on_the_inked_region_reads_each_line_where_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ocr_engines.load_engine("rapidocr")
    image = _page_with_text()
    monkeypatch.setattr(ocr_engines, "DET_CROP", True)
    cropped = _read(engine, image)
    monkeypatch.setattr(ocr_engines, "DET_CROP", False)
    whole = _read(engine, image)
    assert [t for t, _, _ in cropped] == [t for t, _, _ in whole]
    assert {"218", "60"} <= {t for t, _, _ in cropped}
    for (_, corner, glyphs), (_, whole_corner, whole_glyphs) in zip(cropped, whole, strict=True):
        assert abs(corner[0] - whole_corner[0]) <= 4 and abs(corner[1] - whole_corner[1]) <= 4
        assert len(glyphs) == len(whole_glyphs)
        # a character's box comes from the recogniser's columns (~4 px of the page each), so a box
        # of its line a pixel or two apart moves it by a column or two: centres within 8 px
        for (x0, x1), (whole_x0, whole_x1) in zip(glyphs, whole_glyphs, strict=True):
            assert abs((x0 + x1) - (whole_x0 + whole_x1)) / 2 <= 8
    by_text = {t: corner for t, corner, _ in cropped}
    assert abs(by_text["218"][0] - 250) < 15 and abs(by_text["218"][1] - 1300) < 15  # on the page


@needs_ocr
def test_character_boxes_are_rapidocrs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapidocr.cal_rec_boxes.main import CalRecBoxes

    engine: Any = ocr_engines.load_engine("rapidocr")
    image = _page_with_text()
    fast = engine._ocr.cal_rec_boxes
    assert type(fast) is not CalRecBoxes  # gongkai's
    ours = _read(engine, image)
    monkeypatch.setattr(engine._ocr, "cal_rec_boxes", CalRecBoxes())
    theirs = _read(engine, image)
    assert ours == theirs
    assert sum(len(glyphs) for _, _, glyphs in ours) >= 15
