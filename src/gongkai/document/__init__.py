"""The document model every reader produces: rows of cells, each cell with where it came from.

A *row* is one line of a text file, one paragraph of a Word file, or one row of a table grid.
Paragraphs are rows with a single cell and no table. Table rows belong to a :class:`Table`;
``Table.exact`` says whether the columns are trustworthy (a real grid with merged cells expanded,
as from HTML, DOCX or ruled PDF tables) or only what a text layout suggests.

The extractor reads nothing but this model, so every format is extracted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Cell:
    """One cell of text. ``line`` is 1-based in the source text (or the row's index for grids)."""

    text: str
    line: int
    column: int = 0
    page: int | None = None
    table: int | None = None
    row: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    confidence: float | None = None  # OCR confidence, 0-1
    # True where a merged cell that starts at another grid position covers this one; its text is
    # "" and the extractor skips it (a value merged across columns must not be read twice).
    merged: bool = False

    def locator(self) -> dict | None:
        """Where the cell is, beyond its line: page, table grid position, box, OCR confidence.
        None for a line of text, where the line number says it all."""
        if self.page is None and self.bbox is None and self.confidence is None and self.table is None:
            return None
        result: dict = {"line": self.line}
        if self.page is not None:
            result["page"] = self.page
        if self.table is not None:
            result.update(table=self.table, row=self.row, column=self.column)
        if self.bbox is not None:
            result["bbox"] = [round(v, 2) for v in self.bbox]
        if self.confidence is not None:
            result["confidence"] = round(self.confidence, 3)
        return result


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    table: int | None = None  # index into Document.tables; None for a paragraph or plain line

    @property
    def line(self) -> int:
        return self.cells[0].line if self.cells else 0

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)


@dataclass(slots=True)
class Table:
    index: int
    rows: list[Row]
    exact: bool = False  # True: columns are a real grid (merged cells expanded)
    page: int | None = None
    markup: str | None = None  # how a text table was written: "markdown", "tabs", "pipes"

    @property
    def regular(self) -> bool:
        """A markdown table whose rows all have the same number of cells: its columns can be
        trusted as positions. Tab-separated rows cannot: a converter that lost a column in
        every row still gives rows of equal width (seed 001)."""
        widths = {len(r.cells) for r in self.rows}
        return self.markup == "markdown" and len(self.rows) >= 2 and len(widths) == 1


@dataclass
class Document:
    """A report as read from one file: rows in reading order, tables among them."""

    name: str
    media_type: str  # "text/plain", "text/html", "application/pdf", …
    rows: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    encoding: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The document as plain lines of text (cells joined by a tab)."""
        return ["\t".join(c.text for c in row.cells) for row in self.rows]

    def add_table(self, rows: list[list[Cell]], *, exact: bool, page: int | None = None,
                  markup: str | None = None) -> Table:
        """Append a table (and its rows, in reading order) to the document."""
        table = Table(index=len(self.tables), rows=[], exact=exact, page=page, markup=markup)
        for number, cells in enumerate(rows):
            for column, cell in enumerate(cells):
                cell.table, cell.row, cell.column = table.index, number, column
            row = Row(cells=cells, table=table.index)
            table.rows.append(row)
            self.rows.append(row)
        self.tables.append(table)
        return table

    def add_paragraph(self, text: str, line: int, page: int | None = None) -> None:
        self.rows.append(Row(cells=[Cell(text=text, line=line, page=page)]))
