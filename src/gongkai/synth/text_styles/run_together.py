"""A row's numbers glued together and to the next label (``713000074``)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from ...template import TEMPLATE
from ._base import _assemble, _cell, _doc, _visible

_TOKEN = {
    "count": re.compile(r"0|[1-9]\d*"),
    "signed": re.compile(r"[+\-－]?(?:0|[1-9]\d*)"),
    "amount": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?"),
}


def _splits(text: str, kinds: Sequence[str], blank: str, limit: int = 2) -> int:
    """How many ways ``text`` splits into one token per cell (up to ``limit``)."""
    memo: dict[tuple[int, int], int] = {}

    def count(pos: int, i: int) -> int:
        if i == len(kinds):
            return 1 if pos == len(text) else 0
        key = (pos, i)
        if key in memo:
            return memo[key]
        total = 0
        if blank and text.startswith(blank, pos):
            total += count(pos + len(blank), i + 1)
        pattern = _TOKEN[kinds[i]]
        for end in range(pos + 1, len(text) + 1):
            if pattern.fullmatch(text, pos, end):
                total += count(end, i + 1)
                if total >= limit:
                    break
        memo[key] = min(total, limit)
        return memo[key]

    return count(0, 0)


def run_together(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """A row's numbers glued (``…数量 713000074`` for 71,3,0,0,0,0,74) and the next label glued
    to them (``…国家秘密00000002.其他…``); sometimes the whole of table 3 on one line."""
    doc = _doc(truth, rng)
    blank = _visible(doc)
    tables = []
    for table in (doc.t2, doc.t3, doc.t4):
        pieces: list[str] = []
        for row in table.rows:
            label = " ".join(s for s in row.labels if s)
            if row.kind != "data":
                pieces.append(label)
                continue
            values = [_cell(doc, p, v, blank) for p, v in zip(row.paths, row.values, strict=True)]
            run = "".join(values)
            if info is not None and len(values) > 1:
                kinds = [TEMPLATE.cell_kind(p) for p in row.paths]
                if _splits(run, kinds, blank) != 1:
                    info.update(row.paths)
            space = " " if rng.random() < 0.5 else ""
            pieces.append(f"{label}{space}{run}" if label else run)
        head = [p for p, r in zip(pieces, table.rows, strict=True) if r.kind != "data"]
        data = [p for p, r in zip(pieces, table.rows, strict=True) if r.kind == "data"]
        if table.name == "table3":
            glue = "" if rng.random() < 0.7 else " "
            body = glue.join(data) if rng.random() < 0.4 else _glue_pairs(data, rng)
            tables.append("\n".join(["".join(head) if rng.random() < 0.5 else " ".join(head), body]))
        elif table.name == "table4":
            tables.append("\n".join([" ".join(head), *data]))
        else:
            tables.append("\n".join(pieces))
    return _assemble(doc, tuple(tables))  # type: ignore[arg-type]


def _glue_pairs(rows: list[str], rng: random.Random) -> str:
    """Lines of a few rows each, the rows inside a line glued label-to-digits."""
    lines, current = [], ""
    for r in rows:
        current += r
        if rng.random() < 0.35:
            lines.append(current)
            current = ""
    if current:
        lines.append(current)
    return "\n".join(lines)
