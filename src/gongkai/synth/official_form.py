"""Reports filled into the official 2021 blank form, as most agencies publish them.

Most agencies do not lay out their tables themselves: they open the official form
(``official-template-2021.docx``, the State Council office's file), type their numbers into its
three tables in Word or WPS and publish the result as DOCX, as a PDF printed from it, or as a web
page saved from it. The form's column widths, merged label cells, header note
(「（本列数据的勾稽关系为：…）」) and labels with line breaks inside (「商业\\n企业」) are not those of
gongkai's own renderer, so converters meet other wrapping and ordering there. This module makes
such files from random reports (:func:`gongkai.synth.random_report`) so that the converter zoo
(``bench/converters.py --corpus DIR``) can be measured on them:

* ``fill_form(truth, form, rng)``: the DOCX bytes of the form with the report's values typed
  into the value cells (the form's own formatting, merges and widths kept; a typed value takes
  the cell's paragraph-mark formatting, as Word gives it), the title line naming agency and year,
  the narrative of sections 一, 五 and 六 in place of 「（文字描述）」 and a signature at the end.
  Blank cells (``None`` in the truth) are written as one token per report: empty, 「/」, 「—」 or 「无」.
* ``make_official_corpus(n, out_dir, seed, form)``: ``out_dir/{docx,pdf,html}/rNNNN.*`` beside
  ``rNNNN.truth.json``; PDF and HTML by LibreOffice headless (``--convert-to pdf`` / ``html``),
  one ``soffice`` at a time, many files per call.

Command line (the form is not part of the package; the repository keeps a copy in
``tests/data/spec``)::

    python -m gongkai.synth.official_form -o /tmp/form81 --n 60 --seed 81 \\
        --form tests/data/spec/official-template-2021.docx
    python bench/converters.py --corpus /tmp/form81 --dump /tmp/form81-dump --workers 1
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..template import TEMPLATE, TableShape
from .corpus import SOFFICE_BATCH, CorpusError, find_soffice
from .generate import PROFILES, random_report
from .text_styles._base import _OTHER, _OVERVIEW, _PROBLEMS, _applications_sentence, _decimal, _fill, _short

__all__ = ["BLANK_TOKENS", "OFFICIAL_FORMATS", "convert_with_soffice", "fill_form", "make_official_corpus",
           "official_truth"]

OFFICIAL_FORMATS: tuple[str, ...] = ("docx", "pdf", "html")
# one token per report for a blank cell, as clerks fill the form (empty twice as often)
BLANK_TOKENS: tuple[str, ...] = ("", "", "/", "—", "无")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FORM_TITLE = "政府信息公开工作年度报告格式模板"
_PLACEHOLDER = "（文字描述"  # 「（文字描述）」 and 「（文字描述，收取信息处理费情况在此处报告。）」
_SHAPE = TableShape("2021")


def official_truth(rng: random.Random) -> dict[str, Any]:
    """A random 2021 report as the form holds it: any profile, blanks in three of ten, one in ten
    breaking its own sums (the official form prints every row of （六）, so never the hybrid)."""
    return random_report(rng, edition="2021", profile=rng.choice(PROFILES),
                         blanks=rng.random() < 0.3, inconsistent=rng.random() < 0.1)


# ----------------------------------------------------------------------------------- the DOCX
def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_W}t"))


def _set_text(tc: Any, text: str) -> None:
    """Type ``text`` into a table cell as Word does: the cell's first paragraph keeps its
    paragraph properties, the run takes the paragraph mark's formatting (or the old run's)."""
    paragraphs = tc.findall(f"{_W}p")
    first = paragraphs[0]
    for extra in paragraphs[1:]:
        tc.remove(extra)
    runs = [r for r in first if r.tag in (f"{_W}r", f"{_W}hyperlink", f"{_W}proofErr")]
    old_props = next((r.find(f"{_W}rPr") for r in runs if r.find(f"{_W}rPr") is not None), None)
    for run in runs:
        first.remove(run)
    if not text:
        return
    ppr = first.find(f"{_W}pPr")
    mark = ppr.find(f"{_W}rPr") if ppr is not None else None
    props = mark if mark is not None else old_props
    run = first.makeelement(f"{_W}r", {})
    if props is not None:
        rpr = copy.deepcopy(props)
        rpr.tag = f"{_W}rPr"
        run.append(rpr)
    t = run.makeelement(f"{_W}t", {})
    t.text = text
    run.append(t)
    first.append(run)


def _set_paragraph(paragraph: Any, text: str) -> None:
    """Replace a body paragraph's text, keeping its first run's formatting."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def _cell_text(path: str, value: Any, blank: str, fee_decimals: bool) -> str:
    if value is None:
        return blank
    if TEMPLATE.cell_kind(path) == "amount":
        if not value and fee_decimals:
            return "0.00"
        return _decimal(value)
    return str(value)


