"""Build script: the metadata is in pyproject.toml; this only adds the optional compiled build.

``GONGKAI_COMPILE=1 pip install .`` compiles the parsing hot path (read text → extract → check)
to C with mypyc, which parses about twice as fast (docs/benchmarks.md). Every other build is pure
Python: an editable install must not shadow the ``.py`` files being edited with stale extension
modules.

mypy (which brings mypyc) is a build requirement of the compiled build only: pip's isolated build
asks for it through setuptools' ``setup_requires`` when ``GONGKAI_COMPILE=1`` and mypyc is not
importable, so a default install never downloads it. A build without isolation
(``--no-build-isolation``) needs mypy installed beforehand, and says so.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from setuptools import setup

# the modules every parse runs through; the template model stays interpreted (it is built once,
# and its cached properties need an instance __dict__, which compiled classes do not have)
HOT_PATH = [
    *sorted(str(p) for p in Path("src/gongkai/extract").glob("*.py")),
    *sorted(str(p) for p in Path("src/gongkai/check").glob("*.py")),
    "src/gongkai/document/__init__.py",
    "src/gongkai/readers/text.py",
    "src/gongkai/readers/aligned.py",  # fixed-width tables: its gate reads every run of spaces
    "src/gongkai/report.py",
    "src/gongkai/pipeline.py",  # parse() itself: the evidence it weighs passes over every cell
]

MYPY = "mypy>=1.10"  # mypyc ships inside mypy

ext_modules = []
setup_requires: list[str] = []
# pip asks for the metadata first (egg_info / dist_info), then builds: compiling is only for the build
METADATA_ONLY = bool(sys.argv[1:2]) and sys.argv[1] in ("egg_info", "dist_info")
if os.environ.get("GONGKAI_COMPILE") == "1":
    try:
        from mypyc.build import mypycify
    except ImportError:
        # setuptools' build backend runs `setup.py egg_info` to ask for extra build requirements:
        # answering with setup_requires makes pip install mypy into the isolated build environment
        if sys.argv[1:2] != ["egg_info"]:
            sys.exit(f"GONGKAI_COMPILE=1 compiles with mypyc, which is not installed here: "
                     f"pip install '{MYPY}' first (or build with pip's default build isolation)")
        setup_requires = [MYPY]
    else:
        if not METADATA_ONLY:
            # mypyc would read [tool.mypy] of pyproject.toml, whose strictness is for the `mypy`
            # check (.ci/run): the compiled build type-checks at mypy's defaults, from its own config
            config = Path(tempfile.mkdtemp(prefix="gongkai-mypyc-")) / "mypy.ini"
            config.write_text("[mypy]\n", "utf-8")
            # the modules they import (readers of other formats, yaml, lxml …) are only read for types
            ext_modules = mypycify(["--config-file", str(config), "--ignore-missing-imports",
                                    "--follow-imports=silent", *HOT_PATH], opt_level="3", multi_file=True)

# one C file per module (multi_file) compiled on every core
setup(ext_modules=ext_modules, setup_requires=setup_requires,
      options={"build_ext": {"parallel": os.cpu_count() or 1}})
