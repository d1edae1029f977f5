"""The text styles of a rendered report: kept importable from here; they live in
:mod:`gongkai.synth.text_styles`, one module per style."""

from __future__ import annotations

from .text_styles import LAYOUTS, TEXT_STYLES, Rendering, layouts_lossless, render, render_with_info

# the narrative pieces gongkai.synth.corpus writes around its tables
from .text_styles._base import _OVERVIEW as _OVERVIEW
from .text_styles._base import _PROBLEMS as _PROBLEMS
from .text_styles._base import _chrome_after as _chrome_after
from .text_styles._base import _chrome_before as _chrome_before
from .text_styles._base import _fill as _fill
from .text_styles._base import _short as _short

__all__ = ["LAYOUTS", "TEXT_STYLES", "Rendering", "layouts_lossless", "render", "render_with_info"]
