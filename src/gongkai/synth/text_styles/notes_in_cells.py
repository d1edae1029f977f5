"""Like ``tabs``, with notes in some value cells (``22（其中修订16件）``, ``5件``)."""

from __future__ import annotations

import random
from typing import Any

from ...template import TEMPLATE
from ._base import _assemble, _cell, _doc
from ._rows import _tab_rows

_NOTES = ("（其中修订{n}件）", "（含解读{n}篇）", "(其中新增{n}项)", "（其中{n}件已办结）")


def notes_in_cells(truth: dict, rng: random.Random, info: set[str] | None = None) -> str:
    """Like ``tabs``, with notes in some value cells: ``22（其中修订16件）``, ``5件``."""
    doc = _doc(truth, rng)
    share = rng.uniform(0.1, 0.4)

    def cell(path: str, value: Any) -> str:
        text = _cell(doc, path, value, doc.st.blank)
        if value is None or rng.random() > share or TEMPLATE.cell_kind(path) != "count":
            return text
        if path.startswith("active_disclosure.") and value and rng.random() < 0.5:
            return text + rng.choice(_NOTES).format(n=rng.randint(0, value))
        return text + rng.choice(("件", "件", "项", "个"))

    tables = tuple("\n".join(_tab_rows(doc, t, doc.st.blank, info=info, cell=cell))
                   for t in (doc.t2, doc.t3, doc.t4))
    return _assemble(doc, tables)  # type: ignore[arg-type]
