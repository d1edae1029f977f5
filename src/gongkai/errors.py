"""Errors the library raises on purpose, each naming the file and the reason.

Every one derives from :class:`GongkaiError`, so ``except gongkai.GongkaiError`` catches whatever
gongkai refuses on purpose and lets genuine bugs through.
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
