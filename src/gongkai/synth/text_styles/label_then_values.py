"""A row's label on one line, its values on the next."""

from __future__ import annotations

import random

from ._base import _assemble, _doc, _visible
from ._rows import _spaced_rows


def label_then_values(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """A row's label on one line and its values, space separated, on the next."""
    doc = _doc(truth, rng)
    blank = _visible(doc)
    tables = []
    for table in (doc.t2, doc.t3, doc.t4):
        lines: list[str] = []
        for label, values in _spaced_rows(doc, table, blank):
            if label:
                lines.append(label)
            if values:
                lines.append(" ".join(values))
        tables.append("\n".join(lines))
    return _assemble(doc, tuple(tables))  # type: ignore[arg-type]
