"""The synthetic corpus: every format written by the real tools, parsed and scored against truth."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gongkai import parse
from gongkai.evaluate import evaluate_dir, score, source_for, totals
from gongkai.synth.commands import synth
from gongkai.synth.corpus import FORMATS, CorpusError, make_corpus, rasterise, scan_pdf

HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))
needs_soffice = pytest.mark.tools("soffice", "cjk-font")
needs_pdftoppm = pytest.mark.tools("pdftoppm")
N = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    formats = "text,html,docx,pdf" if HAVE_SOFFICE else "text,html,docx"
    make_corpus(N, formats, out, seed=0)
    return out


def _scores(folder: Path) -> list:
    scores = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        source = source_for(truth_path)
        assert source is not None and source.parent == folder, truth_path
        truth = json.loads(truth_path.read_text("utf-8"))
        scores.append(score(parse(source), truth, source.name))
    return scores


def _shortest_failures(scores: list) -> str:
    return "\n".join(f"{s.name}: {e}" for s in scores for e in s.errors if e["outcome"] != "missing")[:3000]


@pytest.mark.parametrize("fmt", ["text", "html", "docx", pytest.param("pdf", marks=needs_soffice)])
def test_every_format_parses_without_silent_errors(corpus: Path, fmt: str) -> None:
    scores = _scores(corpus / fmt)
    assert len(scores) == N
    total = totals(scores)
    assert total["silent_error"] == 0 and total["wrong_inference"] == 0, _shortest_failures(scores)
    assert all(s.metadata_ok for s in scores), [s.name for s in scores if not s.metadata_ok]
    if fmt != "text":  # some text layouts are lossy by design (cells they cannot place are missing)
        cells = sum(total.values())
        assert total["correct"] / cells >= 0.999, [(s.name, e) for s in scores for e in s.errors]


def test_each_format_has_its_own_folder_and_truth(corpus: Path) -> None:
    ext = {"text": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"}
    for fmt in ("text", "html", "docx", "pdf") if HAVE_SOFFICE else ("text", "html", "docx"):
        sources = sorted(p for p in (corpus / fmt).iterdir() if not p.name.endswith(".truth.json"))
        assert len(sources) == N and {p.suffix for p in sources} == {ext[fmt]}
        # `gongkai eval corpus/<fmt>` scores that format only
        scores = evaluate_dir(corpus / fmt)
        assert len(scores) == N and all(Path(s.name).suffix == ext[fmt] for s in scores)
    # the text layout is in the name
    assert all("-" in p.stem for p in (corpus / "text").glob("*.txt"))


def test_html_is_published_both_as_utf8_and_gbk(corpus: Path) -> None:
    encodings = set()
    for page in (corpus / "html").glob("*.html"):
        raw = page.read_bytes()
        assert b"data-path" not in raw  # nothing that gives the answer away
        assert b"rowspan" in raw and b"colspan" in raw
        if b'<meta charset="gbk">' in raw:
            raw.decode("gbk")
            encodings.add("gbk")
        else:
            raw.decode("utf-8")
            encodings.add("utf-8")
    assert encodings == {"gbk", "utf-8"}


def test_same_seed_same_reports(tmp_path: Path, corpus: Path) -> None:
    make_corpus(2, "text", tmp_path, seed=0)
    for truth in (tmp_path / "text").glob("*.truth.json"):
        assert truth.read_text("utf-8") == (corpus / "text" / truth.name).read_text("utf-8")
    make_corpus(1, "html", tmp_path / "other", seed=1)
    assert (tmp_path / "other/html/r0001.truth.json").read_text("utf-8") != \
        (corpus / "html/r0001.truth.json").read_text("utf-8")


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        make_corpus(1, "text,odt", tmp_path)
    with pytest.raises(ValueError, match=r"unknown format\(s\) odt; "):  # "all" is known: every format
        make_corpus(1, "all,odt", tmp_path)
    assert set(FORMATS) == {"text", "html", "docx", "pdf", "scan"}


@needs_soffice
@needs_pdftoppm
def test_scan_is_an_image_only_pdf_with_a_red_stamp(corpus: Path) -> None:
    import numpy as np
    import pypdfium2 as pdfium

    data = scan_pdf((corpus / "pdf/r0001.pdf").read_bytes(), random.Random(1), agency="测试县人民政府")
    pdf = pdfium.PdfDocument(data)
    # image only: no page carries a text layer (the reader hands such a file to OCR)
    assert all(not page.get_textpage().get_text_range().strip() for page in pdf)
    reds = 0
    for page in pdf:
        rgb = np.asarray(page.render(scale=150 / 72).to_pil().convert("RGB")).astype(int)
        reds += int(((rgb[..., 0] > 150) & (rgb[..., 0] - rgb[..., 1] > 60)).sum())
    assert reds > 1500  # the seal is there (about 4000 red pixels)


@needs_soffice
@needs_pdftoppm
def test_scan_pages_are_rasterised_by_pdftoppm_at_150_dpi(corpus: Path) -> None:
    import pypdfium2 as pdfium

    data = (corpus / "pdf/r0001.pdf").read_bytes()
    images = rasterise(data, 150)
    pdf = pdfium.PdfDocument(data)
    assert len(images) == len(pdf) >= 2
    for image, page in zip(images, pdf, strict=True):
        width, height = page.get_size()  # points
        assert image.mode == "RGB"
        assert abs(image.width - width * 150 / 72) <= 1 and abs(image.height - height * 150 / 72) <= 1


def test_scan_without_pdftoppm_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no pdftoppm on PATH
    with pytest.raises(CorpusError, match=r"pdftoppm: apt-get install poppler-utils"):
        scan_pdf(b"%PDF-1.4", random.Random(0))


def test_synth_command(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("synth")(synth)
    app.command("noop")(lambda: None)  # two commands, so "synth" is a sub-command as in gongkai
    runner = CliRunner()
    args = ["synth", "--n", "2", "--formats", "text,html", "-o", str(tmp_path), "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "text").glob("*.truth.json"))) == 2
    assert len(list((tmp_path / "html").glob("*.html"))) == 2
    result = runner.invoke(app, ["synth", "--n", "1", "--formats", "tiff", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "unknown format" in result.output
