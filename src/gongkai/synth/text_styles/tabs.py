"""Tab-separated cells with shifting label padding (seeds 001, 004)."""

from __future__ import annotations

import random

from ._base import _assemble, _doc
from ._rows import _tab_rows


def tabs(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """Tab-separated cells with shifting label padding (seeds 001, 004)."""
    doc = _doc(truth, rng)
    tables = tuple("\n".join(_tab_rows(doc, t, doc.st.blank, info=info))
                   for t in (doc.t2, doc.t3, doc.t4))
    return _assemble(doc, tables, markdown=rng.random() < 0.3)  # type: ignore[arg-type]
