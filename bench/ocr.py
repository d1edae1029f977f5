"""Benchmark: OCR engines side by side on the same scans, per scan variant.

Usage:
    gongkai synth --n 110 --formats scan --seed 11 -o /tmp/scan110        # every variant, in turn
    python bench/ocr.py --corpus /tmp/scan110/scan [--engines rapidocr,rapidocr-onnxruntime]
                        [--per-variant K] [--limit N] [--threads T] [--jobs J] [--json out.json]

Each engine runs in a fresh process (``GONGKAI_OCR_ENGINE``), loads its models once (untimed),
then parses every scan with ``gongkai.parse`` (the reader,
OCR, extraction, the doubt step of ``extract/ocr_doubt.py``, the checks) and scores it against
its truth. Printed per engine and per variant: cells correct %, missing, silent errors, wrong
inferences, failures, the P-OCR doubts (how many were real misreads: the raw reading differs
from the truth, so the doubt stopped a silent error), and seconds per page — CPU of the process
(all its threads) and wall. Model sizes are the ONNX files each engine loads.

``--per-variant K`` takes the first K scans of each variant (small runs first: 2 shared cores).
``--threads T`` sets ``GONGKAI_OCR_THREADS`` (onnxruntime intra-op threads; default: all cores).
``--jobs J`` runs J worker processes per engine, each reading every J-th scan (pages in parallel
across processes, as ``gongkai ingest --workers J`` does; with ``--threads 1`` on 2 cores, J=2);
the closing line gives the wall time per page over the whole run (throughput).
The rapidocr-onnxruntime 1.4.4 comparison needs ``pip install rapidocr-onnxruntime==1.4.4``.
The build before issue 11's speed work is the same code with ``GONGKAI_OCR_DET_CROP=0
GONGKAI_OCR_FAST_NORM=0 GONGKAI_OCR_FAST_GLYPHS=0`` (``readers/ocr_engines.py``): start both runs
together to compare them under the same load. The closing line gives the load average before and
after (other work on the cores makes CPU time per page grow; compare runs of one sitting only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ENGINES = ("rapidocr", "rapidocr-onnxruntime")
COLUMNS = ("engine", "variant", "docs", "pages", "cells", "correct %", "missing", "silent", "wrong inf.",
           "failed", "P-OCR (misreads caught)", "s/page CPU", "s/page wall")


def _scans(folder: Path, per_variant: int | None, limit: int | None,
           share: tuple[int, int] = (0, 1), variants: str = "") -> list[tuple[Path, Path, str]]:
    from gongkai.evaluate import source_for
    from gongkai.synth.corpus import scan_variant_of

    taken: Counter[str] = Counter()
    found = []
    for truth in sorted(folder.glob("*.truth.json")):
        source = source_for(truth)
        if source is None:
            continue
        variant = scan_variant_of(source) or "scan"
        if variants and variant not in variants.split(","):
            continue
        if per_variant and taken[variant] >= per_variant:
            continue
        taken[variant] += 1
        found.append((source, truth, variant))
    found = found[:limit] if limit else found
    return found[share[0]::share[1]]  # this worker's share: every jobs-th scan


def _pages(source: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(source)
    try:
        return len(document)
    finally:
        document.close()


def worker(folder: Path, per_variant: int | None, limit: int | None, share: tuple[int, int] = (0, 1),
           partial: Path | None = None, variants: str = "") -> dict[str, Any]:
    """Parse and score this worker's share of the scans with the engine named by GONGKAI_OCR_ENGINE."""
    from gongkai.errors import ParseError
    from gongkai.evaluate import score
    from gongkai.pipeline import parse

    scans = _scans(folder, per_variant, limit, share, variants)
    if scans:  # untimed: the models loaded once per process, and the readers' imports
        from gongkai.readers.ocr_engines import load_engine

        load_engine()
        import pdfplumber.table  # noqa: F401
    rows: list[dict[str, Any]] = []
    for source, truth_path, variant in scans:
        truth = json.loads(truth_path.read_text("utf-8"))
        cpu, wall = time.process_time(), time.perf_counter()
        row: dict[str, Any] = {"name": source.name, "variant": variant, "pages": _pages(source)}
        try:
            report = parse(source)
        except ParseError as error:
            row.update(failed=str(error), cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
            rows.append(row)
            _append(partial, row)
            continue
        row.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
        scored = score(report, truth, source.name)
        row["counts"] = dict(scored.counts)
        row["errors"] = [e for e in scored.errors if e["outcome"] != "missing"]
        expected = {e["cell"]: e.get("expected") for e in scored.errors}
        doubts = [p for f in report.findings if f.rule == "P-OCR" for p in f.cells]
        caught = 0
        for path in doubts:
            cell = report.cells.get(path)
            value = expected.get(path)
            if cell and cell.raw is not None and value is not None and cell.raw.strip() != str(value):
                caught += 1
        row["pocr"], row["caught"] = len(doubts), caught
        rows.append(row)
        _append(partial, row)
    return {"engine": os.environ.get("GONGKAI_OCR_ENGINE", "rapidocr"), "rows": rows}


def _append(partial: Path | None, row: dict[str, Any]) -> None:
    """Each scan's row as soon as it is scored: a run cut short still counts what it did."""
    if partial is not None:
        with partial.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _summary(engine: str, variant: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(row.get("counts", {}))
    cells = sum(counts.values())
    pages = sum(r["pages"] for r in rows)
    return {
        "engine": engine, "variant": variant, "docs": len(rows), "pages": pages, "cells": cells,
        "correct %": round(100 * counts["correct"] / cells, 2) if cells else "-",
        "missing": counts["missing"], "silent": counts["silent_error"],
        "wrong inf.": counts["wrong_inference"],
        "failed": sum(1 for r in rows if "failed" in r),
        "P-OCR (misreads caught)": f"{sum(r.get('pocr', 0) for r in rows)} "
                                   f"({sum(r.get('caught', 0) for r in rows)})",
        "s/page CPU": sum(r["cpu"] for r in rows) / max(pages, 1),
        "s/page wall": sum(r["wall"] for r in rows) / max(pages, 1),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(f"{row[k]:.2f}" if isinstance(row[k], float) else str(row[k])
                                       for k in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a folder of scans with their truth")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--per-variant", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--variants", default="", help="only these scan variants (comma-separated)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=1,
                        help="worker processes per engine, each reading every jobs-th scan (default 1)")
    parser.add_argument("--share", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--partial", type=Path, default=None,
                        help="append each scored scan to FILE.ENGINE.K.jsonl as it is done; "
                             "--summarise FILE prints the table of what a cut-short run finished")
    parser.add_argument("--summarise", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.summarise:  # the rows a (cut-short) --partial run wrote
        by_engine: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for path in sorted(args.summarise.parent.glob(f"{args.summarise.name}.*.jsonl")):
            engine_name = path.name[len(args.summarise.name) + 1:].rsplit(".", 2)[0]
            lines = path.read_text("utf-8").splitlines()
            by_engine[engine_name] += [json.loads(line) for line in lines if line]
        _print([{"engine": e, "rows": rows} for e, rows in by_engine.items()], None)
        return
    if args.worker:
        engine_name = os.environ.get("GONGKAI_OCR_ENGINE", "rapidocr")
        partial = (args.partial.with_name(f"{args.partial.name}.{engine_name}.{args.share}.jsonl")
                   if args.partial else None)
        result = worker(args.corpus, args.per_variant, args.limit, (args.share, max(args.jobs, 1)), partial,
                        args.variants)
        print(json.dumps(result, ensure_ascii=False))
        return

    from gongkai.readers.ocr_engines import engine_available, model_files

    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if not engine_available(engine):
            print(f"✗ {engine}: not installed, skipped", file=sys.stderr)
            continue
        env = dict(os.environ, GONGKAI_OCR_ENGINE=engine)
        if args.threads:
            env["GONGKAI_OCR_THREADS"] = str(args.threads)
        # each worker reads its pages itself (no page workers: their CPU would not be counted);
        # pages in parallel are measured with --jobs, worker processes side by side
        env.setdefault("GONGKAI_OCR_PAGE_WORKERS", "1")
        command = [sys.executable, __file__, "--worker", "--corpus", str(args.corpus),
                   "--jobs", str(args.jobs)]
        if args.per_variant:
            command += ["--per-variant", str(args.per_variant)]
        if args.limit:
            command += ["--limit", str(args.limit)]
        if args.variants:
            command += ["--variants", args.variants]
        if args.partial:
            command += ["--partial", str(args.partial)]
        started, load_before = time.perf_counter(), os.getloadavg()[0]
        workers = [subprocess.Popen([*command, "--share", str(k)], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, env=env)
                   for k in range(max(args.jobs, 1))]
        outputs = [w.communicate() for w in workers]
        elapsed = time.perf_counter() - started
        failed = [err for w, (_, err) in zip(workers, outputs, strict=True) if w.returncode]
        if failed:
            print(f"✗ {engine}: {failed[0].strip()[-800:]}", file=sys.stderr)
            continue
        parts = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
        rows = sorted((r for part in parts for r in part["rows"]), key=lambda r: r["name"])
        result = {"engine": engine, "rows": rows, "elapsed": elapsed, "jobs": max(args.jobs, 1)}
        sizes = {k: round(p.stat().st_size / 2**20, 1) for k, p in model_files(engine).items() if p.exists()}
        result["model_mib"] = sizes
        results.append(result)
        print(f"{engine}: models {', '.join(f'{k} {v} MiB' for k, v in sizes.items())}", file=sys.stderr)
        pages = sum(r["pages"] for r in result["rows"])
        print(f"{engine}: {pages} pages in {elapsed:.0f} s wall with {result['jobs']} worker process(es), "
              f"models loaded once per process: {elapsed / max(pages, 1):.2f} s per page overall; "
              f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
              file=sys.stderr)

    _print(results, args.json)


def _print(results: list[dict[str, Any]], json_path: Path | None) -> None:
    summaries = []
    for result in results:
        by_variant: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in result["rows"]:
            by_variant[row["variant"]].append(row)
        summaries.append(_summary(result["engine"], "all", result["rows"]))
        summaries += [_summary(result["engine"], v, rows) for v, rows in sorted(by_variant.items())]
    print(_table(summaries))
    for result in results:
        for row in result["rows"]:
            for error in row.get("errors", []):
                print(f"  {result['engine']} {row['name']}: {error}")
            if "failed" in row:
                print(f"  {result['engine']} {row['name']}: failed: {row['failed']}")
    if json_path:
        figures = {"results": results, "summary": summaries}
        json_path.write_text(json.dumps(figures, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
