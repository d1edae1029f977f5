"""Count the generated metamorphic cases that fail, case by case (``tests/test_metamorphic.py``'s
hypothesis tests stop at the first failing example of a transformation, so they cannot give a rate).

    python bench/metamorphic_cases.py [--reports 100] [--seed 7] [--transformations a,b,...]

Each of ``--reports`` random reports (the generator of the tests: both formats, the hybrid,
blank patterns, half of them breaking their own sums, the nine text layouts) is parsed as made and
after every transformation; a case fails when the transformed text is refused or a cell differs
from the truth or from the original parse (``test_metamorphic.check``). Prints one line per failing
case and a summary per transformation, split by whether the report keeps its own sums.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import test_metamorphic as tm
from gongkai.synth.mangle import MANGLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--transformations", default=",".join([*MANGLES, "combination"]))
    args = parser.parse_args()
    names = args.transformations.split(",")
    rng = random.Random(args.seed)
    failed: Counter[tuple[str, bool]] = Counter()
    refused = 0
    for _ in range(args.reports):
        params = {"shape": rng.choice([("2021", False), ("2019", False), ("2021", True)]),
                  "profile": rng.choice(tm.PROFILES),
                  "blanks": rng.choice([False, False, "scatter", "zeros", "rows", "total_column", "table4"]),
                  "inconsistent": rng.random() < 0.5,
                  "layout": rng.choice(sorted(tm.TEXT_STYLES)), "seed": rng.randrange(2**32)}
        for name in names:
            try:
                tm.check_generated(params, name)
            except AssertionError as error:
                failed[(name, bool(params["inconsistent"]))] += 1
                refused += "refused" in str(error)
                print(f"FAIL {name} {params}: {str(error)[:300]!r}", flush=True)
    cases = args.reports * len(names)
    total = sum(failed.values())
    print(f"\n{cases:,} cases ({args.reports} reports x {len(names)} transformations, seed {args.seed}): "
          f"{total} fail ({100 * total / cases:.1f} %), {refused} of them refused")
    print("| transformation | failing, report keeps its sums | failing, report breaks its sums |")
    print("|---|---:|---:|")
    for name in names:
        print(f"| {name} | {failed[(name, False)]} | {failed[(name, True)]} |")


if __name__ == "__main__":
    main()
