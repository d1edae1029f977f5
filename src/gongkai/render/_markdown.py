"""Markdown writer: pipe tables cannot merge cells, so each table is its full grid with the text
in the cell where a merged cell starts and the covered positions left empty (columns stay
exact). The first grid row is the header row, as in the seed documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .form import Block, FormTable, Paragraph, value_text

if TYPE_CHECKING:
    from . import Lookup


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(form: FormTable, lookup: Lookup) -> list[str]:
    lines = []
    for r, row in enumerate(form.grid()):
        texts = []
        for cell in row:
            if cell is None:
                texts.append("")
            elif cell.role == "value" and cell.path:
                value = lookup(cell.path)
                texts.append(value_text(value.value if value else None))
            else:
                texts.append(cell.text)
        lines.append("| " + " | ".join(_cell(t) for t in texts) + " |")
        if r == 0:
            lines.append("|" + "---|" * form.n_cols)
    return lines


def write(blocks: list[Block], lookup: Lookup, title: str | None) -> bytes:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            prefix = {"title": "# ", "heading": "## "}.get(block.role, "")
            lines += [prefix + block.text, ""]
        else:
            lines += [*_table(block, lookup), ""]
    return "\n".join(lines).encode("utf-8")
