"""Benchmark: accuracy and speed of parsing each published format, on a synthetic corpus.

Usage:  python bench/formats.py [--n 10] [--formats text,html,docx,pdf,scan] [--seed 0] [--keep DIR]

Writes N random reports per format with :func:`gongkai.synth.corpus.make_corpus` (LibreOffice
for the PDFs, rasterised PDFs for the scans), parses each with ``gongkai.parse`` (scans: the OCR
reader) and prints, per format: cells correct %, missing, silent errors, wrong inferences, and
pages (documents for text/html/docx) per second of wall clock. With PDFs it also scores
pdfplumber's generic ``extract_tables`` on the same files (tables as pdfplumber finds them, text
outside them as paragraphs) for comparison.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from gongkai.document import Cell, Document
from gongkai.evaluate import score
from gongkai.pipeline import parse, parse_document
from gongkai.synth.corpus import make_corpus


def _truth(source: Path) -> dict:
    stem = source.name[: -len(source.suffix)]
    return json.loads(source.with_name(stem + ".truth.json").read_text("utf-8"))


def _ocr(path: Path):
    from gongkai.readers.ocr import read_scanned_pdf

    return read_scanned_pdf(path.read_bytes(), path.name)


def _plumber(path: Path) -> Document:
    """The generic route: pdfplumber's default table finder, cells as it gives them."""
    import pdfplumber

    doc = Document(name=path.name, media_type="application/pdf")
    line = 0
    with pdfplumber.open(path) as pdf:
        doc.pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, start=1):
            tables = page.find_tables()
            outside = page
            for table in tables:
                outside = outside.outside_bbox(table.bbox)
            for text in (outside.extract_text() or "").splitlines():
                line += 1
                doc.add_paragraph(text, line, number)
            for table in tables:
                rows = []
                for row in table.extract():
                    line += 1
                    rows.append([Cell(text=(t or "").replace("\n", ""), line=line, page=number,
                                      merged=t is None) for t in row])
                doc.add_table(rows, exact=True, page=number)
    return doc


def _run(label: str, sources: list[Path], read) -> dict:
    counts: Counter = Counter()
    pages, failures, examples = 0, 0, []
    started = time.perf_counter()
    for source in sources:
        try:
            document = read(source)
        except Exception as error:  # a failure is a result here, not a crash of the bench
            failures += 1
            examples.append(f"{source.name}: {error}")
            continue
        report = parse_document(document) if isinstance(document, Document) else document
        pages += getattr(document, "pages", None) or 1
        result = score(report, _truth(source), source.name)
        counts.update(result.counts)
        examples += [f"{source.name}: {e['cell']} expected {e['expected']} got {e['got']} ({e['raw']!r})"
                     for e in result.errors if e["outcome"] in ("silent_error", "wrong_inference")]
    elapsed = time.perf_counter() - started
    cells = sum(counts.values())
    return {"format": label, "docs": len(sources), "cells": cells,
            "correct %": 100 * counts["correct"] / max(cells, 1), "missing": counts["missing"],
            "silent": counts["silent_error"], "wrong inf.": counts["wrong_inference"],
            "failed": failures, "pages/s": pages / elapsed if elapsed else 0.0, "examples": examples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--formats", default="text,html,docx,pdf,scan")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the corpus here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        started = time.perf_counter()
        written = make_corpus(args.n, args.formats, out, args.seed)
        print(f"corpus: {args.n} reports × {len(written)} formats in {time.perf_counter() - started:.1f} s")
        rows = []
        for fmt, sources in written.items():
            rows.append(_run(fmt, sources, _ocr if fmt == "scan" else parse))
            if fmt == "pdf":
                rows.append(_run("pdf (pdfplumber extract_tables)", sources, _plumber))
    header = ("format", "docs", "cells", "correct %", "missing", "silent", "wrong inf.", "failed", "pages/s")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k]) for k in header))
    for row in rows:
        for example in row["examples"][:5]:
            print(f"  {row['format']}: {example}")


if __name__ == "__main__":
    main()
