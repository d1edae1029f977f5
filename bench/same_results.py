"""Identity check for speed work: every report JSON of a fixed set of texts, written one per line.

Usage:  python bench/same_results.py OUT.jsonl [--compare BASE.jsonl] [DIR ...]

Parses every ``*.txt`` under the given directories (default: /tmp/spd/in, /tmp/conv13, /tmp/conv17)
with ``gongkai.pipeline.parse`` and writes ``name<TAB>report JSON`` (or the ParseError's message)
per text. With ``--compare`` it prints how many differ from an earlier run (and the first few
names) and exits 1 if any does. Run it with PYTHONPATH set to the build under test (pure or
compiled); compare a build only with a run of the same kind (the compiled build writes an amount
read as 0 as 0.0).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gongkai.errors import ParseError
from gongkai.extract import segment
from gongkai.pipeline import parse

DEFAULT = [Path("/tmp/spd/in"), Path("/tmp/conv13"), Path("/tmp/conv17")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("dirs", nargs="*", type=Path)
    args = parser.parse_args()
    files = sorted(p for d in (args.dirs or DEFAULT) for p in d.rglob("*.txt"))
    lines = []
    for path in files:
        try:
            result = parse(path.read_bytes(), name=path.name).to_json(indent=None)
        except ParseError as error:
            result = f"ParseError: {error}"
        except Exception as error:  # a crash is a result too: it must stay the same crash
            result = f"{type(error).__name__}: {error}"
        lines.append(f"{path}\t{result}")
    args.out.write_text("\n".join(lines) + "\n", "utf-8")
    build = "compiled" if segment.__file__.endswith((".so", ".pyd")) else "pure"
    print(f"{len(files)} texts parsed ({build}: {segment.__file__}) -> {args.out}")
    if args.compare:
        base = dict(line.split("\t", 1) for line in args.compare.read_text("utf-8").splitlines())
        now = dict(line.split("\t", 1) for line in lines)
        differ = sorted(k for k in base.keys() | now.keys() if base.get(k) != now.get(k))
        print(f"{len(differ)} of {len(now)} differ from {args.compare}", *differ[:10], sep="\n  ")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
