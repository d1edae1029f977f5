"""Benchmark: gongkai against generic PDF table extractors, on the same generated PDFs.

Usage:  python bench/pdf_compare.py [--n 20 | --corpus DIR] [--limit N] [--seed 0]
                                    [--methods gongkai,gongkai-grid,pdfplumber,camelot-lattice,camelot-stream]

The PDFs are random reports (``gongkai.synth``) rendered to DOCX and converted by LibreOffice,
each beside its ``*.truth.json`` (``--corpus`` reuses a folder made by ``gongkai synth``, e.g.
``/tmp/synth200/pdf``). Each method runs in its own process, one file after another, so its
peak memory (``ru_maxrss`` of that process and of any child it starts) is its own.

What is scored, and how a generic table is read (the same rules for every method):

* Cells of tables 3 (applications) and 4 (reviews and lawsuits) only: 176-190 cells per
  report (by format), the tables whose merged cells and page breaks a generic extractor has to
  get right.
* **gongkai** is the full parse (``gongkai.parse``: reader, extractor, arithmetic), scored
  with ``gongkai.evaluate.score``.
* Every other method yields tables as rows of cell texts (``gongkai-grid`` is gongkai's own
  PDF reader's grids, without its extractor, under the same rules as the generic ones).
  A row's *label* is its cells before the value columns; each label cell is matched with
  gongkai's label matching (``gongkai.extract.labels``: NFKC, whitespace removed, the
  template's labels and variants; an item number ``1.`` decides between the two ``其他``).
  A row whose label cells name exactly one table-3 row is that row; its **last 7 cells** are
  the 7 columns, by position. Table 4 is the last row with at least 15 cells whose last 15
  cells are all numbers or blanks (its header rows hold text); those are its 15 cells, by
  position. A cell reads as a number, as blank (empty, ``/``, ``—``, ``无``), or as
  unreadable (anything else: text run
  together with a header, two numbers); the first row found for a template row counts.
* Outcomes per cell, as ``gongkai.evaluate`` defines them: *correct* (equal to the truth; no
  value for a blank truth), *missing* (no value — row not found, cell blank or unreadable —
  where the truth has a number), *wrong* (another number: the silent error a user would not
  notice). A 2021 report may print table 3 the 2019 way (one (六) row, ``printed_hybrid``): its
  paths are those of the printed rows, as for gongkai.

Speed is pages per second of the extraction alone (wall and CPU of the process and its
children); the PDFs are 2 pages each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

METHODS = ("gongkai", "gongkai-grid", "pdfplumber", "camelot-lattice", "camelot-stream")
T3_COLUMNS = 7
T4_CELLS = 15
_BLANKS = {"", "/", "-", "—", "——", "－", "无", "／", "–"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ITEM = re.compile(r"^(\d+)[.、．]")
_UNREADABLE = object()

Grid = list[list[str | None]]


# ----------------------------------------------------------------------------- the extractors
def _gongkai_grids(path: Path) -> list[Grid]:
    from gongkai.readers.pdf import read_pdf

    document = read_pdf(path.read_bytes(), path.name)
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def _pdfplumber_grids(path: Path) -> list[Grid]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [table for page in pdf.pages for table in page.extract_tables()]


def _camelot(flavor: str) -> Callable[[Path], list[Grid]]:
    def extract(path: Path) -> list[Grid]:
        import camelot

        tables = camelot.read_pdf(str(path), pages="all", flavor=flavor)
        return [table.df.values.tolist() for table in tables]

    return extract


GRID_EXTRACTORS: dict[str, Callable[[Path], list[Grid]]] = {
    "gongkai-grid": _gongkai_grids,
    "pdfplumber": _pdfplumber_grids,
    "camelot-lattice": _camelot("lattice"),
    "camelot-stream": _camelot("stream"),
}


# ----------------------------------------------------------------------------- scoring
def _paths(truth: dict) -> list[str]:
    from gongkai.report import printed_hybrid
    from gongkai.template import TEMPLATE, TableShape

    layout = TableShape(truth["template"], printed_hybrid(truth))
    return [p for p in TEMPLATE.cell_paths(layout) if p.startswith(("applications.", "review_litigation."))]


def _value(text: str | None) -> Any:
    from gongkai.extract.labels import normalize

    compact = normalize(text or "").replace(",", "")
    if compact in _BLANKS:
        return None
    return float(compact) if _NUMBER.fullmatch(compact) else _UNREADABLE


def _row_key(label_cells: list[str | None], editions: set[str]) -> str | None:
    """The table-3 row a row's label cells name, by gongkai's label matching; None unless
    exactly one row is named."""
    from gongkai.extract.labels import INDEX, normalize

    keys = set()
    for text in label_cells:
        label = normalize(text or "")
        item = _ITEM.match(label)
        digit = item.group(1) if item else ""
        for hit in INDEX.segment(label[item.end():] if item else label) or []:
            definition = hit.label
            if definition.kind != "t3_row" or not editions.intersection(definition.editions):
                continue
            if definition.ambiguous and definition.marker not in (digit, label[:len(definition.marker)]):
                continue  # 其他 / 总计 alone are a row only with their item number: 3.其他, (七)总计
            keys.add(definition.key)
    return keys.pop() if len(keys) == 1 else None


def _grid_cells(grids: list[Grid], truth: dict) -> dict[str, Any]:
    """Cell path → value (None for blank, _UNREADABLE) as the rules in the module doc read them."""
    from gongkai.report import printed_hybrid
    from gongkai.template import TEMPLATE

    columns = [c.key for c in TEMPLATE.application_columns]
    review = [f"review_litigation.{group.key}.{column.key}"
              for group in TEMPLATE.review_groups for column in TEMPLATE.review_columns]
    # a 2021 report printing table 3 the 2019 way (printed_hybrid) has 2019's single (六) row
    editions = {truth["template"], "2019"} if printed_hybrid(truth) else {truth["template"]}
    cells: dict[str, Any] = {}
    table4: list[Any] | None = None
    for grid in grids:
        for row in grid:
            if len(row) > T3_COLUMNS:
                key = _row_key(row[:-T3_COLUMNS], editions)
                if key is not None and f"applications.{key}.total" not in cells:
                    for column, text in zip(columns, row[-T3_COLUMNS:], strict=True):
                        cells[f"applications.{key}.{column}"] = _value(text)
            if len(row) >= T4_CELLS:
                values = [_value(text) for text in row[-T4_CELLS:]]
                if all(v is not _UNREADABLE for v in values):  # header rows hold text
                    table4 = values
    if table4 is not None:
        cells.update(zip(review, table4, strict=True))
    return cells


def _score_grid(grids: list[Grid], truth: dict) -> Counter:
    from gongkai.report import nested_value

    found = _grid_cells(grids, truth)
    counts: Counter = Counter()
    for path in _paths(truth):
        expected, got = nested_value(truth, path), found.get(path)
        if got is _UNREADABLE:
            got = None  # no value, as gongkai.evaluate scores a cell without one
        if got is None:
            counts["correct" if expected is None else "missing"] += 1
        else:
            counts["correct" if expected is not None and abs(got - float(expected)) < 1e-9 else "wrong"] += 1
    return counts


def _extract(method: str, source: Path) -> Any:
    """The method's output for one PDF: gongkai's Report, or the tables of a grid extractor."""
    if method == "gongkai":
        from gongkai import parse

        return parse(source)
    return GRID_EXTRACTORS[method](source)


def _score_report(report: Any, truth: dict) -> Counter:
    from gongkai.evaluate import score

    result = score(report, truth)
    wanted = set(_paths(truth))
    counts: Counter = Counter(correct=len(wanted))
    for error in result.errors:
        if error["cell"] in wanted:
            counts["correct"] -= 1
            counts["missing" if error["outcome"] == "missing" else "wrong"] += 1
    return counts


# ----------------------------------------------------------------------------- one method, one process
def _sources(folder: Path, limit: int | None) -> list[Path]:
    pdfs = sorted(p for p in folder.glob("*.pdf") if p.with_name(p.stem + ".truth.json").exists())
    return pdfs[:limit] if limit else pdfs


def cpu_seconds() -> float:
    """CPU time of this process and the children it waited for (Ghostscript, LibreOffice)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mib() -> float:
    """Peak resident memory of this process, or of its largest child, in MiB."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return max(own.ru_maxrss, children.ru_maxrss) / 1024


def run_in_child(script: str, worker: str, folder: Path, limit: int | None) -> dict[str, Any]:
    """Run ``script --worker WORKER --corpus FOLDER`` in a fresh process (so its peak memory is its
    own); the JSON object it prints last, or its error."""
    command = [sys.executable, script, "--worker", worker, "--corpus", str(folder)]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"method": worker, "format": worker, "failures": [done.stderr.strip()[-500:]]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown_table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[str]:
    yield "| " + " | ".join(columns) + " |"
    yield "|" + "---|" * len(columns)
    for row in rows:
        shown = [f"{row[k]:.2f}" if isinstance(row.get(k), float) else str(row.get(k, "-")) for k in columns]
        yield "| " + " | ".join(shown) + " |"


def run_method(method: str, folder: Path, limit: int | None) -> dict[str, Any]:
    """Extract and score every PDF with one method (in this process); the figures as a dict."""
    import pypdfium2 as pdfium

    sources = _sources(folder, limit)
    if sources:  # imports and model loading are not extraction speed: one untimed run first
        with contextlib.suppress(Exception):  # a file that fails is counted below, where it is timed
            _extract(method, sources[0])
    counts: Counter = Counter()
    pages, wall, cpu, failures = 0, 0.0, 0.0, []
    for source in sources:
        truth = json.loads(source.with_name(source.stem + ".truth.json").read_text("utf-8"))
        document = pdfium.PdfDocument(source)
        pages += len(document)
        document.close()
        started_wall, started_cpu = time.perf_counter(), cpu_seconds()
        try:
            extracted = _extract(method, source)
        except Exception as error:  # a failure is a result here (its cells are all missing)
            failures.append(f"{source.name}: {type(error).__name__}: {error}")
            extracted = None
        wall += time.perf_counter() - started_wall
        cpu += cpu_seconds() - started_cpu
        if extracted is None:
            counts["missing"] += len(_paths(truth))
        elif method == "gongkai":
            counts.update(_score_report(extracted, truth))
        else:
            counts.update(_score_grid(extracted, truth))
    cells = sum(counts.values())
    return {"method": method, "documents": len(sources), "pages": pages, "cells": cells,
            "correct": counts["correct"], "missing": counts["missing"], "wrong": counts["wrong"],
            "correct %": 100 * counts["correct"] / max(cells, 1),
            "pages/s (wall)": pages / wall if wall else 0.0, "pages/s (CPU)": pages / cpu if cpu else 0.0,
            "peak MiB": peak_mib(), "failures": failures[:5]}


# ----------------------------------------------------------------------------- report
COLUMNS = ("method", "documents", "pages", "cells", "correct %", "missing", "wrong", "pages/s (wall)",
           "pages/s (CPU)", "peak MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="reports to generate (without --corpus)")
    parser.add_argument("--corpus", type=Path, help="a folder of PDFs with their *.truth.json")
    parser.add_argument("--limit", type=int, help="use the first N PDFs of the folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_method(args.worker, args.corpus, args.limit), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory(prefix="gongkai-pdf-compare-") as tmp:
        folder = args.corpus
        if folder is None:
            from gongkai.synth.corpus import make_corpus

            folder = Path(tmp) / "pdf"
            make_corpus(args.n, "pdf", Path(tmp), args.seed)
        rows = [run_in_child(__file__, method, folder, args.limit) for method in args.methods.split(",")]
    print("\n".join(markdown_table(rows, COLUMNS)))
    for row in rows:
        for failure in row.get("failures", []):
            print(f"  {row['method']}: {failure}")


if __name__ == "__main__":
    main()
