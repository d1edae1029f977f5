"""The old home of the text styles (now :mod:`gongkai.synth.text_styles`, one module per style),
and the old names, kept for one release: ``LAYOUTS`` is :data:`TEXT_STYLES`, ``layouts_lossless``
is :data:`lossless_styles` (a "layout" is now only the template's table shape). The old names
warn with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings
from typing import Any

from .text_styles import TEXT_STYLES, Rendering, lossless_styles, render, render_with_info

# the narrative pieces gongkai.synth.corpus writes around its tables
from .text_styles._base import _OVERVIEW as _OVERVIEW
from .text_styles._base import _PROBLEMS as _PROBLEMS
from .text_styles._base import _chrome_after as _chrome_after
from .text_styles._base import _chrome_before as _chrome_before
from .text_styles._base import _fill as _fill
from .text_styles._base import _short as _short

__all__ = ["TEXT_STYLES", "Rendering", "lossless_styles", "render", "render_with_info"]

RENAMED = {"LAYOUTS": "TEXT_STYLES", "layouts_lossless": "lossless_styles"}


def deprecated_name(module: str, old: str, renamed: dict[str, str], values: dict[str, Any]) -> Any:
    """For a module's ``__getattr__``: the value of ``module.old``, now named ``renamed[old]``, with
    a DeprecationWarning naming the new name; an unknown name is the usual AttributeError."""
    if old not in renamed:
        raise AttributeError(f"module {module!r} has no attribute {old!r}")
    new = renamed[old]
    # stacklevel 3: the warning names the caller's line, not this function or __getattr__
    warnings.warn(f"{module}.{old} is deprecated: use {module}.{new}", DeprecationWarning, stacklevel=3)
    return values[new]


def __getattr__(name: str) -> Any:
    return deprecated_name(__name__, name, RENAMED, globals())
