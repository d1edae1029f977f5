"""Benchmark: text reports parsed per second on one core (read → extract → infer → check).

Usage:  python bench/parse_text.py [--repeat 1000] [--corpus tests/data/corpus/seeds]

Parses every seed report REPEAT times in one process and prints reports/s and µs per report,
wall clock and CPU time (CPU time is what to compare when other work shares the machine), and
whether the hot path is the compiled build (``GONGKAI_COMPILE=1 pip install .``, see setup.py) or
pure Python.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import time
from pathlib import Path

from gongkai.extract import extract, segment
from gongkai.pipeline import parse
from gongkai.readers import read

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus" / "seeds")
    args = parser.parse_args()
    sources = [p.read_bytes() for p in sorted(args.corpus.glob("*.txt"))]
    if not sources:
        raise SystemExit(f"no *.txt under {args.corpus}")
    for data in sources:  # warm caches and imports
        parse(data)
    for label, step in (("extract only (read+extract+infer)", lambda d: extract(read(d, name="b"))),
                        ("full parse (+ check)", lambda d: parse(d, name="b"))):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            for data in sources:
                step(data)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n = args.repeat * len(sources)
        print(f"{label:38s} {n} reports: {n / wall:7.0f} reports/s wall, {n / cpu:7.0f} reports/s CPU, "
              f"{cpu / n * 1e6:6.0f} µs/report CPU")
    build = "compiled (mypyc)" if segment.__file__.endswith((".so", ".pyd")) else "pure Python"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    # the commit is the checkout's: a wheel on PYTHONPATH may have been built from another one
    print(f"{build} from {Path(segment.__file__).parents[2]}, checkout at commit {commit}, "
          f"Python {platform.python_version()}, {platform.machine()}, "
          f"{len(sources)} seed reports × {args.repeat}")


if __name__ == "__main__":
    main()
