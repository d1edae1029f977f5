"""One cell per line, an empty cell collapsing into the blank lines (seed 003)."""

from __future__ import annotations

import random
import re

from ._base import _assemble, _cell, _doc


def cell_per_line(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """One cell per line with blank lines between; an empty cell collapses into the blank lines,
    so the columns of a row with empty and filled cells cannot be told (seed 003)."""
    doc = _doc(truth, rng)
    blank = doc.st.blank
    split_group = rng.random() < 0.5  # seed 003: "(三)" and "不予公开" on separate lines

    def emit(cells: list[str]) -> list[str]:
        lines: list[str] = []
        for c in cells:
            if c:
                lines += [c, ""]
            else:
                lines += [""] * rng.randint(0, 2)  # the empty cell leaves only blank lines
        return lines

    out = []
    for table in (doc.t2, doc.t3, doc.t4):
        lines: list[str] = []
        for row in table.rows:
            labels = [s for s in row.labels if s]
            if split_group and table.name == "table3":
                labels = [part for s in labels for part in _split_marker(s)]
            if row.kind != "data":
                lines += emit(labels)
                continue
            values = [_cell(doc, p, v, blank) for p, v in zip(row.paths, row.values, strict=True)]
            if "" in values and any(values) and info is not None:
                info.update(row.paths)  # filled cells of this row lost their columns
            lines += emit(labels + values)
        out.append("\n".join(lines).rstrip("\n"))
    return _assemble(doc, tuple(out), blank_lines=True)  # type: ignore[arg-type]


def _split_marker(label: str) -> list[str]:
    m = re.match(r"^([(（][一二三四五六七][)）])\s*(\S.*)$", label)
    if m and "、" not in label[:2] and len(m.group(2)) <= 6:
        return [m.group(1), m.group(2)]
    return [label]
