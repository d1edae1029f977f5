"""Each row as ``label 0 0 0 0 0 0 0`` with single spaces."""

from __future__ import annotations

import random

from ._base import _assemble, _doc, _visible
from ._rows import _spaced_rows


def plain(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """Each row as ``label 0 0 0 0 0 0 0`` with single spaces."""
    doc = _doc(truth, rng)
    blank = _visible(doc)
    tables = []
    for table in (doc.t2, doc.t3, doc.t4):
        lines = [" ".join([label, *values]).strip() for label, values in _spaced_rows(doc, table, blank)]
        tables.append("\n".join(line for line in lines if line))
    return _assemble(doc, tuple(tables))  # type: ignore[arg-type]
