"""The OCR engines :mod:`gongkai.readers.ocr` can use, behind one small interface.

Both run ONNX models that ship *inside* their wheel; nothing is fetched at run time:

* ``rapidocr`` (RapidOCR 3.x, the default): PP-OCRv6 small detection and recognition models in
  ``rapidocr/models/``. RapidOCR would download any model its config names that is not on disk,
  so every model is given by its path in the wheel; a missing file is an error, never a download.
  The recognition model carries its own character list (no dictionary to fetch either).
* ``rapidocr-onnxruntime`` (1.4.x, PP-OCRv4): the engine gongkai used before; kept for
  ``bench/ocr.py``, which compares the two on the same pages.

``GONGKAI_OCR_ENGINE`` picks one; the models are loaded once per process (a worker of
``gongkai ingest`` loads them once, then reads page after page). For speed, RapidOCR 3 detects
text only in a page's inked region, normalises in float32 and maps per-character boxes a line at
a time (each can be turned off: ``GONGKAI_OCR_DET_CROP=0``, ``GONGKAI_OCR_FAST_NORM=0``,
``GONGKAI_OCR_FAST_GLYPHS=0``; figures in ``docs/benchmarks.md``).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, NamedTuple, Protocol

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Glyph", "OcrEngine", "TextLine", "engine_available", "load_engine",
           "model_files"]

DEFAULT_ENGINE = "rapidocr"
# a text line scoring below this is dropped by the engine; kept low so that a faint digit comes back
# with its low score (and becomes a doubtful reading) rather than vanishing into a blank cell
MIN_LINE_SCORE = 0.3
REC_MIN_WIDTH = int(os.environ.get("GONGKAI_OCR_REC_WIDTH", "96"))  # px at 48 px high; see _RapidOcr3
REC_BATCH = int(os.environ.get("GONGKAI_OCR_REC_BATCH", "3"))  # boxes per recognition run; see _RapidOcr3
DET_MAX_SIDE = int(os.environ.get("GONGKAI_OCR_DET_SIDE", "0"))  # px, 0: RapidOCR's default; see _RapidOcr3
DET_CROP = os.environ.get("GONGKAI_OCR_DET_CROP", "1") != "0"  # detect only where print is; see _inked_region
DET_CROP_MARGIN = 32  # px of paper kept round the print (the detector sees a text line's surroundings)
DET_CROP_CONTRAST = 20  # grey levels under the paper's that make a 4×4 block print
FAST_NORMALISE = os.environ.get("GONGKAI_OCR_FAST_NORM", "1") != "0"  # see _RapidOcr3.__init__
FAST_GLYPH_BOXES = os.environ.get("GONGKAI_OCR_FAST_GLYPHS", "1") != "0"  # see _glyph_boxes


class Glyph(NamedTuple):
    text: str
    score: float
    box: list[list[float]]  # four corners, pixels


class TextLine(NamedTuple):
    box: list[list[float]]  # four corners, pixels
    text: str
    score: float
    glyphs: list[Glyph]  # one per character, or empty when the engine gave no character boxes


class OcrEngine(Protocol):
    name: str

    def recognise(self, image: Any) -> list[TextLine]:
        """Text lines of an RGB image (``numpy.ndarray`` H×W×3, uint8)."""
        ...


ENGINES = ("rapidocr", "rapidocr-onnxruntime")


def _engine_module(name: str) -> str:
    return "rapidocr" if name == "rapidocr" else "rapidocr_onnxruntime"


def engine_available(name: str) -> bool:
    import importlib

    try:
        importlib.import_module(_engine_module(name))
    except ImportError:  # also when the module is blocked (``sys.modules[name] = None``)
        return False
    return True


def model_files(name: str = DEFAULT_ENGINE) -> dict[str, Path]:
    """The model files an engine loads, as installed (for the benchmark's size column)."""
    import importlib.util

    spec = importlib.util.find_spec(_engine_module(name))
    if spec is None or spec.origin is None:
        return {}
    models = Path(spec.origin).parent / "models"
    if name == "rapidocr":
        return {"det": models / "PP-OCRv6_det_small.onnx", "rec": models / "PP-OCRv6_rec_small.onnx"}
    return {"det": models / "ch_PP-OCRv4_det_infer.onnx", "rec": models / "ch_PP-OCRv4_rec_infer.onnx"}


def _default_threads() -> int:
    """onnxruntime threads: every core (-1), but one in a worker process started by multiprocessing
    (``gongkai ingest``'s workers, the page workers): the other workers use the other cores, and
    two processes of one thread read more pages per second than one of two threads."""
    import multiprocessing

    return 1 if multiprocessing.parent_process() is not None else -1


class _RapidOcr3:
    """RapidOCR 3.x with the PP-OCRv6 small models of its wheel."""

    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        files = model_files("rapidocr")
        absent = [str(p) for p in files.values() if not p.is_file()]
        if absent:
            raise FileNotFoundError(f"OCR model missing from the rapidocr wheel: {', '.join(absent)}")
        threads = int(os.environ.get("GONGKAI_OCR_THREADS", "0")) or _default_threads()
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # pages are upright after deskewing and orientation
            "Global.text_score": MIN_LINE_SCORE,
            "Det.model_path": str(files["det"]),
            "Rec.model_path": str(files["rec"]),
            # table pages are hundreds of short boxes (single digits). Each batch is padded to its
            # widest box, so small batches waste less: 6 boxes cost 4.7 s of CPU per page against
            # 6.7 s with 24, 3 boxes 6 % less again (4.86 against 5.16 s, one beside the other),
            # the same cells read each time (11 scans, 2,196 cells; docs/benchmarks.md)
            "Rec.rec_batch_num": REC_BATCH,
            # Every box is padded to the batch's widest, and at least to this width (RapidOCR: 320 px,
            # 6.7 heights): a cell's 1-3 digits are ~1 height wide, so recognition spent most of its
            # time on padding. 96 px (2 heights): 19 % less CPU per page, 3 cells of 2,196 fewer
            # correct (doubtful readings made `missing`, none silent; bench/ocr.py). 48 px was
            # found to read worse (the model needs room either side of a lone digit): not re-run.
            "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            # the page is sized by the reader; RapidOCR's own cap (2000 px) would shrink it again
            "Global.max_side_len": 4000,
        }
        if DET_MAX_SIDE > 0:
            # Detection on the page scaled to at most DET_MAX_SIDE px (150 dpi A4 is 1240×1754); the
            # boxes are mapped back and recognition reads full-resolution crops. Not the default:
            # at 1280 px it lost 6 cells of 2,196 (a phone photo's, a faint scan's) to doubt or
            # blanks (bench/ocr.py, docs/benchmarks.md).
            params.update({"Det.limit_type": "max", "Det.limit_side_len": DET_MAX_SIDE})
        self._ocr = RapidOCR(params=params)
        if FAST_GLYPH_BOXES:
            self._ocr.cal_rec_boxes = _glyph_boxes()
        self._detector: Any = self._ocr._load_det_model()
        self._detector_min_side = int(self._detector.limit_side_len)
        if FAST_NORMALISE:
            import numpy as np

            # RapidOCR normalises the page for detection against float64 means (the whole page in
            # float64, then back to float32: ~0.2 s of CPU per page); float32 ones keep it float32
            self._detector.mean = np.array(self._detector.mean, dtype=np.float32)
            self._detector.std = np.array(self._detector.std, dtype=np.float32)

    def recognise(self, image: Any) -> list[TextLine]:
        region, (top, left) = (_inked_region(image, self._detector_min_side) if DET_CROP
                               else (image, (0, 0)))
        # the region is never enlarged for detection (RapidOCR enlarges an image whose short side is
        # under limit_side_len, which the whole page is not): the page's own pixels are detected
        self._detector.limit_side_len = min(self._detector_min_side, *region.shape[:2])
        # a det+rec run gives a RapidOCROutput, whose annotations don't fit what it holds (word_results
        # is a tuple of (text, score, box) per line, not one triple): read it untyped
        out: Any = self._ocr(region, use_cls=False, return_word_box=True, return_single_char_box=True)
        if out is None or getattr(out, "boxes", None) is None or out.txts is None:
            return []
        words = out.word_results or ()
        lines = []

        height, width = image.shape[:2]

        def corners(box: Any) -> list[list[float]]:  # on the page (inside it: the region may be padded)
            return [[min(float(x) + left, width), min(float(y) + top, height)] for x, y in box]

        for index, (box, text, score) in enumerate(zip(out.boxes, out.txts, out.scores, strict=True)):
            line_words = words[index] if index < len(words) else ()
            glyphs = [Glyph(str(t), float(s), corners(b)) for t, s, b in line_words]
            lines.append(TextLine(corners(box), str(text), float(score), glyphs))
        return lines


