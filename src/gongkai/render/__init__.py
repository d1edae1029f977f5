"""Write a report (or the empty official form) as DOCX, XLSX, HTML or Markdown.

>>> from gongkai.render import blank_form, render
>>> docx_bytes = blank_form("2021", to="docx")       # the official 2021 form, empty
>>> xlsx_bytes = render(report, to="xlsx")            # a report's tables with its values

The three tables are laid out as the official template does (merged cells, labels, column
headers) for the report's edition: 2019, 2021, or the hybrid (2021 tables with a single
（六）其他处理 row). Labels and structure come from :data:`gongkai.template.TEMPLATE` through
:mod:`gongkai.render.form`; blank and null cells are written empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ..report import CellValue, Report
from ..template import EDITIONS, TableShape
from ..template.editions import edition_argument
from .form import Block, FormCell, FormTable, Paragraph, blocks, value_text

__all__ = ["OUTPUTS", "FormCell", "FormTable", "Output", "Paragraph", "blank_form", "form_blocks", "render",
           "value_text"]

Output = Literal["docx", "xlsx", "html", "md"]
OUTPUTS: tuple[Output, ...] = ("docx", "xlsx", "html", "md")

# A blank form's title; the official file's "格式模板" is about the file, not the report.
FORM_TITLE = "政府信息公开工作年度报告"

Lookup = Callable[[str], CellValue | None]


def form_blocks(shape: TableShape, title: str | None, sections: dict[str, str] | None = None) -> list[Block]:
    """The blocks (paragraphs and tables) a form is written from; see :mod:`.form`."""
    return blocks(shape, title, sections)


def _writer(to: str) -> Callable[[list[Block], Lookup, str | None], bytes]:
    if to not in OUTPUTS:
        raise ValueError(f"unknown output {to!r}; choose one of {', '.join(OUTPUTS)}")
    try:  # imported on demand: DOCX needs python-docx, XLSX openpyxl; HTML and Markdown nothing
        if to == "docx":
            from ._docx import write
        elif to == "xlsx":
            from ._xlsx import write
        elif to == "html":
            from ._html import write
        else:
            from ._markdown import write
    except ImportError as error:
        raise ImportError(f"writing {to.upper()} needs {error.name}: pip install 'gongkai[formats]'",
                          name=error.name) from error
    return write


def _title(report: Report) -> str | None:
    if report.title:
        return report.title
    if report.agency and report.year:
        return f"{report.agency}{report.year}年度政府信息公开工作年度报告"
    return None


def render(report: Report, to: Output = "docx") -> bytes:
    """The report's title, section headings, prose of sections 一/五/六 and its three tables
    with its values, as the official template lays them out for the report's edition."""
    shape = report.shape
    if shape is None:
        raise ValueError("the report has no template edition (2019/2021): nothing to lay out")
    write = _writer(to)
    title = _title(report)
    return write(form_blocks(shape, title, report.sections), report.cells.get, title)


def blank_form(edition: str = "2021", to: Output = "docx", *, hybrid: bool = False,
               format: str | None = None) -> bytes:
    """The empty official form of an edition (``"2019"`` or ``"2021"``). ``format=`` is the old
    name of ``edition=`` (deprecated, warns; goes in the next release)."""
    edition = edition_argument(edition, format, default="2021", caller="blank_form")
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; choose one of {', '.join(EDITIONS)}")
    write = _writer(to)
    shape = TableShape(edition, hybrid)  # type: ignore[arg-type]
    return write(form_blocks(shape, FORM_TITLE), lambda path: None, FORM_TITLE)

