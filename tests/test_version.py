"""The versions: ``__version__`` from the package metadata, ``PARSER_VERSION`` changing whenever a
parse can (the version plus a digest of template.yaml), so that ``gongkai ingest --reparse`` sees
reports stored by an older parser or an older template."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import gongkai
from gongkai.version import PARSER_VERSION, __version__

PACKAGE = Path(gongkai.__file__).resolve().parent
SHOW = "import gongkai; print(gongkai.__version__, gongkai.PARSER_VERSION)"


def test_the_version_is_the_installed_package_s():
    assert __version__ == metadata.version("gongkai")
    assert gongkai.__version__ == __version__


def test_the_parser_version_is_the_version_and_the_template_digest():
    digest = hashlib.sha256((PACKAGE / "template" / "template.yaml").read_bytes()).hexdigest()[:12]
    assert f"{__version__.split('+')[0]}+t{digest}" == PARSER_VERSION
    assert gongkai.PARSER_VERSION == PARSER_VERSION


def test_a_changed_template_changes_the_parser_version(tmp_path: Path):
    """A copy of the package whose template differs by one rule's wording parses under another
    PARSER_VERSION (same package version)."""
    copy = tmp_path / "changed" / "gongkai"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    template = copy / "template" / "template.yaml"
    text = template.read_text("utf-8")
    assert "≠ (七)总计" in text
    template.write_text(text.replace("≠ (七)总计", "≠ （七）总计", 1), "utf-8")

    def versions(path: Path) -> list[str]:
        done = subprocess.run([sys.executable, "-c", SHOW], cwd=tmp_path, capture_output=True, text=True,
                              env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"}, check=True)
        return done.stdout.split()

    original, changed = versions(PACKAGE.parent), versions(copy.parent)
    assert original == [__version__, PARSER_VERSION]
    assert changed[0] == __version__ and changed[1] != PARSER_VERSION
    assert changed[1].startswith(f"{__version__.split('+')[0]}+t")
