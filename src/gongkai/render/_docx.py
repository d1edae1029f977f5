"""DOCX writer (python-docx): paragraphs and bordered tables with the official merges."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docx.table import _Cell

from .form import Block, FormTable, Paragraph, value_text

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from . import Lookup

_FONT = "宋体"  # the official form's typeface
# A4 with the usual 2.54/3.17 cm margins: the text width the official tables fill.
_PAGE = (11906, 16838)
_MARGINS = (1440, 1800)


def _setup(document: DocxDocument) -> int:
    section = document.sections[0]
    section.page_width, section.page_height = Twips(_PAGE[0]), Twips(_PAGE[1])
    section.top_margin = section.bottom_margin = Twips(_MARGINS[0])
    section.left_margin = section.right_margin = Twips(_MARGINS[1])
    normal = document.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _FONT)
    return _PAGE[0] - 2 * _MARGINS[1]


def _paragraph(document: DocxDocument, block: Paragraph) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.role == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = True
        run.font.size = Pt(18)
    elif block.role == "heading":
        run.bold = True


def _table(document: DocxDocument, form: FormTable, lookup: Lookup, text_width: int) -> None:
    table = document.add_table(rows=form.n_rows, cols=form.n_cols)
    table.style = "Table Grid"  # single borders on every cell, as the official form
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [round(w * text_width) for w in form.widths]
    # Merge at the XML level: python-docx's Table.cell() re-walks the whole grid on every call.
    tcs = [list(tr.tc_lst) for tr in table._tbl.tr_lst]
    for cell in form.cells:
        for r in range(cell.row, cell.row + cell.rows):
            tc = tcs[r][cell.col]
            if cell.cols > 1:
                tc.grid_span = cell.cols
                for covered in tcs[r][cell.col + 1:cell.col + cell.cols]:
                    covered.getparent().remove(covered)
            if cell.rows > 1:
                tc.vMerge = "restart" if r == cell.row else "continue"
        target = _Cell(tcs[cell.row][cell.col], table)
        text = cell.text
        if cell.role == "value" and cell.path:
            value = lookup(cell.path)
            text = value_text(value.value if value else None)
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            run = paragraph.add_run(text)
            run.font.size = Pt(9 if form.n_cols > 4 else 10.5)
            if cell.role == "caption":
                run.bold = True
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    # Column widths: the grid, and each cell's own width (Word uses the latter to lay out).
    for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_column.w = Twips(width)
    for tr in table._tbl.tr_lst:
        column = 0
        for tc in tr.tc_lst:
            tc.width = Twips(sum(widths[column:column + tc.grid_span]))
            column += tc.grid_span


def write(blocks: list[Block], lookup: Lookup, title: str | None) -> bytes:
    document = Document()
    text_width = _setup(document)
    if title:
        document.core_properties.title = title
    for block in blocks:
        if isinstance(block, Paragraph):
            _paragraph(document, block)
        else:
            _table(document, block, lookup, text_width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
