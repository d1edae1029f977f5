"""DOCX and XLSX reading: files made by python-docx/openpyxl (through the renderer), by hand
(raw WordprocessingML, openpyxl), by LibreOffice when it is installed, and the official form;
merges expanded to exact grids, and quick refusals of bombs, truncation and garbage."""

from __future__ import annotations

import datetime as dt
import io
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("lxml")
pytest.importorskip("docx")
pytest.importorskip("openpyxl")

import openpyxl

from corpus import OFFICIAL_2021_DOCX as OFFICIAL
from gongkai.document import Document, Table
from gongkai.errors import ParseError
from gongkai.readers import docx as docx_reader
from gongkai.readers import read
from gongkai.readers.docx import read_docx
from gongkai.readers.xlsx import read_xlsx
from gongkai.render import blank_form, render
from gongkai.render.form import FormTable, tables, value_text
from gongkai.report import CellValue, Report
from gongkai.template import TEMPLATE, TableShape

SHAPES = [TableShape("2021"), TableShape("2019"), TableShape("2021", hybrid=True)]
TITLE = "某某镇人民政府2023年度政府信息公开工作年度报告"


def plain(text: str) -> str:
    """Whitespace removed, and the quotes of 危及“三安全一稳定”, which template.yaml's label lacks."""
    return "".join(text.split()).replace("“", "").replace("”", "")


def grid(table: Table) -> list[list[str]]:
    """Texts of a table (see :func:`plain`), ``~`` where a merged cell covers the position."""
    return [["~" if c.merged else plain(c.text) for c in row.cells] for row in table.rows]


def expected(form: FormTable, values: dict[str, float | int | None] | None = None) -> list[list[str]]:
    rows = [["~"] * form.n_cols for _ in range(form.n_rows)]
    for cell in form.cells:
        text = cell.text
        if cell.path:
            text = value_text((values or {}).get(cell.path))
        rows[cell.row][cell.col] = plain(text)
    return rows


def check_locators(document: Document) -> None:
    for line, row in enumerate(document.rows, start=1):
        assert all(cell.line == line for cell in row.cells)
    for table in document.tables:
        assert table.exact and len({len(row.cells) for row in table.rows}) == 1
        for r, row in enumerate(table.rows):
            assert [(c.table, c.row, c.column) for c in row.cells] == [
                (table.index, r, c) for c in range(len(row.cells))]


def sample_report(shape: TableShape) -> Report:
    """A report with a distinct value in every cell (a few left null), amounts as decimals."""
    cells = {}
    for number, path in enumerate(TEMPLATE.cell_paths(shape), start=1):
        if number % 17 == 0:
            cells[path] = CellValue(None, "blank")
        elif TEMPLATE.cell_kind(path) == "amount":
            cells[path] = CellValue(number + 0.25, "read", raw=str(number + 0.25))
        else:
            cells[path] = CellValue(number, "read", raw=str(number))
    return Report(agency="某某镇人民政府", year=2023, template=shape.edition, hybrid=shape.hybrid,
                  cells=cells, sections={"overview": "全年主动公开信息100条。\n第二段。"})


# ------------------------------------------------------------------------------- DOCX

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_rendered_blank_docx_reads_as_the_form(shape):
    document = read_docx(blank_form(shape.edition, "docx", hybrid=shape.hybrid), "blank.docx")
    forms = list(tables(shape).values())
    assert [grid(t) for t in document.tables] == [expected(f) for f in forms]
    check_locators(document)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_rendered_docx_values_land_in_their_cells(shape):
    report = sample_report(shape)
    document = read_docx(render(report, "docx"), "r.docx")
    values = {p: c.value for p, c in report.cells.items()}
    assert [grid(t) for t in document.tables] == [expected(f, values) for f in tables(shape).values()]
    texts = [row.cells[0].text for row in document.rows if row.table is None]
    assert texts[:3] == [TITLE, "一、总体情况", "全年主动公开信息100条。"]


