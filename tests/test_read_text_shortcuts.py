"""The text reader's shortcuts give what the patterns they stand in for give (the speed work).

``has_spaced_values`` finds SPACED_VALUES from runs of spaces; ``decode`` skips looking for control
characters in the text when the bytes hold few; ``split_cells`` skips the rule patterns on lines
without ``-``, ``=`` or ``+``. Each is compared with the plain pattern on random text made of the
characters that matter, and on every text of the corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.errors import ParseError
from gongkai.readers.aligned import SPACED_VALUES, has_spaced_values
from gongkai.readers.text import _CONTROL, _MD_SEPARATOR, _TABLE_RULE, decode, split_cells

CORPUS = Path(__file__).parent / "data" / "corpus"
TEXTS = sorted(p for folder in ("seeds", "crawl") for p in (CORPUS / folder).glob("*.txt"))

# digits of several scripts (０ ٣ are \d; ² is not), the value marks, spaces of several kinds
_CHARACTERS = st.sampled_from(list("0 9 /—-－无a。\t\n\xa0\u3000０٣²|=+:<br>"))


@settings(max_examples=3000, deadline=None)
@given(st.lists(_CHARACTERS, max_size=16).map("".join))
def test_spaced_values_is_the_pattern(text: str) -> None:
    assert has_spaced_values(text) == bool(SPACED_VALUES.search(text))


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_spaced_values_on_the_corpus(path: Path) -> None:
    text = path.read_text("utf-8")
    assert has_spaced_values(text) == bool(SPACED_VALUES.search(text))
    # and with the spaces a fixed-width layout puts between values
    spaced = re.sub(r"(?<=\d)[ \t|]+(?=\d)", "   ", text)
    assert has_spaced_values(spaced) == bool(SPACED_VALUES.search(spaced))


def _split_cells_by_the_patterns(line: str) -> list[str] | None:
    stripped = line.strip()
    if not stripped or stripped == "|" or _MD_SEPARATOR.match(stripped) or _TABLE_RULE.match(stripped):
        return None
    return split_cells(line)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*" -=+:|\t0a无", "<br>", "---", "+--+"]), max_size=12).map("".join))
def test_rule_lines_skipped_as_by_the_patterns(line: str) -> None:
    assert split_cells(line) == _split_cells_by_the_patterns(line)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "a", "年", "\n", "\t"]),
                min_size=1, max_size=60).map("".join), st.sampled_from(["utf-8", "gb18030"]))
def test_decode_refuses_control_characters_as_before(text: str, encoding: str) -> None:
    data = ("报告" + text).encode(encoding)
    decoded = data.decode(encoding)
    binary = len(_CONTROL.findall(decoded[:4096])) > 8
    sample = data[:4096]
    controls = len(sample) - len(sample.translate(None, bytes(b for b in range(32)
                                                             if b not in (9, 10, 11, 12, 13, 27))))
    if controls > len(sample) // 100 or binary:
        with pytest.raises(ParseError):
            decode(data, "x.txt")
    else:
        assert decode(data, "x.txt") == (decoded, "utf-8" if encoding == "utf-8" else _gb_or_utf8(data))


def _gb_or_utf8(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def test_decode_long_text_with_controls_far_in() -> None:
    """Controls after the first 4,096 characters do not make a text binary (only the head is
    looked at), whether or not the shortcut applies."""
    text = "年" * 5000 + "\x01" * 20
    assert decode(text.encode("utf-8"), "x.txt") == (text, "utf-8")
    text = "年" * 4080 + "\x01" * 20  # 16 of them in the first 4,096 characters
    with pytest.raises(ParseError):
        decode(text.encode("utf-8"), "x.txt")
