"""Robustness sweep: random reports in every text layout, parsed and scored cell by cell.

Reports come from ``gongkai.synth`` (both formats and the hybrid, four size profiles, five
patterns of blank cells, and one report in five deliberately breaking a rule of its own), each
rendered in a random text layout. The sweep counts, over all cells, what a parse must never
produce — silent errors (a ``read`` value differing from the truth) and wrong inferences — and
what it may leave undecided (lost: the truth has a value, the parse gives none).

Usage:  python bench/layouts_sweep.py [--seed 1] [--count 2000]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter

import gongkai
from gongkai.report import CellValue
from gongkai.synth.generate import implied_cells, random_report, truth_cells
from gongkai.synth.text_layouts import LAYOUTS, render_with_info

SHAPES = [("2021", False), ("2019", False), ("2021", True)]
PROFILES = ["township", "county", "city", "department"]
BLANKS = [False, "scatter", "zeros", "rows", "total_column", "table4"]


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals: Counter = Counter()
    by_layout: dict[str, Counter] = {name: Counter() for name in sorted(LAYOUTS)}
    examples: dict[tuple, tuple] = {}
    start = time.perf_counter()
    for _ in range(args.count):
        layout = rng.choice(sorted(LAYOUTS))
        fmt, hybrid = rng.choice(SHAPES)
        inconsistent = rng.random() < 0.2
        params = {"format": fmt, "hybrid": hybrid, "profile": rng.choice(PROFILES),
                  "blanks": rng.choice(BLANKS), "inconsistent": inconsistent}
        seed = rng.randrange(10**9)
        truth = random_report(random.Random(seed), **params)
        text = render_with_info(truth, layout, random.Random(seed + 1)).text
        report = gongkai.parse(text)
        implied = implied_cells(truth)
        kind = "inconsistent" if inconsistent else "consistent"
        if (report.template, report.hybrid) != (fmt, hybrid):
            totals["layout_mismatch"] += 1
            examples.setdefault(("layout_mismatch", layout), (params, seed, report.template, report.hybrid))
        for path, want in truth_cells(truth).items():
            cell = report.cells.get(path) or CellValue(None, "missing")
            if cell.status == "read" and not same(cell.value, want):
                outcome = "silent_error"
            elif cell.status == "inferred" and not same(cell.value, want if want is not None
                                                         else implied.get(path)):
                outcome = "wrong_inference"
            elif want is not None and cell.value is None:
                outcome = "lost"
            else:
                outcome = "correct"
            for counter in (totals, by_layout[layout]):
                counter[outcome] += 1
                counter[(kind, outcome)] += 1
            if outcome in ("silent_error", "wrong_inference"):
                examples.setdefault((outcome, layout), (params, seed, path, cell.value, want))
    elapsed = time.perf_counter() - start
    cells = sum(totals[k] for k in ("correct", "lost", "silent_error", "wrong_inference"))
    print(f"{args.count} reports, {cells} cells in {elapsed:.0f} s (seed {args.seed})")
    print(f"{'layout':18s} {'cells':>8s} {'correct':>8s} {'lost':>6s} {'silent':>7s} {'wrong inf':>9s}"
          f"   silent/wrong on consistent reports")
    for name, counter in [*by_layout.items(), ("all", totals)]:
        n = sum(counter[k] for k in ("correct", "lost", "silent_error", "wrong_inference"))
        if not n:
            continue
        consistent = counter[("consistent", "silent_error")] + counter[("consistent", "wrong_inference")]
        print(f"{name:18s} {n:8d} {100 * counter['correct'] / n:7.2f}% {counter['lost']:6d} "
              f"{counter['silent_error']:7d} {counter['wrong_inference']:9d}   {consistent}")
    print(f"reports whose format or row set was decided wrongly: {totals['layout_mismatch']}")
    for (outcome, layout), example in sorted(examples.items()):
        print(f"  first {outcome} in {layout}: {example}")


if __name__ == "__main__":
    main()
