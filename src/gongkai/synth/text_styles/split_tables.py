"""A PDF-to-markdown conversion: table 3 cut into small tables with spurious headers."""

from __future__ import annotations

import random

from ...template import TEMPLATE
from ._base import _assemble, _cell, _doc
from ._rows import _grid_rows, _md_table


def split_tables(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """A PDF-to-markdown conversion: table 3 cut into small markdown tables, each with a spurious
    header row (column names, or its first data row), some with the labels in one table and the
    values of the same rows in the next."""
    doc = _doc(truth, rng)
    blank = doc.st.blank
    t2 = _grid_rows(doc, doc.t2, blank)
    table2 = _md_table(t2[1:], rng, header=t2[0])
    rows3 = doc.t3.rows
    header_rows = [r for r in rows3 if r.kind == "header"]
    data_rows = [r for r in rows3 if r.kind == "data"]
    names = [c.label.text for c in TEMPLATE.application_columns]
    chunks: list[str] = [_md_table([h.labels for h in header_rows[1:]], rng, header=header_rows[0].labels)]
    i = 0
    while i < len(data_rows):
        k = rng.randint(2, 7)
        block = data_rows[i:i + k]
        i += k
        labels = [r.labels for r in block]
        values = [[_cell(doc, p, v, blank) for p, v in zip(r.paths, r.values, strict=True)]
                  for r in block]
        spurious = rng.random()
        if rng.random() < 0.35:  # labels detached from their values: k label rows, then k value rows
            chunks.append(_md_table(labels, rng, header=["", "", ""]))
            if spurious < 0.5:
                chunks.append(_md_table(values, rng, header=names))
            else:
                chunks.append(_md_table(values[1:], rng, header=values[0]))
            continue
        full = [lab + val for lab, val in zip(labels, values, strict=True)]
        if spurious < 0.5:
            chunks.append(_md_table(full, rng, header=["", "", "", *names]))
        else:  # the converter took the first data row for the header
            chunks.append(_md_table(full[1:], rng, header=full[0]))
    table3 = "\n\n".join(chunks)
    t4 = _grid_rows(doc, doc.t4, blank)
    if rng.random() < 0.5:
        table4 = _md_table(t4[1:], rng, header=t4[0])
    else:  # the header rows in one table, the values under spurious column names in the next
        columns = [c.label.text for c in TEMPLATE.review_columns] * len(TEMPLATE.review_groups)
        table4 = (_md_table(t4[1:3], rng, header=t4[0]) + "\n\n"
                  + _md_table([t4[3]], rng, header=columns))
    return _assemble(doc, (table2, table3, table4), markdown=True, blank_lines=True)