def test_official_form_grid():
    document = read_docx(OFFICIAL.read_bytes(), OFFICIAL.name)
    t2, t3, t4 = document.tables
    assert [(len(t.rows), len(t.rows[0].cells)) for t in document.tables] == [(14, 4), (28, 10), (4, 15)]
    g2, g3, g4 = grid(t2), grid(t3), grid(t4)
    assert g2[0] == ["第二十条第（一）项", "~", "~", "~"]
    assert g2[12] == ["信息内容", "本年收费金额（单位：万元）", "~", "~"]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert g3[0][:4] == [note, "~", "~", "申请人情况"]
    assert [row[3] for row in g3[:3]] == ["申请人情况", "自然人", "~"]
    assert g3[5][:3] == ["三、本年度办理结果", "（一）予以公开", "~"]
    assert all(row[0] == "~" for row in g3[6:27]), "三、本年度办理结果 is merged down 22 rows"
    assert g3[23][1:3] == ["（六）其他处理",
                           "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]
    assert g3[27][:4] == ["四、结转下年度继续办理", "~", "~", ""]
    assert g4[1][:6] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"]
    assert g4[2][:5] == ["~"] * 5 and g4[3] == [""] * 15
    # headings come before their tables, in document order
    lines = document.lines
    assert lines.index("二、主动公开政府信息情况") + 2 == t2.rows[0].line
    assert lines.index("三、收到和处理政府信息公开申请情况") + 2 == t3.rows[0].line
    check_locators(document)


W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/main.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>')


def docx_bytes(body: str, *, member: str = "word/main.xml", rels: str = RELS,
               compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", rels)
        archive.writestr(member, f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}>'
                                 f"<w:body>{body}</w:body></w:document>")
    return buffer.getvalue()


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tc(text: str = "", span: int = 1, vmerge: str | None = None) -> str:
    properties = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if vmerge == "restart":
        properties += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        properties += "<w:vMerge/>"  # no w:val means continue
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"


TEXT_BOX = ("<w:p><w:r><w:t>锚段</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\">"
            "<w:drawing><wps:wsp><wps:txbx><w:txbxContent>" + p("文本框里的标题") + p("第二行")
            + "</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict>"
            "<v:shape><v:textbox><w:txbxContent>" + p("文本框里的标题") + p("第二行")
            + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>"
            "</w:r></w:p>")


def test_hand_made_docx_merges_text_boxes_split_tables_and_order():
    body = (p("标题") + TEXT_BOX
            + tbl(tc("三、本年度办理结果", vmerge="restart") + tc("（一）予以公开", span=2) + tc("1"),
                  tc(vmerge="continue") + tc("（三）不予公开", vmerge="restart") + tc("1.属于国家秘密")
                  + tc("2"),
                  tc(vmerge="continue") + tc(vmerge="continue") + tc("2.其他") + tc("&#160;"))
            + p("")  # an empty paragraph is not a row
            + tbl('<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + tc("续表") + tc("3"),  # split table
                  tc("a") + tc("b") + tc("c"))
            + '<w:sdt><w:sdtPr/><w:sdtContent>' + p("内容控件里的段落") + "</w:sdtContent></w:sdt>"
            + "<w:p><w:r><w:t>正</w:t></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del>"
            "<w:r><w:tab/><w:t>文</w:t></w:r></w:p>")  # deleted text is not read; a tab is a space
    document = read_docx(docx_bytes(body), "hand.docx")
    assert document.lines[:4] == ["标题", "锚段", "文本框里的标题", "第二行"]
    assert [grid(t) for t in document.tables] == [
        [["三、本年度办理结果", "（一）予以公开", "~", "1"],
         ["~", "（三）不予公开", "1.属于国家秘密", "2"],
         ["~", "~", "2.其他", ""]],
        [["", "续表", "3"], ["a", "b", "c"]],
    ]
    assert document.lines[-2:] == ["内容控件里的段落", "正 文"]
    check_locators(document)


NUMBERING = f"""<w:numbering {W_NS}>
<w:abstractNum w:abstractNumId="7">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="8">
  <w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="7"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="8"/></w:num>
</w:numbering>"""
STYLES = f"""<w:styles {W_NS}>
<w:style w:type="paragraph" w:styleId="Heading1">
  <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="SectionHeading"><w:basedOn w:val="Heading1"/></w:style>
</w:styles>"""
DOCUMENT_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Target="numbering.xml" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/numbering"/><Relationship Id="rId2" Target="styles.xml" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
                 "</Relationships>")


