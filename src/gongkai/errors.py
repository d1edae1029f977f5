"""Errors the library raises on purpose, each naming the file and the reason.

Every one derives from :class:`GongkaiError`, so ``except gongkai.GongkaiError`` catches whatever
gongkai refuses on purpose and lets genuine bugs through. The errors of the optional parts live
beside the code that raises them (``store.StoreError``, ``store.review.ReviewError``,
``web.queries.BadQuery``, ``collect.fetch.FetchError``, ``synth.converters.ConverterError`` …) and
derive from :class:`GongkaiError` too, as well as from the built-in error their callers have
always caught (``ValueError``, ``RuntimeError``, ``LookupError``), so no ``except`` changes
meaning; tests/test_architecture.py checks that no exception class in gongkai is left out.
"""

from __future__ import annotations


class GongkaiError(Exception):
    """The base of the errors gongkai raises on purpose; the message says what and why."""


class ParseError(GongkaiError):
    """The input cannot be read as a report. ``str(error)`` is ``"<name>: <reason>"``."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