def _fill_table2(rows: list[Any], truth: dict[str, Any], write: Any) -> int:
    """Table 2: each data row found by its label (the form's first cell); value cells after it.
    A merged value cell (gridSpan 3: 本年处理决定数量, 本年收费金额) takes the row's one value."""
    by_label = {}
    for block in TEMPLATE.disclosure_blocks["2021"]:
        for row in block.rows:
            for label in row.label.all:
                by_label[label] = (row.key, [c.key for c in block.columns])
    filled = 0
    for tr in rows:
        tcs = tr.findall(f"{_W}tc")
        label = "".join(_text(tcs[0]).split())
        if label not in by_label:
            continue
        key, columns = by_label[label]
        values = tcs[1:]
        if len(values) != len(columns):
            raise CorpusError(f"official form: row {label} has {len(values)} value cells, "
                              f"the template {len(columns)}")
        for tc, column in zip(values, columns, strict=True):
            path = f"active_disclosure.{key}.{column}"
            write(tc, path, truth["active_disclosure"][key][column])
            filled += 1
    return filled


def _fill_row(tr: Any, paths: Sequence[str], values: Sequence[Any], write: Any) -> int:
    """Tables 3 and 4: the last ``len(paths)`` cells of a data row hold its values."""
    tcs = tr.findall(f"{_W}tc")
    if len(tcs) < len(paths):
        raise CorpusError(f"official form: a row of {len(tcs)} cells for {len(paths)} values ({paths[0]})")
    for tc, path, value in zip(tcs[-len(paths):], paths, values, strict=True):
        write(tc, path, value)
    return len(paths)


def fill_form(truth: dict[str, Any], form: Path | str, rng: random.Random) -> bytes:
    """The official form with ``truth``'s values typed in and its narrative written; DOCX bytes."""
    from docx import Document

    if truth.get("template") != "2021":
        raise ValueError("the official form is the 2021 edition's; this report is "
                         f"{truth.get('template')}")
    document = Document(str(form))
    blank = rng.choice(BLANK_TOKENS)
    fee_decimals = rng.random() < 0.3

    def write(tc: Any, path: str, value: Any) -> None:
        _set_text(tc, _cell_text(path, value, blank, fee_decimals))

    tables = document.tables
    if len(tables) != 3:
        raise CorpusError(f"official form {form}: {len(tables)} tables, expected 3")
    filled = _fill_table2(list(tables[0]._tbl.tr_lst), truth, write)
    keys = TEMPLATE.application_row_keys(_SHAPE)
    columns = [c.key for c in TEMPLATE.application_columns]
    t3_rows = list(tables[1]._tbl.tr_lst)[-len(keys):]  # the data rows, below the three header rows
    for tr, key in zip(t3_rows, keys, strict=True):
        paths = [f"applications.{key}.{c}" for c in columns]
        filled += _fill_row(tr, paths, truth["applications"][key], write)
    groups = [g.key for g in TEMPLATE.review_groups]
    t4_paths = [f"review_litigation.{g}.{c.key}" for g in groups for c in TEMPLATE.review_columns]
    t4_values = [v for g in groups for v in truth["review_litigation"][g]]
    filled += _fill_row(tables[2]._tbl.tr_lst[-1], t4_paths, t4_values, write)  # table 4: one data row
    expected = len(TEMPLATE.cell_paths(_SHAPE))
    if filled != expected:
        raise CorpusError(f"official form {form}: filled {filled} cells, the template has {expected}")
    _write_narrative(document, truth, rng)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write_narrative(document: Any, truth: dict[str, Any], rng: random.Random) -> None:
    year, agency = truth["year"], truth["agency"]
    known = {"year": year, "short": _short(agency), "next": year + 1,
             "applications": _applications_sentence(truth)}
    texts = ["\n".join(_fill(t, rng, **known) for t in rng.sample(_OVERVIEW, 3)),
             _fill(rng.choice(_PROBLEMS), rng, **known),
             _fill(rng.choice(_OTHER), rng, **known)]
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if text == _FORM_TITLE:
            _set_paragraph(paragraph, f"{agency}{year}年度政府信息公开工作年度报告")
        elif text.startswith(_PLACEHOLDER) and texts:
            lines = texts.pop(0).split("\n")
            _set_paragraph(paragraph, lines[0])
            anchor = paragraph
            for line in lines[1:]:  # one paragraph per line, each after the last
                new = copy.deepcopy(anchor._p)
                anchor._p.addnext(new)
                from docx.text.paragraph import Paragraph

                anchor = Paragraph(new, anchor._parent)
                _set_paragraph(anchor, line)
    signed = document.add_paragraph(agency)
    signed.alignment = 2  # right
    date = document.add_paragraph(f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日")
    date.alignment = 2


# ----------------------------------------------------------------------------------- PDF, HTML
def convert_with_soffice(paths: Sequence[Path], out_dir: Path, target: str, *, profile: Path | None = None,
                         soffice: str | None = None) -> list[Path]:
    """Convert files with LibreOffice headless (``--convert-to target``), many per call, one call
    at a time; a private profile (``profile``, or a fresh temporary one) so that a running
    LibreOffice does not take the job."""
    binary = find_soffice(soffice)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = target.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="gongkai-soffice-") as scratch:
        user = profile or Path(scratch)
        for chunk in range(0, len(paths), SOFFICE_BATCH):
            batch = [str(p) for p in paths[chunk: chunk + SOFFICE_BATCH]]
            command = [binary, f"-env:UserInstallation={user.resolve().as_uri()}", "--headless",
                       "--convert-to", target, "--outdir", str(out_dir), *batch]
            try:
                done = subprocess.run(command, capture_output=True, text=True,
                                      timeout=120 + 10 * len(batch), check=False)
            except subprocess.TimeoutExpired as error:
                raise CorpusError(f"soffice timed out converting {len(batch)} files to {suffix}") from error
            missing = [p for p in batch if not (out_dir / f"{Path(p).stem}.{suffix}").exists()]
            if done.returncode or missing:
                raise CorpusError(f"soffice failed (exit {done.returncode}) for {len(missing)} file(s) to "
                                  f"{suffix}: {done.stderr.strip()[-500:]}")
    return [out_dir / f"{Path(p).stem}.{suffix}" for p in paths]


