"""The OCR engines :mod:`gongkai.readers.ocr` can use, behind one small interface.

Both run ONNX models that ship *inside* their wheel; nothing is fetched at run time:

* ``rapidocr`` (RapidOCR 3.x, the default): PP-OCRv6 small detection and recognition models in
  ``rapidocr/models/``. RapidOCR would download any model its config names that is not on disk,
  so every model is given by its path in the wheel; a missing file is an error, never a download.
  The recognition model carries its own character list (no dictionary to fetch either).
* ``rapidocr-onnxruntime`` (1.4.x, PP-OCRv4): the engine gongkai used before; kept for
  ``bench/ocr.py``, which compares the two on the same pages.

``GONGKAI_OCR_ENGINE`` picks one; the models are loaded once per process (a worker of
``gongkai ingest`` loads them once, then reads page after page).
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

    def recognise(self, image: Any) -> list[TextLine]:
        # a det+rec run gives a RapidOCROutput, whose annotations don't fit what it holds (word_results
        # is a tuple of (text, score, box) per line, not one triple): read it untyped
        out: Any = self._ocr(image, use_cls=False, return_word_box=True, return_single_char_box=True)
        if out is None or getattr(out, "boxes", None) is None or out.txts is None:
            return []
        words = out.word_results or ()
        lines = []
        for index, (box, text, score) in enumerate(zip(out.boxes, out.txts, out.scores, strict=True)):
            glyphs = [Glyph(str(t), float(s), [[float(x), float(y)] for x, y in b])
                      for t, s, b in (words[index] if index < len(words) else ())]
            lines.append(TextLine([[float(x), float(y)] for x, y in box], str(text), float(score), glyphs))
        return lines


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
