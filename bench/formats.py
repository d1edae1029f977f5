"""Benchmark: accuracy, speed and peak memory of parsing each published format.

Usage:  python bench/formats.py [--n 10 | --corpus DIR] [--limit N] [--formats text,html,docx,pdf,scan]

Without ``--corpus`` it writes N random reports per format with
:func:`gongkai.synth.corpus.make_corpus` (LibreOffice for the PDFs, rasterised PDFs for the
scans); ``--corpus`` reuses a folder made by ``gongkai synth -o DIR`` (one sub-folder per
format). Each format is parsed in its own process with ``gongkai.parse`` (what a user calls:
detection by content, the reader, the extractor, the checks; scans go through OCR), one file
after another, after one untimed parse that loads the modules and the OCR models. Printed per
format: cells correct %, missing, silent errors, wrong inferences, failures, documents and pages
per second of CPU (the process and its children; on a shared machine wall time says more about
the neighbours than about gongkai), seconds per page, and the peak resident memory of the process.

gongkai against generic PDF table extractors (pdfplumber, camelot): ``bench/pdf_compare.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pdf_compare import cpu_seconds, markdown_table, peak_mib, run_in_child

from gongkai.evaluate import score, source_for
from gongkai.pipeline import parse

FORMATS = ("text", "html", "docx", "pdf", "scan")
COLUMNS = ("format", "docs", "pages", "cells", "correct %", "missing", "silent", "wrong inf.", "failed",
           "docs/s (CPU)", "pages/s (CPU)", "s/page (CPU)", "docs/s (wall)", "peak MiB")


def _sources(folder: Path, limit: int | None) -> list[tuple[Path, dict]]:
    pairs = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        source = source_for(truth_path)
        if source is not None:
            pairs.append((source, json.loads(truth_path.read_text("utf-8"))))
    return pairs[:limit] if limit else pairs


def _pages(source: Path) -> int:
    if source.suffix != ".pdf":
        return 1
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source)
    try:
        return len(document)
    finally:
        document.close()


def run_format(fmt: str, folder: Path, limit: int | None) -> dict[str, Any]:
    """Parse and score every source of one format (in this process); the figures as a dict."""
    sources = _sources(folder, limit)
    if sources:
        with contextlib.suppress(Exception):  # warm-up; a file that fails is counted below
            parse(sources[0][0])
    counts: Counter = Counter()
    pages, wall, cpu, failures, examples = 0, 0.0, 0.0, 0, []
    for source, truth in sources:
        pages += _pages(source)
        started_wall, started_cpu = time.perf_counter(), cpu_seconds()
        try:
            report = parse(source)
        except Exception as error:  # a failure is a result here, not a crash of the bench
            report = None
            failures += 1
            examples.append(f"{source.name}: {error}")
        wall += time.perf_counter() - started_wall
        cpu += cpu_seconds() - started_cpu
        if report is None:
            continue
        result = score(report, truth, source.name)
        counts.update(result.counts)
        examples += [f"{source.name}: {e['cell']} expected {e['expected']} got {e['got']} ({e['raw']!r})"
                     for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    cells = sum(counts.values())
    return {"format": fmt, "docs": len(sources), "pages": pages, "cells": cells,
            "correct %": 100 * counts["correct"] / max(cells, 1), "missing": counts["missing"],
            "silent": counts["silent_error"], "wrong inf.": counts["wrong_inference"], "failed": failures,
            "docs/s (CPU)": len(sources) / cpu if cpu else 0.0, "pages/s (CPU)": pages / cpu if cpu else 0.0,
            "s/page (CPU)": cpu / max(pages, 1), "docs/s (wall)": len(sources) / wall if wall else 0.0,
            "peak MiB": peak_mib(), "failures": examples[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10, help="reports to generate (without --corpus)")
    parser.add_argument("--corpus", type=Path, help="a folder written by `gongkai synth` (FORMAT/ folders)")
    parser.add_argument("--limit", type=int, help="use the first N documents of each format")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_format(args.worker, args.corpus, args.limit), ensure_ascii=False))
        return
    formats = args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="gongkai-formats-") as tmp:
        corpus = args.corpus
        if corpus is None:
            from gongkai.synth.corpus import make_corpus

            corpus = Path(tmp)
            started = time.perf_counter()
            make_corpus(args.n, formats, corpus, args.seed)
            elapsed = time.perf_counter() - started
            print(f"corpus: {args.n} reports × {len(formats)} formats in {elapsed:.1f} s")
        rows = [run_in_child(__file__, fmt, corpus / fmt, args.limit) for fmt in formats]
    print("\n".join(markdown_table(rows, COLUMNS)))
    for row in rows:
        for example in row.get("failures", []):
            print(f"  {row['format']}: {example}")


if __name__ == "__main__":
    main()
