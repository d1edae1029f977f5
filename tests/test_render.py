"""The renderer: the official tables for 2019, 2021 and the hybrid, checked against the official
2021 DOCX cell by cell (through python-docx, not our reader), values in place in every output."""

from __future__ import annotations

import io
import json

import pytest

pytest.importorskip("docx")
pytest.importorskip("openpyxl")
pytest.importorskip("lxml")

import docx
import openpyxl
from lxml import etree

import gongkai
from corpus import OFFICIAL_2021_DOCX as OFFICIAL
from corpus import REAL, SEEDS
from gongkai.render import OUTPUTS, blank_form, render
from gongkai.render.form import FormTable, heading, official, tables, value_text
from gongkai.report import CellValue, Report
from gongkai.template import TEMPLATE, TableShape

SHAPES = [TableShape("2021"), TableShape("2019"), TableShape("2021", hybrid=True)]


def plain(text: str) -> str:
    """Whitespace removed; also the quotes of 危及“三安全一稳定”, which template.yaml's label
    lacks (add the quoted form as a variant there and the renderer prints it)."""
    return "".join(text.split()).replace("“", "").replace("”", "")


def grid_of(table) -> tuple[tuple[int, int], list[list[tuple[int, int]]], list[list[str]]]:
    """A python-docx table's grid shape, merge map and texts. The merge map gives, for each grid
    position, the position where the cell covering it starts: python-docx returns the same
    cell object for every position a gridSpan/vMerge cell covers."""
    cells = table._cells
    n_cols = table._column_count
    n_rows = len(cells) // n_cols
    origin: dict[int, tuple[int, int]] = {}
    merge_map, texts = [], []
    for r in range(n_rows):
        merge_row, text_row = [], []
        for c in range(n_cols):
            cell = cells[r * n_cols + c]
            start = origin.setdefault(id(cell._tc), (r, c))
            merge_row.append(start)
            text_row.append(plain(cell.text) if start == (r, c) else "~")
        merge_map.append(merge_row)
        texts.append(text_row)
    return (n_rows, n_cols), merge_map, texts


def docx_tables(data: bytes) -> list:
    return docx.Document(io.BytesIO(data)).tables


# ------------------------------------------------------------------------------- the official form

def test_blank_2021_docx_reproduces_the_official_form():
    ours = docx_tables(blank_form("2021", "docx"))
    theirs = docx_tables(OFFICIAL.read_bytes())
    assert len(ours) == len(theirs) == 3
    for number, (mine, official_table) in enumerate(zip(ours, theirs, strict=True), start=2):
        shape, merges, texts = grid_of(mine)
        official_shape, official_merges, official_texts = grid_of(official_table)
        assert shape == official_shape, f"table {number}: grid"
        for r in range(shape[0]):
            assert merges[r] == official_merges[r], f"table {number}, row {r}: merges"
            assert texts[r] == official_texts[r], f"table {number}, row {r}: labels"
    assert [grid_of(t)[0] for t in ours] == [(14, 4), (28, 10), (4, 15)]


