"""Markdown pipe tables with ``|---|`` rows (seed 000)."""

from __future__ import annotations

import random

from ...template import TEMPLATE
from ._base import _assemble, _doc
from ._rows import _grid_rows, _md_table


def markdown(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """Markdown pipe tables with ``|---|`` rows; table 2's first caption is the header (seed 000)."""
    doc = _doc(truth, rng)
    blank = doc.st.blank
    t2 = _grid_rows(doc, doc.t2, blank, nbsp=doc.st.nbsp)
    if rng.random() < 0.7:
        table2 = _md_table(t2[1:], rng, header=t2[0])
    else:  # one table per block, each headed by its caption
        chunks, current = [], [t2[0]]
        for r in t2[1:]:
            if r[0].startswith("第二十条"):
                chunks.append(current)
                current = [r]
            else:
                current.append(r)
        chunks.append(current)
        table2 = "\n\n".join(_md_table(c[1:], rng, header=c[0]) for c in chunks)
    t3 = _grid_rows(doc, doc.t3, blank, nbsp=doc.st.nbsp)
    t4 = _grid_rows(doc, doc.t4, blank, nbsp=doc.st.nbsp)
    table3 = _md_table(t3, rng) if rng.random() < 0.7 else _md_table(t3[1:], rng, header=t3[0])
    if rng.random() < 0.15:  # seed 000: the header rows garbled into one row of single characters
        t4 = [_garbled_header(), t4[-1]]
    table4 = _md_table(t4, rng) if rng.random() < 0.7 else _md_table(t4[1:], rng, header=t4[0])
    return _assemble(doc, (table2, table3, table4), markdown=True, blank_lines=True)


def _garbled_header() -> list[str]:
    """The last characters of the two-line header cells, one per cell, as seed 000 prints."""
    parts = [c.label.text for c in TEMPLATE.review_columns]
    row = [p[-1] for p in parts[:-1]] + [""]
    return (row * len(TEMPLATE.review_groups))[:15]
