"""Benchmark: instructions per parsed text report, counted by callgrind (stable on a loaded machine).

Usage:  python bench/instructions.py [--corpus tests/data/corpus/seeds] [--site DIR]

Runs ``valgrind --tool=callgrind`` twice on one Python process that parses every report of the
corpus once as a warm-up and then N times (N = 2 and N = 12, read → extract → infer → check, as
``gongkai.pipeline.parse``); the difference of the two totals over the extra parses is the cost of
one parse, start-up and warm-up cancelled out. PYTHONHASHSEED is fixed (0 unless set): the hash
seed moves the count by a few per cent. ``--site DIR`` puts DIR first on the path (a compiled
wheel installed with ``pip install --target DIR``); the line printed says which build ran.
Needs valgrind (``apt-get install valgrind``); ``callgrind_annotate FILE`` shows where the
instructions go (the files are kept, their names printed).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOW, HIGH = 2, 12

_CHILD = """
import sys
from pathlib import Path
from gongkai.extract import segment
from gongkai.pipeline import parse
sources = [p.read_bytes() for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
for data in sources:
    parse(data, name="b")
for _ in range(int(sys.argv[2])):
    for data in sources:
        parse(data, name="b")
print("compiled" if segment.__file__.endswith((".so", ".pyd")) else "pure Python", segment.__file__)
"""


def _instructions(script: Path, corpus: Path, repeat: int, out: Path, env: dict[str, str]) -> tuple[int, str]:
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                          str(script), str(corpus), str(repeat)], capture_output=True, text=True, env=env,
                         check=True)
    total = re.search(r"Collected : (\d+)", run.stderr)
    if total is None:
        raise SystemExit(f"callgrind printed no total:\n{run.stderr[-2000:]}")
    return int(total.group(1)), run.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "corpus" / "seeds")
    parser.add_argument("--site", type=Path, help="a directory to import gongkai from first")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    reports = len(list(args.corpus.glob("*.txt")))
    if not reports:
        raise SystemExit(f"no *.txt under {args.corpus}")
    env = dict(os.environ, PYTHONHASHSEED=os.environ.get("PYTHONHASHSEED", "0"))
    if args.site:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.site.resolve()), env.get("PYTHONPATH")]))
    work = Path(tempfile.mkdtemp(prefix="gongkai-callgrind-"))
    script = work / "parse_n.py"
    script.write_text(_CHILD, "utf-8")
    low, build = _instructions(script, args.corpus, LOW, work / f"callgrind.{LOW}", env)
    high, _ = _instructions(script, args.corpus, HIGH, work / f"callgrind.{HIGH}", env)
    per_report = (high - low) / ((HIGH - LOW) * reports)
    print(f"{per_report / 1e6:.2f} M instructions per report ({reports} reports × {HIGH - LOW} parses; "
          f"PYTHONHASHSEED={env['PYTHONHASHSEED']}); {build}; callgrind files in {work}")


if __name__ == "__main__":
    main()
