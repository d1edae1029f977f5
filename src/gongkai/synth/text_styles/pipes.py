"""``a  | b  | `` rows with NBSP around values (seed 002)."""

from __future__ import annotations

import random

from ._base import _assemble, _cell, _doc, _Row


def pipes(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """``a  | b  | `` rows with NBSP around values and rowspan labels only on the first row of
    their span (seed 002); table headers collapse to their non-empty cells."""
    doc = _doc(truth, rng)
    blank = doc.st.blank

    def line(cells: list[str]) -> str:
        return "".join(f"{c}  | " for c in cells)

    def values(row: _Row) -> list[str]:
        return [_cell(doc, p, v, blank, nbsp=True) for p, v in zip(row.paths, row.values, strict=True)]

    out: list[list[str]] = []
    for table in (doc.t2, doc.t3, doc.t4):
        lines = []
        for row in table.rows:
            if row.kind == "data":
                lines.append(line([s for s in row.labels if s] + values(row)))
            else:
                lines.append(line([s for s in row.labels if s]))
        out.append(lines)
    tables = tuple("\n".join(t) for t in out)
    return _assemble(doc, tables, blank_lines=False)  # type: ignore[arg-type]