def test_blank_2021_docx_has_the_official_headings_in_order():
    def headings(data: bytes) -> list[str]:
        paragraphs = [plain(p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]
        return [p for p in paragraphs if p[:2] in {f"{s.number}、" for s in TEMPLATE.sections}]

    assert headings(blank_form("2021", "docx")) == headings(OFFICIAL.read_bytes())


def test_official_typography():
    assert official("第二十条第(一)项") == "第二十条第（一）项"
    assert official("本年收费金额(单位:万元)") == "本年收费金额（单位：万元）"
    assert heading("review_litigation") == "四、政府信息公开行政复议、行政诉讼情况"


# ------------------------------------------------------------------------------- form model

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_form_cells_tile_the_grid(shape):
    for form in tables(shape).values():
        covered = {}
        for cell in form.cells:
            for r in range(cell.row, cell.row + cell.rows):
                for c in range(cell.col, cell.col + cell.cols):
                    assert (r, c) not in covered, f"{form.section}: overlap at {(r, c)}"
                    covered[r, c] = cell
        assert len(covered) == form.n_rows * form.n_cols, f"{form.section}: holes"
        assert abs(sum(form.widths) - 1) < 1e-9 and len(form.widths) == form.n_cols


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_printed_cell_path_has_one_value_cell(shape):
    paths = [c.path for form in tables(shape).values() for c in form.cells if c.role == "value"]
    printed = set(TEMPLATE.cell_paths(shape))
    if shape.hybrid:  # the three other_* rows are not printed: （六） is one row
        printed = {p for p in printed if not p.startswith("applications.other_")}
    assert len(paths) == len(set(paths)) and set(paths) == printed


def test_2019_and_hybrid_shapes():
    t2019 = tables(TableShape("2019"))
    hybrid = tables(TableShape("2021", hybrid=True))
    assert [(t.n_rows, t.n_cols) for t in t2019.values()] == [(18, 5), (26, 10), (4, 15)]
    assert [(t.n_rows, t.n_cols) for t in hybrid.values()] == [(14, 4), (26, 10), (4, 15)]
    # 2019 table 2: 3-column blocks and 2-column blocks share a 4-column value grid
    cells = {(c.row, c.col): c for c in t2019["active_disclosure"].cells}
    assert [(cells[2, c].cols) for c in (1, 2, 4)] == [1, 2, 1]  # 规章: new_made, new_published, total
    fees = next(c for c in t2019["active_disclosure"].cells if c.path == "active_disclosure.fees.change")
    assert (fees.col, fees.cols) == (3, 2)
    # hybrid table 3: （六）其他处理 is one row over two label columns, with values of its own
    other = [c for c in hybrid["applications"].cells if c.text == "（六）其他处理"]
    assert len(other) == 1 and other[0].cols == 2
    first_value = next(c.path for c in hybrid["applications"].cells if c.row == other[0].row and c.path)
    assert first_value == "applications.other.natural_person"
    result_block = next(c for c in hybrid["applications"].cells if c.text == "三、本年度办理结果")
    assert result_block.rows == 20


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_template_label_is_printed(shape):
    texts = {plain(c.text) for form in tables(shape).values() for c in form.cells}
    joined = "".join(texts)
    for row in TEMPLATE.application_rows:
        if row.key in TEMPLATE.application_row_keys(shape) and not (
                shape.hybrid and row.group == "other_handling"):
            assert plain(official(row.marker + row.label.text)) in texts, row.key
    for block in TEMPLATE.disclosure_blocks[shape.edition]:
        assert plain(official(block.caption.text)) in texts
        assert all(plain(official(r.label.text)) in texts for r in block.rows)
        assert all(plain(official(c.label.text)) in texts for c in block.columns)
    for column in (*TEMPLATE.application_columns, *TEMPLATE.review_columns, *TEMPLATE.review_groups[1:]):
        assert column.label.text in joined


# ------------------------------------------------------------------------------- values

def sample_report(shape: TableShape) -> Report:
    cells = {}
    statuses = ["read", "read", "inferred", "blank", "missing"]
    for number, path in enumerate(TEMPLATE.cell_paths(shape), start=1):
        status = statuses[number % len(statuses)]
        value = None if status in ("blank", "missing") else number
        if value is not None and TEMPLATE.cell_kind(path) == "amount":
            value = number + 0.5
        cells[path] = CellValue(value, status, rule="F-ZERO" if status == "inferred" else None)
    return Report(agency="测试局", year=2022, template=shape.edition, hybrid=shape.hybrid, cells=cells,
                  title="测试局2022年政府信息公开工作年度报告")


def _value_cells(form: FormTable) -> list:
    return [c for c in form.cells if c.role == "value"]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_html_output(shape):
    report = sample_report(shape)
    root = etree.fromstring(render(report, "html"), etree.HTMLParser())
    assert root.findtext(".//h1") == report.title
    assert [h.text for h in root.iter("h2")] == [heading(s.key) for s in TEMPLATE.sections]
    found = {td.get("data-path"): td for td in root.iter("td") if td.get("data-path")}
    for form in tables(shape).values():
        for cell in _value_cells(form):
            td = found[cell.path]
            value = report.cells[cell.path]
            assert (td.text or "") == value_text(value.value)
            assert f"s-{value.status}" in td.get("class")
    spans = {(td.text, td.get("rowspan"), td.get("colspan")) for td in root.iter("td")}
    assert ("第二十条第（一）项", None, "4" if shape.edition == "2021" else "5") in spans


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_markdown_output(shape):
    report = sample_report(shape)
    lines = render(report, "md").decode().splitlines()
    assert lines[0] == "# " + report.title
    rows = [line for line in lines if line.startswith("|") and not line.startswith("|---")]
    forms = list(tables(shape).values())
    assert len(rows) == sum(f.n_rows for f in forms)
    total_row = next(r for r in rows if "（七）总计" in r)
    cells = [c.strip() for c in total_row.strip("|").split("|")]
    expected = [value_text(report.cells[f"applications.total.{c.key}"].value)
                for c in TEMPLATE.application_columns]
    assert len(cells) == 10 and cells[3:] == expected


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_xlsx_output_merges_borders_values_and_status_colours(shape):
    report = sample_report(shape)
    sheet = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx"))).active
    by_text = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                by_text.setdefault(cell.value, cell)
    caption = by_text["第二十条第（一）项"]
    top = caption.row
    last = "D" if shape.edition == "2021" else "E"
    assert f"A{top}:{last}{top}" in {str(r) for r in sheet.merged_cells.ranges}
    note = by_text[official(TEMPLATE.application_note.text)]
    assert note.border.left.style == "thin"
    # table 3's first data row sits three rows under the note; values are numbers
    first = sheet.cell(note.row + 3, 4)
    path = "applications.new_received.natural_person"
    assert first.value == report.cells[path].value
    statuses = {"inferred": "DDEBF7", "blank": "EDEDED", "missing": "F8CBAD"}
    row_cells = [sheet.cell(note.row + 3, 4 + i) for i in range(7)]
    paths = [f"applications.new_received.{c.key}" for c in TEMPLATE.application_columns]
    for cell, cell_path in zip(row_cells, paths, strict=True):
        status = report.cells[cell_path].status
        colour = cell.fill.start_color.rgb if cell.fill.fill_type else None
        assert (colour or "")[-6:] == statuses.get(status, ""), (cell_path, status)
        if status == "inferred":
            assert "F-ZERO" in cell.comment.text


def test_null_values_are_empty_cells():
    shape = TableShape("2021")
    report = Report(agency=None, year=None, template="2021", cells={
        p: CellValue(None, "missing") for p in TEMPLATE.cell_paths(shape)})
    document = docx.Document(io.BytesIO(render(report, "docx")))
    values = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert not any(v.strip().isdigit() for v in values)
    assert plain(document.paragraphs[0].text) == "一、总体情况"  # no title to print


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown output"):
        blank_form("2021", "pdf")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown edition"):
        blank_form("2020")
    with pytest.raises(ValueError, match="no template"):
        render(Report(agency=None, year=None, template=None, cells={}))


def test_format_is_the_deprecated_name_of_edition():
    with pytest.warns(DeprecationWarning, match=r"blank_form\(edition=…\)"):
        old = blank_form(format="2019", to="md")
    assert old == blank_form(edition="2019", to="md") != blank_form(edition="2021", to="md")
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="give edition only"):
        blank_form(edition="2019", format="2021", to="md")


