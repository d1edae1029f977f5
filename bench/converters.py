"""Benchmark: what gongkai reads from the text that real converters make of a report.

Usage:  python bench/converters.py [--n 200] [--seed 0] [--converters a,b] [--kinds pdf,docx,html]
                                   [--corpus DIR] [--real [DIR]] [--dump DIR] [--workers 1] [--details N]
        python bench/converters.py --rescore DIR

N random reports (``gongkai.synth``: both formats, the hybrid, blanks, one in ten breaking its
own sums) are rendered by the project's renderer to DOCX and HTML (site chrome around it, half
of the pages GBK) and the DOCX converted to PDF by LibreOffice headless (``make_corpus``; or
``--corpus DIR`` reuses a folder made by ``gongkai synth -o DIR --formats html,docx,pdf``). Every
converter of the zoo (:mod:`gongkai.synth.converters`) turns each file of its kind into text;
the text is parsed as text (``gongkai.parse(text)``) and scored against the report's truth with
``gongkai.evaluate.score``. ``--real`` does the same with the PDF converters on the real PDFs
(``tests/data/corpus/real``, or DIR) and their hand-read truth.

One row per converter: reports, cells, cells correct %, missing, silent errors (a value read
that is not the truth), wrong inferences, refused (``ParseError``: "no statistics table found"
and the like; their cells are not counted), tool failures and crashes (any other exception
from the parse: a bug). ``order`` says whether the converter keeps the cells in reading order
(the issue's ≥ 99 % goal is for those; ``no``: they print one column or text box at a time;
``glued``: in order, but a row's cells run together with nothing between them).

``--dump DIR`` writes ``DIR/<converter>/<report>.txt`` beside ``<report>.truth.json``: each
folder is a corpus ``gongkai eval DIR/<converter>`` scores, to look at the failures;
``--rescore DIR`` scores those texts again with the current code, in seconds rather than an hour.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import gongkai
from gongkai.errors import ParseError
from gongkai.evaluate import score, source_for
from gongkai.synth.converters import CONVERTERS, Converter, convert_many, parse_text, select

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "corpus" / "real"
COLUMNS = ("converter", "input", "order", "reports", "cells", "correct %", "missing", "silent errors",
           "wrong inferences", "refused", "tool failed", "crashed", "s/report")


def _pairs(folder: Path, suffix: str) -> list[tuple[Path, dict[str, Any]]]:
    pairs = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        source = source_for(truth_path)
        if source is not None and source.suffix == suffix:
            pairs.append((source, json.loads(truth_path.read_text("utf-8"))))
    return pairs


def measure(converter: Converter, pairs: list[tuple[Path, dict[str, Any]]], dump: Path | None,
            details: int, dumped: Path | None = None) -> dict[str, Any]:
    """Convert, parse and score every (source, truth) pair with one converter (or, with
    ``dumped``, parse and score the texts a ``--dump`` run left in ``dumped/<converter>``)."""
    row: dict[str, Any] = {"converter": converter.name, "input": converter.kind,
                           "order": ("glued" if converter.glues_cells else "yes") if converter.keeps_order
                           else "no", "reports": len(pairs),
                           "counts": Counter(), "refused": 0, "tool failed": 0, "crashed": 0,
                           "examples": [], "refusals": Counter(), "crashes": Counter()}
    missing = converter.missing() if dumped is None else []
    if missing:
        row["unavailable"] = f"needs {', '.join(missing)} ({converter.install})"
        return row
    started = time.perf_counter()
    if dumped is None:
        texts = convert_many(converter, [source for source, _ in pairs])
    else:
        texts = [source.read_text("utf-8") if source.exists() else "no text dumped" for source, _ in pairs]
    for (source, truth), text in zip(pairs, texts, strict=True):
        name = f"{source.stem}.{converter.name}.txt"
        if dump is not None:
            folder = dump / converter.name
            folder.mkdir(parents=True, exist_ok=True)
            if isinstance(text, str):
                (folder / f"{source.stem}.txt").write_text(text, "utf-8")
            (folder / f"{source.stem}.truth.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
        if not isinstance(text, str):
            row["tool failed"] += 1
            row["refusals"][f"tool: {text}"[:160]] += 1
            continue
        try:
            # a dumped text is read as a user's file is (gongkai parse FILE: its kind sniffed)
            report = parse_text(text, name) if dumped is None else gongkai.parse(source)
        except ParseError as error:
            row["refused"] += 1
            row["refusals"][error.reason[:120]] += 1
            continue
        except Exception as error:  # a crash is a bug to report, not a reason to stop the run
            row["crashed"] += 1
            where = traceback.extract_tb(error.__traceback__)[-1]
            row["crashes"][f"{type(error).__name__} at {Path(where.filename).name}:{where.lineno}"] += 1
            continue
        result = score(report, truth, name)
        row["counts"].update(result.counts)
        for error in result.errors:
            if error["outcome"] in ("silent_error", "wrong_inference") and len(row["examples"]) < details:
                row["examples"].append({"report": source.stem, **{k: error[k] for k in
                                        ("cell", "outcome", "expected", "got", "raw", "line")}})
    row["seconds"] = time.perf_counter() - started
    return row


def _formatted(row: dict[str, Any]) -> list[str]:
    counts: Counter = row["counts"]
    cells = sum(counts.values())
    if "unavailable" in row:
        return [row["converter"], row["input"], row["order"], str(row["reports"]), "—", "unavailable",
                "", "", "", "", "", "", ""]
    correct = f"{100 * counts['correct'] / cells:.2f}" if cells else "—"
    return [row["converter"], row["input"], row["order"], str(row["reports"]), f"{cells:,}", correct,
            f"{counts['missing']:,}", str(counts["silent_error"]), str(counts["wrong_inference"]),
            str(row["refused"]), str(row["tool failed"]), str(row["crashed"]),
            f"{row['seconds'] / max(row['reports'], 1):.2f}"]


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_formatted(row)) + " |" for row in rows]
    return "\n".join(lines)


def _notes(rows: list[dict[str, Any]]) -> str:
    out = []
    for row in rows:
        if "unavailable" in row:
            out.append(f"- {row['converter']}: unavailable, {row['unavailable']}")
        for reason, count in row["refusals"].most_common(3):
            out.append(f"- {row['converter']}: {count} × refused: {reason}")
        for where, count in row["crashes"].most_common(3):
            out.append(f"- {row['converter']}: {count} × crashed: {where}")
        for example in row["examples"]:
            out.append(f"- {row['converter']}: {example['report']} {example['cell']} {example['outcome']}: "
                       f"expected {example['expected']}, got {example['got']} (raw {example['raw']!r}, "
                       f"line {example['line']})")
    return "\n".join(out)


def run(converters: list[Converter], sources: dict[str, list[tuple[Path, dict[str, Any]]]],
        dump: Path | None, workers: int, details: int) -> list[dict[str, Any]]:
    jobs = [(c, sources[c.kind]) for c in converters if sources.get(c.kind)]
    if workers <= 1:
        return [measure(c, pairs, dump, details) for c, pairs in jobs]
    # one converter per task: each tool's state stays in its own process
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(measure, c, pairs, dump, details) for c, pairs in jobs]
        return [f.result() for f in futures]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="generated reports (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--converters", default=None, help=f"comma-separated, of: {', '.join(CONVERTERS)}")
    parser.add_argument("--kinds", default="pdf,docx,html", help="input kinds to run (pdf,docx,html)")
    parser.add_argument("--corpus", type=Path, help="reuse DIR/{pdf,docx,html} made by `gongkai synth`")
    parser.add_argument("--real", nargs="?", const=REAL, type=Path, default=None,
                        help=f"the real PDFs instead of generated reports (default {REAL})")
    parser.add_argument("--dump", type=Path, help="write DIR/<converter>/<report>.txt + .truth.json")
    parser.add_argument("--workers", type=int, default=1, help="processes (the machine's 2 cores are shared)")
    parser.add_argument("--details", type=int, default=5, help="silent errors / wrong inferences listed per "
                        "converter")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--rescore", type=Path, help="score the texts a --dump run wrote to DIR again, with "
                        "this code (no converter runs)")
    args = parser.parse_args(argv)
    if args.rescore is not None:
        wanted = set(args.converters.split(",")) if args.converters else set(CONVERTERS)
        folders = [c for c in CONVERTERS.values() if c.name in wanted and (args.rescore / c.name).is_dir()]
        rows = [measure(c, _pairs(args.rescore / c.name, ".txt"), None, args.details, dumped=args.rescore)
                for c in folders]
        print(markdown(rows))
        notes = _notes(rows)
        print("\n" + notes if notes else "")
        return 0

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    if args.real is not None:
        kinds = ["pdf"]
    try:
        converters = select(args.converters, kinds)
    except ValueError as error:
        parser.error(str(error))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-zoo-") as tmp:
        if args.real is not None:
            sources = {"pdf": _pairs(args.real, ".pdf")}
            what = f"{len(sources['pdf'])} real PDFs in {args.real}"
        else:
            folder = args.corpus
            if folder is None:
                from gongkai.synth.corpus import make_corpus

                folder = Path(tmp)
                wanted = ",".join(k for k in ("html", "docx", "pdf") if k in kinds)
                make_corpus(args.n, wanted, folder, args.seed)
            sources = {kind: _pairs(folder / kind, f".{kind}")[: args.n] for kind in kinds}
            what = (f"{max(len(p) for p in sources.values())} generated reports (seed {args.seed})"
                    if args.corpus is None else f"reports in {args.corpus}")
        print(f"# {what}; made in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if args.dump is not None and args.dump.exists():
            shutil.rmtree(args.dump)
        rows = run(converters, sources, args.dump, args.workers, args.details)
    print(markdown(rows))
    notes = _notes(rows)
    if notes:
        print("\n" + notes)
    if args.json is not None:
        plain = [{k: (dict(v) if isinstance(v, Counter) else v) for k, v in row.items()} for row in rows]
        args.json.write_text(json.dumps(plain, ensure_ascii=False, indent=1), "utf-8")
    print(f"\n# {time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
