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


class _RapidOcr3:
    """RapidOCR 3.x with the PP-OCRv6 small models of its wheel."""

    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        files = model_files("rapidocr")
        absent = [str(p) for p in files.values() if not p.is_file()]
        if absent:
            raise FileNotFoundError(f"OCR model missing from the rapidocr wheel: {', '.join(absent)}")
        threads = int(os.environ.get("GONGKAI_OCR_THREADS", "-1"))
        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # pages are upright after deskewing and orientation
            "Global.text_score": MIN_LINE_SCORE,
            "Det.model_path": str(files["det"]),
            "Rec.model_path": str(files["rec"]),
            # table pages are hundreds of short boxes (single digits): bigger batches
            "Rec.rec_batch_num": 24,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            # the page is sized by the reader; RapidOCR's own cap (2000 px) would shrink it again
            "Global.max_side_len": 4000,
        })

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
