"""gongkai: China's government information-disclosure annual reports → checked data.

>>> import gongkai
>>> report = gongkai.parse("report.txt")          # a path, bytes, or the text itself
>>> report.cells["applications.total.total"].value
>>> [f.message for f in report.findings]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import GongkaiError, ParseError

if TYPE_CHECKING:
    from .pipeline import parse, parse_document
    from .report import CellValue, Finding, Report
    from .version import PARSER_VERSION, __version__

__all__ = ["PARSER_VERSION", "CellValue", "Finding", "GongkaiError", "ParseError", "Report", "__version__",
           "parse", "parse_document"]

# the public API, imported on first use: `import gongkai` (and every `gongkai` command) does not
# pay for loading the template, the parser or the package metadata until they are used
_LAZY = {"parse": "pipeline", "parse_document": "pipeline", "CellValue": "report", "Finding": "report",
         "Report": "report", "__version__": "version", "PARSER_VERSION": "version"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
