"""What every test module shares: the system tools some tests need.

A test that needs a program outside Python (LibreOffice, poppler's pdftotext/pdftoppm, Ghostscript,
Chromium, PostgreSQL's server binaries, a CJK font) asks for it with ``require_tool("soffice")`` in
its body or fixture, or with the ``@pytest.mark.tools("soffice", "pdftoppm")`` marker (also as a
module's ``pytestmark``). On a developer's machine a missing tool skips the test with the reason
and the package to install; under ``CI=true`` it fails it: CI (.ci/run) installs every tool, so a
missing one there is a broken CI, never a silently smaller test run.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

NOTO_SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class Tool(NamedTuple):
    find: Callable[[], str | None]  # the tool's path (or what stands for it), None when missing
    package: str  # the Debian package that brings it


def _on_path(*names: str) -> Callable[[], str | None]:
    def find() -> str | None:
        return next((found for name in names if (found := shutil.which(name))), None)
    return find


def _postgres() -> str | None:
    """The folder of PostgreSQL's server binaries (initdb, pg_ctl): Debian keeps them off PATH."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(Path(folder, name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb and shutil.which("pg_ctl") else None


def _cjk_font() -> str | None:
    """A font with Chinese glyphs, as fontconfig (LibreOffice, Chromium) finds it."""
    if shutil.which("fc-list") is None:
        return None
    listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
    return next((line.split(":")[0] for line in listed.splitlines() if line.strip()), None)


TOOLS: dict[str, Tool] = {
    "soffice": Tool(_on_path("soffice", "libreoffice"), "libreoffice-writer-nogui"),
    "pdftotext": Tool(_on_path("pdftotext"), "poppler-utils"),
    "pdftoppm": Tool(_on_path("pdftoppm"), "poppler-utils"),
    "gs": Tool(_on_path("gs"), "ghostscript"),
    "chromium": Tool(_on_path("chromium", "chromium-browser"), "chromium"),
    "postgres": Tool(_postgres, "postgresql (or run .ci/postgres.sh)"),
    "cjk-font": Tool(_cjk_font, "fonts-noto-cjk"),
    # a test that draws with this very file (not any CJK font fontconfig finds)
    "noto-cjk": Tool(lambda: next(iter(glob.glob(NOTO_SANS)), None), "fonts-noto-cjk"),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@cache
def find_tool(name: str) -> str | None:
    """Where the tool is (a path), or None."""
    return TOOLS[name].find()


def require_tool(*names: str) -> str:
    """The path of the first tool named, after making sure every one is there: skips the calling
    test when one is missing (naming it and its package), fails it when CI=true."""
    for name in names:
        if find_tool(name) is None:
            reason = f"{name} is not installed (apt-get install {TOOLS[name].package})"
            if in_ci():
                pytest.fail(f"{reason}: CI must have every tool (.ci/run installs them)", pytrace=False)
            pytest.skip(reason)
    return find_tool(names[0]) or ""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tools(*names): system tools the test needs (see tests/conftest.py)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # before any fixture is set up (a module's fixture may already call the tool)
    for marker in item.iter_markers("tools"):
        require_tool(*marker.args)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium launched by Playwright, shared by a module's browser tests."""
    from web_fixtures import chromium

    with chromium() as launched:
        yield launched