def numbered(text: str, num_id: int | None = None, ilvl: int = 0, style: str | None = None) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None:
        properties += f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    return f"<w:p><w:pPr>{properties}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_automatic_list_numbers_are_part_of_the_text():
    body = (numbered("总体情况", style="Heading1") + p("正文")
            + numbered("主动公开政府信息情况", style="SectionHeading")
            + numbered("不予公开", 1, ilvl=1) + numbered("属于国家秘密", 1, ilvl=2)
            + numbered("其他法律行政法规禁止公开", 1, ilvl=2) + numbered("无法提供", 1, ilvl=1)
            + numbered("本机关不掌握相关政府信息", 1, ilvl=2)
            + tbl(f"<w:tc>{numbered('表内编号', 1, ilvl=0)}</w:tc>")
            + numbered("另一个列表", 2) + numbered("不编号", 0) + numbered("圆点", 3))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_rels/.rels", RELS.replace("word/main.xml", "word/document.xml"))
        archive.writestr("word/document.xml", f"<w:document {W_NS}><w:body>{body}</w:body></w:document>")
        archive.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        archive.writestr("word/numbering.xml", NUMBERING)
        archive.writestr("word/styles.xml", STYLES)
    document = read_docx(buffer.getvalue(), "numbered.docx")
    assert document.lines == ["一、总体情况", "正文", "二、主动公开政府信息情况", "（一）不予公开",
                              "1.属于国家秘密", "2.其他法律行政法规禁止公开", "（二）无法提供",
                              "1.本机关不掌握相关政府信息", "三、表内编号", "十、另一个列表", "不编号",
                              "圆点"]


def test_chinese_counting():
    from gongkai.readers.docx import _format_number

    assert [_format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 21, 105, 110, 1005)] == [
        "一", "十", "十一", "二十", "二十一", "一百零五", "一百一十", "一千零五"]
    assert _format_number(3, "upperRoman") == "III" and _format_number(2, "decimalEnclosedCircle") == "②"
    assert _format_number(4, "ideographTraditional") == "丁" and _format_number(28, "lowerLetter") == "bb"


def test_nested_docx_table_is_its_own_table():
    inner = tbl(tc("内1") + tc("内2"))
    body = tbl(tc("外") + f"<w:tc>{p('前')}{inner}{p('后')}</w:tc>") + p("尾")
    document = read_docx(docx_bytes(body), "nested.docx")
    assert [grid(t) for t in document.tables] == [[["外", "前后"]], [["内1", "内2"]]]
    assert document.lines[-1] == "尾"


def test_main_part_found_through_the_package_relationships():
    data = docx_bytes(p("正文"), member="word/document2.xml",
                      rels=RELS.replace("word/main.xml", "/word/document2.xml"))
    assert read_docx(data, "x.docx").lines == ["正文"]


