"""Benchmark: how parse time grows with the length of a report printed on one line.

Usage:  python bench/long_line.py [--sizes 5,10,20,50,100,200] [--repeat 5]

Crawlers save whole reports on a single line. Each size is a real crawled page
(tests/data/corpus/crawl/pingtan-market-2025.txt, its ~12 kB on one line) whose narrative is
repeated before and after the tables until the line has SIZE kB; every size parses to the same
cells. The table gives milliseconds per parse (CPU time) and ms per kB: flat ms/kB as the size
grows is linear cost; a cost growing like n·log n or worse shows as a rising ms/kB.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gongkai.pipeline import parse

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "data" / "corpus" / "crawl" / "pingtan-market-2025.txt"


def page_of(size_kb: int) -> str:
    """The page's body on one line, padded with its own narrative to ``size_kb`` kB (UTF-8)."""
    lines = PAGE.read_text("utf-8").splitlines()
    body = max(lines, key=len)
    tables = body.index("二、主动公开政府信息情况")
    overview, rest = body[:tables], body[tables:]
    end = rest.index("五、") if "五、" in rest else len(rest)
    tail = rest[end:]
    padding = overview[overview.index("一、总体情况") + len("一、总体情况"):]
    text = overview + rest
    while len(text.encode("utf-8")) < size_kb * 1024:
        overview += padding
        tail += padding
        text = overview + rest[:end] + tail
    return "\n".join([*lines[:9], text])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5,10,20,50,100,200")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    reference = None
    print(f"{'kB':>6} {'ms/parse':>10} {'ms/kB':>8}  cells read")
    for size in (int(s) for s in args.sizes.split(",")):
        text = page_of(size)
        report = parse(text, name="page.txt")
        values = {k: (c.value, c.status) for k, c in report.cells.items()}
        if reference is None:
            reference = values
        assert values == reference, f"{size} kB: the cells changed with the padding"
        cpu = time.process_time()
        for _ in range(args.repeat):
            parse(text, name="page.txt")
        ms = (time.process_time() - cpu) / args.repeat * 1000
        kb = len(text.encode("utf-8")) / 1024
        read = sum(1 for c in report.cells.values() if c.status == "read")
        print(f"{kb:6.0f} {ms:10.1f} {ms / kb:8.2f}  {read}")


if __name__ == "__main__":
    main()
