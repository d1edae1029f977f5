"""gongkai: China's government information-disclosure annual reports → checked data.

>>> import gongkai
>>> report = gongkai.parse("report.txt")          # a path, bytes, or the text itself
>>> report.cells["applications.total.total"].value
>>> [f.message for f in report.findings]
"""

from __future__ import annotations

from .pipeline import ParseError, parse, parse_document
from .report import CellValue, Finding, Report

__all__ = ["CellValue", "Finding", "ParseError", "Report", "parse", "parse_document"]
__version__ = "0.1.0"