def _glyph_boxes() -> Any:
    """RapidOCR's per-character boxes (``return_single_char_box``), worked out as RapidOCR does but
    with the crop's inverse perspective applied to all of a line's corners at once, and without
    deep copies of plain lists: RapidOCR maps each corner by itself and reorders each box's corners
    (~0.4 s of CPU on a table page's ~230 lines). The corners come back in the order they were
    given (left top, right top, right bottom, left bottom of the crop); gongkai reads only each
    box's left and right (``ocr._characters``)."""
    import cv2
    import numpy as np
    from rapidocr.cal_rec_boxes.main import CalRecBoxes, Direction

    class GlyphBoxes(CalRecBoxes):  # type: ignore[misc]  # an untyped library class
        def __call__(self, imgs: Any, dt_boxes: Any, rec_res: Any,
                     return_single_char_box: bool = False) -> Any:
            word_results = []
            for index, (img, box) in enumerate(zip(imgs, dt_boxes, strict=False)):
                if rec_res.txts is None or img.size == 0 or rec_res.word_results is None:
                    continue
                h, w = img.shape[:2]
                img_box = np.array([[0, 0], [w, 0], [w, h], [0, h]])
                contents, boxes, confidences = self.cal_ocr_word_box(
                    rec_res.txts[index], img_box, rec_res.word_results[index], return_single_char_box)
                boxes = self.adjust_box_overlap([[list(point) for point in glyph] for glyph in boxes])
                boxes = self.reverse_rotate_crop_image(box, boxes, self.get_box_direction(box))
                word_results.append(list(zip(contents, confidences, boxes, strict=False)))
            rec_res.word_results = tuple(word_results)
            return rec_res

        def reverse_rotate_crop_image(self, bbox_points: Any, word_points_list: Any, direction: Any) -> Any:
            if not word_points_list:
                return []
            corners = np.array(bbox_points, dtype=np.float32)
            left, top = int(np.min(corners[:, 0])), int(np.min(corners[:, 1]))
            corners[:, 0] -= left
            corners[:, 1] -= top
            width = int(np.linalg.norm(corners[0] - corners[1]))
            height = int(np.linalg.norm(corners[0] - corners[3]))
            upright = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
            _, inverse = cv2.invert(cv2.getPerspectiveTransform(corners, upright))
            points = np.array(word_points_list, dtype=np.float64).reshape(-1, 2)
            if direction == Direction.VERTICAL:  # the crop was read turned a quarter (RapidOCR's s_rotate)
                angle = np.radians(-90)
                x, y = points[:, 0].copy(), points[:, 1].copy()
                points[:, 0] = x * np.cos(angle) + y * np.sin(angle) + width
                points[:, 1] = y * np.cos(angle) - x * np.sin(angle)
            mapped = np.c_[points, np.ones(len(points))] @ inverse.T
            xy = mapped[:, :2] / mapped[:, 2:3] + np.array([left, top])
            return xy.astype(np.int64).reshape(-1, 4, 2).tolist()

    return GlyphBoxes()


