"""Row renderers more than one text style uses: markdown grids, tab-separated rows, spaced rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ._base import _cell, _Doc, _Table


def _md_line(cells: list[str], pad: bool) -> str:
    if pad:
        return "| " + " | ".join(cells) + " |"
    return "|" + "|".join(cells) + "|"


def _md_table(rows: list[list[str]], rng: random.Random, *, header: list[str] | None = None) -> str:
    """A pipe table; ``header`` None makes an empty header row (seeds 000: tables 3 and 4)."""
    width = max([len(r) for r in rows] + [len(header or ())])
    if header is None:
        header = [""] * width
    pad = rng.random() < 0.8
    lines = [_md_line(header + [""] * (width - len(header)), pad),
             "|" + "|".join("-" * rng.randint(3, 12) for _ in range(width)) + "|"]
    lines += [_md_line(r + [""] * (width - len(r)), pad) for r in rows]
    return "\n".join(lines)


def _grid_rows(doc: _Doc, table: _Table, blank: str, *, nbsp: bool = False) -> list[list[str]]:
    """Rows as full grids: label slots, then value slots padded to the table's width."""
    out = []
    for row in table.rows:
        if row.kind == "caption":
            out.append(row.labels + [""] * table.value_slots)
        elif row.kind == "header":
            out.append(row.labels + [""] * (table.label_slots + table.value_slots - len(row.labels)))
        else:
            values = [_cell(doc, p, v, blank, nbsp=nbsp) for p, v in zip(row.paths, row.values,
                                                                          strict=True)]
            out.append(row.labels + values + [""] * (table.value_slots - len(values)))
    return out


def _tab_rows(doc: _Doc, table: _Table, blank: str, *, info: set[str] | None = None,
              cell: Callable[[str, Any], str] | None = None) -> list[str]:
    """Tab-separated rows with the padding of seeds 001/004: label cells present or empty,
    leading and trailing empty cells that vary from row to row.

    Where a blank is an empty cell the row gets no padding after its label, so an empty cell
    between two values is a blank. An empty first or last value cell is not recoverable:
    it reads as padding (seed 001 prints ``四、…→→0→0→0→0→0→0``, an empty padding cell and six
    values of a row that lost a column), so such rows go into ``info`` as ambiguous."""
    rng = doc.rng
    render = cell or (lambda p, v: _cell(doc, p, v, blank, nbsp=doc.st.nbsp))
    lines: list[str] = []
    for row in table.rows:
        if row.kind == "caption":
            if rng.random() < 0.3:
                lines += [row.labels[0], ""]  # seed 001: the first caption alone, then a blank line
            else:
                lines.append(row.labels[0] + "\t" * table.value_slots)
            continue
        if row.kind == "header":
            cells = row.labels[:]
            if table.name == "table2":
                cells += [""] * (1 + table.value_slots - len(cells))
            elif rng.random() < 0.3:
                cells.append("")
            lines.append("\t".join(cells))
            continue
        values = [render(p, v) for p, v in zip(row.paths, row.values, strict=True)]
        has_empty = any(v == "" for v in values)
        if info is not None and any(values) and "" in (values[0], values[-1]):
            info.update(row.paths)
        if table.name == "table2":
            lines.append("\t".join([row.labels[0], *values, *[""] * (table.value_slots - len(values))]))
            continue
        if table.name == "table4":
            lines.append("\t".join(values + ([""] if rng.random() < 0.3 and not has_empty else [])))
            continue
        slots = row.labels
        first = next(i for i, s in enumerate(slots) if s)
        last = max(i for i, s in enumerate(slots) if s)
        lead = rng.randint(0, first)  # empty cells before the first label (004: all; 001: fewer)
        inner = slots[first:last + 1]
        gap = 0 if has_empty else rng.randint(0, len(slots) - 1 - last)
        trail = 0 if has_empty else rng.choice((0, 0, 1))
        cells = [""] * lead + inner + [""] * gap + values + [""] * trail
        lines.append("\t".join(cells))
        if rng.random() < 0.04:
            lines.append("")  # seeds 001/004: a blank line inside the table
    return lines


def _spaced_rows(doc: _Doc, table: _Table, blank: str) -> list[tuple[str, list[str]]]:
    """(label text, value strings) per row, blanks as a visible token."""
    out = []
    for row in table.rows:
        labels = " ".join(s for s in row.labels if s)
        values = [_cell(doc, p, v, blank) for p, v in zip(row.paths, row.values, strict=True)]
        out.append((labels, values))
    return out
