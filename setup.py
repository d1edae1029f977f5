"""Build script: the metadata is in pyproject.toml; this only adds the optional compiled build.

``GONGKAI_COMPILE=1 pip install .`` compiles the parsing hot path (read text → extract → check)
to C with mypyc, which parses about twice as fast (docs/benchmarks.md). Every other build is pure
Python: an editable install must not shadow the ``.py`` files being edited with stale extension
modules.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# the modules every parse runs through; the template model stays interpreted (it is built once,
# and its cached properties need an instance __dict__, which compiled classes do not have)
HOT_PATH = [
    *sorted(str(p) for p in Path("src/gongkai/extract").glob("*.py")),
    *sorted(str(p) for p in Path("src/gongkai/check").glob("*.py")),
    "src/gongkai/document/__init__.py",
    "src/gongkai/readers/text.py",
    "src/gongkai/report.py",
]

ext_modules = []
if os.environ.get("GONGKAI_COMPILE") == "1":
    from mypyc.build import mypycify

    # the modules they import (readers of other formats, yaml, lxml …) are only read for types
    ext_modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *HOT_PATH],
                           opt_level="3", multi_file=True)

# one C file per module (multi_file) compiled on every core
setup(ext_modules=ext_modules, options={"build_ext": {"parallel": os.cpu_count() or 1}})