def _inked_region(image: Any, min_side: int) -> tuple[Any, tuple[int, int]]:
    """The part of a page image that holds print, with a margin of paper, and its top-left corner.

    Text detection costs in proportion to the pixels it is given, and a page's margins (and the
    lower half of a report's last page) are blank paper: detecting only where there is print
    costs 25-75 % less on table pages. The region is padded with paper to a multiple of 32 px
    (the detector's stride), so it is detected at its own size rather than resized. Print is a
    4×4 block clearly darker than the paper (a speck of scanner noise is not); a page with no
    such block, or one the detector would enlarge (short side under ``min_side``), is returned whole."""
    import numpy as np

    height, width = image.shape[:2]
    if min(height, width) < min_side or height < 8 or width < 8:
        return image, (0, 0)
    grey = image[: height // 4 * 4, : width // 4 * 4, 0].astype(np.float32)
    blocks = grey.reshape(height // 4, 4, width // 4, 4).mean(axis=(1, 3))
    paper = float(np.median(blocks))
    ys, xs = np.nonzero(blocks < paper - DET_CROP_CONTRAST)
    if len(ys) == 0:
        return image, (0, 0)
    margin = DET_CROP_MARGIN
    top, left = max(int(ys.min()) * 4 - margin, 0), max(int(xs.min()) * 4 - margin, 0)
    bottom, right = min(int(ys.max()) * 4 + 4 + margin, height), min(int(xs.max()) * 4 + 4 + margin, width)
    region = image[top:bottom, left:right]
    pad_y, pad_x = -region.shape[0] % 32, -region.shape[1] % 32
    if pad_y or pad_x:
        region = np.pad(region, ((0, pad_y), (0, pad_x), (0, 0)), constant_values=round(paper))
    return np.ascontiguousarray(region), (top, left)


class _RapidOcrOnnxruntime:
    """rapidocr-onnxruntime 1.4.x (PP-OCRv4), the engine before RapidOCR 3."""

    name = "rapidocr-onnxruntime"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self._ocr = RapidOCR(**{"Rec.rec_batch_num": 24, "Global.text_score": MIN_LINE_SCORE})

    def recognise(self, image: Any) -> list[TextLine]:
        result, _ = self._ocr(image, use_cls=False, return_word_box=True)
        lines = []
        for item in result or []:
            box, text, score = item[0], str(item[1]), float(item[2])
            glyphs: list[Glyph] = []
            if len(item) >= 6 and item[5] and len(item[4]) == len(item[5]) == len(item[3]):
                glyphs = [Glyph(str(t), float(s), [[float(x), float(y)] for x, y in b])
                          for b, t, s in zip(item[3], item[4], item[5], strict=True)]
            lines.append(TextLine([[float(x), float(y)] for x, y in box], text, score, glyphs))
        return lines


_loaded: dict[str, OcrEngine] = {}
_lock = threading.Lock()


def forget_loaded() -> None:
    """Drop the engines loaded so far (in a forked child: the next :func:`load_engine` loads anew)."""
    global _lock
    _loaded.clear()
    _lock = threading.Lock()  # a lock held in the parent at the fork would stay held here


def load_engine(name: str | None = None) -> OcrEngine:
    """The engine ``name`` (default: ``GONGKAI_OCR_ENGINE``, else :data:`DEFAULT_ENGINE`), loaded
    once per process. Raises ImportError when its package is not installed."""
    name = name or os.environ.get("GONGKAI_OCR_ENGINE") or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; choose from {', '.join(ENGINES)}")
    with _lock:
        engine = _loaded.get(name)
        if engine is None:
            engine = _RapidOcr3() if name == "rapidocr" else _RapidOcrOnnxruntime()
            _loaded[name] = engine
    return engine
