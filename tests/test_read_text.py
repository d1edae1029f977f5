"""Text reading: every encoding a Chinese report comes in, and clear refusals of bad input."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

import gongkai
from corpus import SEEDS
from gongkai.errors import ParseError
from gongkai.evaluate import score
from gongkai.readers import read, sniff
from gongkai.readers.text import decode, split_cells

SEED = next(SEEDS.glob("004_*.txt"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le",
                                      "utf-16-be"])
def test_encodings_parse_identically(encoding):
    text = SEED.read_text("utf-8")
    reference = gongkai.parse(SEED)
    report = gongkai.parse(text.encode(encoding), name=f"seed.{encoding}")
    assert report.to_dict()["applications"] == reference.to_dict()["applications"]
    assert report.agency == reference.agency and report.year == 2023


def test_decode_reports_the_encoding():
    assert decode("表三".encode("gbk"), "x")[1] == "gb18030"
    assert decode(codecs.BOM_UTF8 + "表三".encode(), "x")[1] == "utf-8-sig"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x00\x01\x02\x03" * 1000, "binary"),
], ids=["empty", "blank", "all-bytes", "nul-pattern"])
def test_bad_bytes_get_a_clear_error(data, reason):
    with pytest.raises(ParseError) as error:
        gongkai.parse(data, name="bad.txt")
    assert str(error.value).startswith("bad.txt: ") and reason in error.value.reason


def test_a_document_of_another_kind_is_refused():
    with pytest.raises(ParseError, match="no statistics table"):
        notice = "关于做好2024年春节期间安全生产工作的通知\n各单位：请做好值班工作。\n"
        gongkai.parse(notice.encode(), name="n.txt")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ParseError, match=r"nope\.txt"):
        gongkai.parse(tmp_path / "nope.txt")


def test_kind_is_sniffed_from_content_not_extension():
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff(b"  <html lang='zh'>") == "html"
    assert sniff("一、总体情况".encode()) == "text"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) == "ole"
    with pytest.raises(ParseError, match=r"x\.pdf: .*(LibreOffice|legacy Office)"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="x.pdf")


CONVERTED = Path(__file__).parent / "data" / "converted"


@pytest.mark.parametrize("report", ["s2r0010", "s2r0026"])
def test_markdown_that_keeps_raw_html_is_read_as_markdown(report: str) -> None:
    """pandoc's gfm keeps a page's <div>s: read as HTML, the pipe tables ran into one paragraph
    and table 4 lost its blanks; a <div> line before the breadcrumb was taken for the title."""
    path = CONVERTED / f"pandoc-html-gfm-{report}.txt"
    assert sniff(path.read_bytes()) == "text"
    truth = json.loads((CONVERTED / f"{report}.truth.json").read_text("utf-8"))
    parsed = gongkai.parse(path)
    result = score(parsed, truth, path.name)
    assert result.counts["correct"] == result.cells and result.metadata_ok
    assert parsed.title is not None and "<div" not in parsed.title


def test_an_html_page_with_tables_stays_html() -> None:
    page = b'<div class="a">\n<table><tr><td>| a | b |</td></tr></table>\n|---|---|\n</div>'
    assert sniff(page) == "html"


@pytest.mark.parametrize(("line", "cells"), [
    ("| 规章 | 0 | 0 | 0 |", ["规章", "0", "0", "0"]),
    ("|---|---|", None),
    ("规章\t0\t\t0", ["规章", "0", "", "0"]),
    ("规章  | 0\u00a0 | 0  | ", ["规章", "0", "0"]),
    ("规章 0 0 0", ["规章 0 0 0"]),
    ("  |   | 1\u00a0 | ", ["", "", "1"]),
    ("   ", None),
])
def test_split_cells(line, cells):
    assert split_cells(line) == cells


def test_pipes_padded_with_tabs_keep_their_empty_cells():
    """A row written 「\\t0\\t|\\t1\\t|\\t|\\t0\\t|」 separates its cells by pipes, the tabs being padding:
    the empty cell between two pipes stays a cell (split at the tabs it became a 「|」 of its own,
    and table 4's values shifted a column)."""
    assert split_cells("\t0\t|\t1\t|\t|\t0\t|\t") == ["0", "1", "", "0"]
    assert split_cells("a\tb\tc") == ["a", "b", "c"]


def test_a_pipe_alone_on_its_line_holds_no_cell():
    """A pipe table broken a token per line (「|」「0」「|」「|」「0」…) prints each separator on a line
    of its own: that line is no empty cell (read as one, a row's zeros were placed as if its blank
    cells were known, and a blank total was read as 0)."""
    assert split_cells("|") is None
    assert split_cells("| |") == [""]  # an empty cell between two pipes is still one
