"""Synthetic reports: random truth dicts and the text styles real conversions produce.

>>> import random
>>> from gongkai.synth import random_report, render
>>> rng = random.Random(1)
>>> truth = random_report(rng, edition="2019", profile="county")
>>> text = render(truth, "tabs", rng)

``LAYOUTS``, ``layouts_lossless`` and ``layout_of`` are the old names of ``TEXT_STYLES``,
``lossless_styles`` and ``shape_of`` (deprecated, kept for one release).
"""

from __future__ import annotations

from typing import Any

from .generate import (
    BLANK_MODES,
    BREAKABLE_RULES,
    PROFILES,
    broken_rule,
    check_equations,
    implied_cells,
    random_report,
    shape_of,
    truth_cells,
)
from .text_layouts import RENAMED, deprecated_name
from .text_styles import TEXT_STYLES, Rendering, lossless_styles, render, render_with_info

__all__ = [
    "BLANK_MODES",
    "BREAKABLE_RULES",
    "PROFILES",
    "TEXT_STYLES",
    "Rendering",
    "broken_rule",
    "check_equations",
    "implied_cells",
    "lossless_styles",
    "random_report",
    "render",
    "render_with_info",
    "shape_of",
    "truth_cells",
]


def __getattr__(name: str) -> Any:
    return deprecated_name(__name__, name, {**RENAMED, "layout_of": "shape_of"}, globals())