def _libreoffice(tmp: Path, source: Path, target: str, outdir: str) -> Path:
    """Convert with LibreOffice (its own profile, so parallel runs cannot lock each other)."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
                    "--convert-to", target, "--outdir", str(tmp / outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return tmp / outdir / (source.stem + "." + target.split(":")[0])


@pytest.mark.tools("soffice", "cjk-font")
def test_docx_made_by_libreoffice(tmp_path):
    """The official form (through ODT) and our HTML, each saved as DOCX by LibreOffice Writer."""
    official = tmp_path / "official.docx"
    official.write_bytes(OFFICIAL.read_bytes())
    odt = _libreoffice(tmp_path, official, "odt", "odt")
    resaved = _libreoffice(tmp_path, odt, "docx:MS Word 2007 XML", "resaved")
    page = tmp_path / "form.html"
    page.write_bytes(blank_form("2021", "html"))
    from_html = _libreoffice(tmp_path, page, "docx:MS Word 2007 XML", "from_html")
    reference = [grid(t) for t in read_docx(OFFICIAL.read_bytes(), "official.docx").tables]
    forms = [expected(f) for f in tables(TableShape("2021")).values()]
    assert reference == forms
    for path in (resaved, from_html):
        document = read_docx(path.read_bytes(), path.name)
        check_locators(document)
        assert [grid(t) for t in document.tables] == forms, path.name


# ------------------------------------------------------------------------------- XLSX

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_rendered_xlsx_reads_as_three_tables(shape):
    report = sample_report(shape)
    document = read_xlsx(render(report, "xlsx"), "r.xlsx")
    values = {p: c.value for p, c in report.cells.items()}
    assert [grid(t) for t in document.tables] == [expected(f, values) for f in tables(shape).values()]
    paragraphs = [row.cells[0].text for row in document.rows if row.table is None]
    assert paragraphs[:3] == [TITLE, "一、总体情况", "全年主动公开信息100条。"]
    check_locators(document)


def test_blank_xlsx_keeps_the_empty_value_row():
    document = read_xlsx(blank_form("2021", "xlsx"), "blank.xlsx")
    assert [(len(t.rows), len(t.rows[0].cells)) for t in document.tables] == [(14, 4), (28, 10), (4, 15)]
    assert grid(document.tables[2])[3] == [""] * 15  # bordered, so part of the table


def test_hand_made_workbook():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "表三"  # a title line above the table
    sheet["B3"], sheet["C3"], sheet["D3"] = "项目", "数量", "金额"
    sheet.merge_cells("C3:D3")
    sheet["B4"], sheet["C4"], sheet["D4"] = "规章", 12, 96171.6
    sheet["B5"], sheet["C5"], sheet["D5"] = "日期", dt.datetime(2024, 1, 19), 3.0
    sheet.merge_cells("B6:B7")
    sheet["B6"], sheet["C6"], sheet["C7"] = "合并", "  a\u3000b ", 0.1 + 0.2
    sheet["B9"] = "第二块"
    sheet["C9"] = 1
    second = workbook.create_sheet("二")
    second["A1"] = "只有一行字"
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = read_xlsx(buffer.getvalue(), "hand.xlsx")
    assert [grid(t) for t in document.tables] == [
        [["项目", "数量", "~"], ["规章", "12", "96171.6"], ["日期", "2024-01-19", "3"],
         ["合并", "ab", ""], ["~", "0.3", ""]],
        [["第二块", "1"]],
    ]
    assert document.tables[0].rows[3].cells[1].text == "a b"
    assert [row.cells[0].text for row in document.rows if row.table is None] == ["表三", "只有一行字"]
    check_locators(document)


def test_xlsx_dispatch_by_content():
    document = read(blank_form("2019", "xlsx"), name="form.bin")
    assert document.media_type.endswith("spreadsheetml.sheet") and len(document.tables) == 3


# ------------------------------------------------------------------------------- refusals

def _zip(members: dict[str, bytes], level: int = 6) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    """20 MB of zeros as the main part: ~1000:1, refused before anything is inflated."""
    return _zip({"_rels/.rels": RELS.encode(), "word/document.xml": bytes(20 * 2**20),
                 "xl/workbook.xml": b"<workbook/>"}, level=9)


def _lying_bomb(kind: str) -> bytes:
    """A zip whose directory claims a tiny main part that really inflates to 8 MB."""
    member = "word/document.xml" if kind == "docx" else "[Content_Types].xml"  # read first
    data = bytearray(_zip({member: bytes(8 * 2**20), "xl/workbook.xml": b"<workbook/>"}, level=9))
    central = data.index(b"PK\x01\x02")  # the first entry
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the central directory
    struct.pack_into("<I", data, 22, 1000)  # and in the local header
    return bytes(data)


READERS = [("docx", read_docx), ("xlsx", read_xlsx)]


@pytest.mark.parametrize(("kind", "reader"), READERS, ids=["docx", "xlsx"])
@pytest.mark.parametrize(("make", "reason"), [
    (lambda kind: b"", "empty"),
    (lambda kind: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "legacy"),
    (lambda kind: bytes(range(256)) * 50, "not a zip"),
    (lambda kind: blank_form("2021", kind)[:5000], "corrupt or truncated"),
    (lambda kind: b"PK\x03\x04" + bytes(300), "corrupt or truncated"),
    (lambda kind: _bomb(), "zip bomb"),
    (_lying_bomb, "inflates beyond its declared size"),
    (lambda kind: _zip({"a.txt": b"hello"}), "not a"),
], ids=["empty", "ole", "garbage", "truncated", "header-only", "bomb", "lying-bomb", "other-zip"])
def test_bad_archives_are_refused_quickly(kind, reader, make, reason):
    data = make(kind)  # how quickly: bench/limits.py
    with pytest.raises(ParseError) as error:
        reader(data, f"bad.{kind}")
    assert reason in error.value.reason and str(error.value).startswith(f"bad.{kind}: ")


def test_total_uncompressed_size_is_limited(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 10_000)
    with pytest.raises(ParseError, match="zip bomb"):
        read_docx(blank_form("2021", "docx"), "big.docx")


@pytest.mark.parametrize(("body", "reason"), [
    ("<w:p>" * 100_000 + "</w:p>" * 100_000, "not well-formed"),  # 10^5 nested: libxml2's limit
    ("<w:p><w:r><w:t>未闭合", "not well-formed"),
    ("", "no text"),
], ids=["deep", "broken", "empty"])
def test_bad_document_xml(body, reason):
    with pytest.raises(ParseError, match=reason):  # how quickly: bench/limits.py
        read_docx(docx_bytes(body, compression=zipfile.ZIP_STORED), "bad.docx")


def test_entities_are_not_expanded():
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "哈哈哈哈哈哈哈哈">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
              f'<w:document {W_NS}><w:body><w:p><w:r><w:t>&c;正文</w:t></w:r></w:p></w:body></w:document>')
    data = _zip({"_rels/.rels": RELS.encode(), "word/main.xml": laughs.encode()})
    try:
        document = read_docx(data, "laughs.docx")
    except ParseError:
        return
    assert "哈" not in "".join(document.lines)
