"""HTML writer: a standalone page; tables with rowspan/colspan; value cells carry their template
path (``data-path``) and status (``class="s-inferred"`` …) for the web page and for tests."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from .form import Block, FormTable, Paragraph, value_text

if TYPE_CHECKING:
    from . import Lookup

_STYLE = """body{font-family:"SimSun","宋体",serif;max-width:60em;margin:2em auto;line-height:1.6}
h1{text-align:center;font-size:1.5em}h2{font-size:1.1em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
td{border:1px solid #000;padding:2px 4px;text-align:center;vertical-align:middle}
td.caption{font-weight:bold}td.label{text-align:left}
td.s-blank{background:#ededed}td.s-missing{background:#f8cbad}td.s-inferred{background:#ddebf7}"""


def _table(form: FormTable, lookup: Lookup) -> str:
    lines = ["<table>"]
    grid = form.grid()
    for row in grid:
        cells = []
        for cell in row:
            if cell is None:
                continue
            attributes = f' class="{cell.role}"'
            text = cell.text
            if cell.role == "value" and cell.path:
                value = lookup(cell.path)
                text = value_text(value.value if value else None)
                status = f" s-{value.status}" if value else ""
                attributes = f' class="value{status}" data-path="{cell.path}"'
            if cell.rows > 1:
                attributes += f' rowspan="{cell.rows}"'
            if cell.cols > 1:
                attributes += f' colspan="{cell.cols}"'
            cells.append(f"<td{attributes}>{escape(text)}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def write(blocks: list[Block], lookup: Lookup, title: str | None) -> bytes:
    parts = ['<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">',
             f"<title>{escape(title or '')}</title>", f"<style>\n{_STYLE}\n</style>",
             "</head>\n<body>"]
    for block in blocks:
        if isinstance(block, Paragraph):
            tag = {"title": "h1", "heading": "h2"}.get(block.role, "p")
            parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
        else:
            parts.append(_table(block, lookup))
    parts.append("</body>\n</html>\n")
    return "\n".join(parts).encode("utf-8")
