"""Render a truth dict as the full text of a report, in the text styles real conversions produce.

Each text style imitates one family of converted documents seen in the seeds (markdown pipe tables,
tab-separated cells with shifting padding, ``a  | b  | `` with NBSP, one cell per line, …) and
randomises its own variants (bracket widths, item markers, letter-spaced and truncated labels,
header-note spellings, blank-cell tokens). Every label comes from :data:`gongkai.template.TEMPLATE`.

``render_with_info`` also says which cells a faithful reader *cannot* place exactly in that text
(``Rendering.ambiguous``): cells of rows where an empty cell collapsed (``cell_per_line``) or
looks like padding (``tabs``, ``notes_in_cells``), and runs of glued digits with more than one
split (``run_together``). Every other cell of every style is recoverable exactly.

One module per text style (``text_styles/tabs.py`` …); what they share is in ``_base`` (labels,
print style, values, the tables as rows, the narrative) and ``_rows`` (row renderers).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from .cell_per_line import cell_per_line
from .label_then_values import label_then_values
from .markdown import markdown
from .notes_in_cells import notes_in_cells
from .pipes import pipes
from .plain import plain
from .run_together import run_together
from .split_tables import split_tables
from .tabs import tabs

__all__ = ["TEXT_STYLES", "Rendering", "lossless_styles", "render", "render_with_info"]

# style name → renderer
TEXT_STYLES: dict[str, Callable[[dict, random.Random], str]] = {
    "markdown": markdown,
    "tabs": tabs,
    "pipes": pipes,
    "cell_per_line": cell_per_line,
    "plain": plain,
    "label_then_values": label_then_values,
    "run_together": run_together,
    "split_tables": split_tables,
    "notes_in_cells": notes_in_cells,
}


# Styles whose every cell a faithful reader always recovers exactly (``Rendering.ambiguous`` is
# always empty). The others are exact except for the cells ``Rendering.ambiguous`` names:
# cell_per_line where an empty cell collapsed into blank lines, tabs and notes_in_cells where an
# empty first or last value cell looks like padding, run_together where glued digits split
# several ways (713000074), which is the point of that style.
lossless_styles: frozenset[str] = frozenset(
    {"markdown", "pipes", "plain", "label_then_values", "split_tables"})


@dataclass(frozen=True, slots=True)
class Rendering:
    """A rendered report and the cells that text cannot place exactly."""

    text: str
    style: str
    ambiguous: frozenset[str]

    @property
    def layout(self) -> str:
        """Deprecated: the old name of :attr:`style`."""
        warnings.warn("Rendering.layout is deprecated: use Rendering.style", DeprecationWarning, stacklevel=2)
        return self.style


def render_with_info(truth: dict, style: str, rng: random.Random) -> Rendering:
    info: set[str] = set()
    text = TEXT_STYLES[style](truth, rng, info)  # type: ignore[call-arg]
    return Rendering(text, style, frozenset(info))


def render(truth: dict, style: str, rng: random.Random) -> str:
    """The full text of ``truth`` in one of :data:`TEXT_STYLES`."""
    return TEXT_STYLES[style](truth, rng)

