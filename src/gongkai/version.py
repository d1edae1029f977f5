"""The package version and the parser version stored with every parsed report.

``__version__`` comes from the installed package's metadata (pyproject.toml is the one place it is
written); a source tree used without installing falls back to reading pyproject.toml.

``PARSER_VERSION`` changes whenever a parse can change: it is the package version plus a hash of
the template (template.yaml holds the rows, labels and rules every stage reads), so
``gongkai ingest --reparse`` sees reports stored by an older parser or an older template.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata, resources
from pathlib import Path

UNKNOWN = "0+unknown"


def _version() -> str:
    try:
        return metadata.version("gongkai")
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"  # a source checkout
        try:
            found = re.search(r'(?m)^version\s*=\s*"([^"]+)"', pyproject.read_text("utf-8"))
        except OSError:
            return UNKNOWN
        return found.group(1) if found else UNKNOWN


def template_digest() -> str:
    """The first 12 hex digits of the SHA-256 of template.yaml as installed."""
    data = resources.files("gongkai.template").joinpath("template.yaml").read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


__version__ = _version()
# a PEP 440 local version label: "0.1.0+t1a2b3c4d5e6f"
PARSER_VERSION = f"{__version__.split('+')[0]}+t{template_digest()}"