@pytest.mark.parametrize("to", OUTPUTS)
def test_every_output_renders_every_shape(to):
    for shape in SHAPES:
        assert blank_form(shape.edition, to, hybrid=shape.hybrid)
        assert render(sample_report(shape), to)


# ------------------------------------------------------------------------------- round trip

def _truth_report(name: str) -> Report:
    data = json.loads((REAL / f"{name}.truth.json").read_text("utf-8"))
    return Report.from_dict(data)


@pytest.mark.parametrize("to", OUTPUTS)
@pytest.mark.parametrize("name", ["huaian-city-2024", "hongze-2023", "hongze-2024"])
def test_round_trip(name, to):
    report = _truth_report(name)
    parsed = gongkai.parse(render(report, to), name=f"{name}.{to}")
    assert (parsed.template, parsed.hybrid, parsed.year) == (report.template, report.hybrid, report.year)
    for path, cell in report.cells.items():
        got = parsed.cells[path]
        if cell.value is None:  # blank in the source: stays null, or is forced by arithmetic
            assert got.value is None or got.status == "inferred", path
        else:
            assert got.value == cell.value, path


@pytest.mark.parametrize("to", OUTPUTS)
def test_parse_render_parse_is_stable(to):
    """A seed parsed, rendered and parsed again keeps its cells and its sections' prose."""
    seed = sorted(SEEDS.glob("*.txt"))[-1]
    first = gongkai.parse(seed)
    second = gongkai.parse(render(first, to), name=f"again.{to}")
    assert {p: c.value for p, c in second.cells.items()} == {p: c.value for p, c in first.cells.items()}
    assert second.sections == first.sections
    assert (second.agency, second.year, second.template) == (first.agency, first.year, first.template)
