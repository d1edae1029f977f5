"""Errors the library raises on purpose, each naming the file and the reason."""

from __future__ import annotations


class ParseError(Exception):
    """The input cannot be read as a report. ``str(error)`` is ``"<name>: <reason>"``."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
