"""The edition (2019/2021) a caller asked for, under its name or under the old one, ``format=``.

``format`` also names an output format (csv, xlsx, docx …), so the public functions that take
2019/2021 call it ``edition``; ``format=`` keeps working for one release, with a
:class:`DeprecationWarning` naming the new keyword.

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     edition_argument("2021", "2019", default="2021", caller="blank_form")
'2019'
>>> caught[0].category.__name__
'DeprecationWarning'
"""

from __future__ import annotations

import warnings
from typing import TypeVar

E = TypeVar("E", bound=str)  # an Edition, or a str where the caller has not narrowed it yet


def edition_argument(edition: E, old_format: E | None, *, default: E, caller: str) -> E:
    """``edition``, or the value passed as ``format=`` (deprecated; warns). Both given with
    different values is a caller's mistake, refused rather than one of them silently dropped."""
    if old_format is None:
        return edition
    # stacklevel 3: the warning names the line that called ``caller``, not ``caller`` itself
    warnings.warn(f"{caller}(format=…) is deprecated: use {caller}(edition=…); format= goes in the "
                  "next release", DeprecationWarning, stacklevel=3)
    if edition != default and edition != old_format:
        raise TypeError(f"{caller}() got edition={edition!r} and format={old_format!r}: give edition only")
    return old_format
