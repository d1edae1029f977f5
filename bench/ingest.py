"""Benchmark: ingest N synthetic text reports into a fresh SQLite store, end to end.

Usage:  python bench/ingest.py [--n 100000] [--workers 2] [--seed 1] [--keep DIR] [--writer-only]

Generates N random reports (``gongkai.synth``, both formats, every text layout, some with
blanks or a broken rule) as files in a temporary folder, then times ``Store.ingest`` over the
folder (walk + read + sha256 + parse in workers + zlib of the source + batched writes) and prints
reports/s, the database size and where the time went. Generation is not timed.

``--writer-only`` measures the store's own share: every document is parsed first (not timed),
then the same ingest runs with those results handed in instead of parsing (walk, read, sha256,
write), so the figure does not depend on the parser's speed.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

from gongkai import report as report_module
from gongkai.store import open_store
from gongkai.store.ingest import Done, Work, ensure_paths, ingest, parse_work, template_paths, walk
from gongkai.synth.generate import random_report
from gongkai.synth.text_layouts import LAYOUTS, render


def generate(folder: Path, n: int, seed: int, layouts: list[str]) -> None:
    rng = random.Random(seed)
    for i in range(n):
        fmt = rng.choice(("2021", "2019"))
        truth = random_report(rng, format=fmt, blanks=rng.random() < 0.3, inconsistent=rng.random() < 0.1)
        text = render(truth, layouts[i % len(layouts)], rng)
        sub = folder / f"{i // 1000:04d}"  # a few thousand files per folder, as real crawls keep them
        sub.mkdir(exist_ok=True)
        (sub / f"r{i:07d}.txt").write_text(text, "utf-8")


class PreParsed:
    """A parser (see ``gongkai.store.ingest.Parser``) that hands out results computed before."""

    def __init__(self, done: dict[str, Done]) -> None:
        self.done = done

    def submit(self, work: Work) -> list[Done]:
        return [self.done[name] for _, name in work]

    def gather(self, work: Work, handle: list[Done]) -> list[Done]:
        return handle

    def close(self) -> None:
        pass


def preparse(folder: Path, workers: int) -> dict[str, Done]:
    from concurrent.futures import ProcessPoolExecutor

    items = [(item.file.read_bytes(), item.path) for item in walk([folder])]
    chunks = [items[i:i + 500] for i in range(0, len(items), 500)]
    done: dict[str, Done] = {}
    with ProcessPoolExecutor(workers) as pool:
        for chunk, results in zip(chunks, pool.map(parse_work, chunks, [True] * len(chunks)), strict=True):
            done.update((name, result) for (_, name), result in zip(chunk, results, strict=True))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="generate into (and reuse) this folder")
    parser.add_argument("--writer-only", action="store_true", help="time the store alone, on results "
                                                                    "parsed beforehand")
    parser.add_argument("--layouts", default=",".join(sorted(LAYOUTS)),
                        help="comma-separated text layouts (default: all; the hard ones parse slower)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        if sum(1 for _ in folder.rglob("*.txt")) != args.n:
            started = time.perf_counter()
            generate(folder, args.n, args.seed, args.layouts.split(","))
            print(f"generated {args.n} reports in {time.perf_counter() - started:.1f} s")
        db = Path(tmp) / "bench.db"
        store = open_store(db)
        pre = preparse(folder, args.workers) if args.writer_only else None
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, cpu = time.perf_counter(), time.process_time()
        if pre is None:
            result = store.ingest([folder], workers=args.workers, batch_size=args.batch)
        else:
            with store.engine.begin() as conn:
                ensure_paths(conn, template_paths(), store._path_ids)
            result = ingest(store.engine, [folder], batch_size=args.batch, path_ids=store._path_ids,
                            begin=store._begin, version=report_module.PARSER_VERSION, parser=PreParsed(pre))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, joined at the end
        parse_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        store.close()
        size = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
        what = "writer only (parsed beforehand)" if pre else f"end to end, {args.workers} workers"
        print(f"ingested {result.seen} files: {result.parsed} reports, {result.failed} failures "
              f"in {wall:.1f} s → {result.seen / wall:,.0f} reports/s ({what}, batch {args.batch})")
        n = max(result.seen, 1)
        print(f"CPU per report: main process (walk, read, hash, write) {cpu / n * 1e3:.2f} ms, "
              f"workers (parse) {parse_cpu / n * 1e3:.2f} ms")
        print(f"database {size / 1e6:,.1f} MB ({size / max(result.seen, 1) / 1e3:.1f} kB/report)")
        print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
