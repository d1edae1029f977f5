"""Synthetic reports: random truth dicts and the text layouts real conversions produce.

>>> import random
>>> from gongkai.synth import random_report, render
>>> rng = random.Random(1)
>>> truth = random_report(rng, format="2019", profile="county")
>>> text = render(truth, "tabs", rng)
"""

from __future__ import annotations

from .generate import (
    BLANK_MODES,
    BREAKABLE_RULES,
    PROFILES,
    broken_rule,
    check_equations,
    implied_cells,
    layout_of,
    random_report,
    truth_cells,
)
from .text_layouts import LAYOUTS, Rendering, layouts_lossless, render, render_with_info

__all__ = [
    "BLANK_MODES",
    "BREAKABLE_RULES",
    "LAYOUTS",
    "PROFILES",
    "Rendering",
    "broken_rule",
    "check_equations",
    "implied_cells",
    "layout_of",
    "layouts_lossless",
    "random_report",
    "render",
    "render_with_info",
    "truth_cells",
]
