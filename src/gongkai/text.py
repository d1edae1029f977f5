"""Text normalisation: one name per operation, written once.

* :func:`collapse_space` — every run of white space (NBSP, U+3000 and the zero-width characters
  editors leave in "empty" cells included) becomes one space, trimmed: a cell's or a line's text as
  a reader keeps it;
* :func:`compact` — no white space at all: Chinese text compared or keyed however it was spaced
  (a page number, a running header, a page title).

Two forms with their own rules live with their meaning: the form labels are compared by (NFKC, no
quotes or markdown marks; template.md §6.1) is :func:`gongkai.extract.labels.normalize`, and an
agency's name as the roster knows it (OCR slips, short forms) is :func:`gongkai.agency.normalise`.
"""

from __future__ import annotations

import re

__all__ = ["collapse_space", "compact"]

# \s covers NBSP and U+3000; the zero-width characters are what editors leave in "empty" cells
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def collapse_space(text: str) -> str:
    """Every run of white space as one space, trimmed: ``" a\u3000\xa0b "`` → ``"a b"``."""
    return _SPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """The text without any white space: ``"第 3 页"`` → ``"第3页"``."""
    return _SPACE.sub("", text)