def _write_truth(truth: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")


def make_official_corpus(n: int, out_dir: Path | str, seed: int, form: Path | str,
                         formats: Iterable[str] = OFFICIAL_FORMATS, *, start: int = 1,
                         profile: Path | None = None) -> dict[str, list[Path]]:
    """Write ``n`` random reports filled into the official form, in each of ``formats``
    (``out_dir/<format>/rNNNN.<ext>`` beside ``rNNNN.truth.json``); the files per format.
    Report ``i`` depends only on ``(seed, i)``."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in OFFICIAL_FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(OFFICIAL_FORMATS)}")
    out = Path(out_dir)
    written: dict[str, list[Path]] = {f: [] for f in wanted}
    with tempfile.TemporaryDirectory(prefix="gongkai-official-") as tmp:
        docx_dir = out / "docx" if "docx" in wanted else Path(tmp)
        docx_dir.mkdir(parents=True, exist_ok=True)
        truths: dict[str, dict[str, Any]] = {}
        for index in range(start, start + n):
            rng = random.Random(f"gongkai-official-form:{seed}:{index}")
            truth = official_truth(rng)
            name = f"r{index:04d}"
            truths[name] = truth
            path = docx_dir / f"{name}.docx"
            path.write_bytes(fill_form(truth, form, rng))
            written.setdefault("docx", []).append(path)
            if "docx" in wanted:
                _write_truth(truth, docx_dir / f"{name}.truth.json")
        sources = written["docx"]
        for fmt, target in (("pdf", "pdf"), ("html", "html:HTML (StarWriter)")):
            if fmt not in wanted:
                continue
            made = convert_with_soffice(sources, out / fmt, target, profile=profile)
            for path in made:
                _write_truth(truths[path.stem], path.with_suffix(".truth.json"))
            written[fmt] = made
        if "docx" not in wanted:
            del written["docx"]
    return written


def _default_form() -> Path | None:
    """The form's copy in a source checkout (tests/data/spec), when there is one."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "tests" / "data" / "spec" / "official-template-2021.docx"
        if candidate.exists():
            return candidate
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongkai.synth.official_form",
                                     description="Random reports filled into the official 2021 form, "
                                                 "as DOCX, and PDF and HTML by LibreOffice.")
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder; one sub-folder per format")
    parser.add_argument("--n", type=int, default=20, help="number of reports")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same reports")
    parser.add_argument("--form", type=Path, default=_default_form(),
                        help="the official blank form (official-template-2021.docx)")
    parser.add_argument("--formats", default=",".join(OFFICIAL_FORMATS),
                        help="comma-separated: docx,pdf,html")
    parser.add_argument("--profile", type=Path, help="LibreOffice user profile folder (default: a fresh one)")
    args = parser.parse_args(argv)
    if args.form is None or not args.form.exists():
        parser.error("the official form was not found: give --form PATH/official-template-2021.docx")
    try:
        written = make_official_corpus(args.n, args.out, args.seed, args.form,
                                       [f.strip() for f in args.formats.split(",") if f.strip()],
                                       profile=args.profile)
    except (ValueError, CorpusError) as error:
        print(f"✗ {error}", file=sys.stderr)
        return 2
    for fmt, paths in written.items():
        print(f"{len(paths)} {fmt} in {args.out / fmt}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
