"""The compiled build (``GONGKAI_COMPILE=1``, mypyc) is the one CI tests the parser on when it sets
``GONGKAI_EXPECT_COMPILED=1``: make sure the modules really are the compiled ones then, so a
silently pure-Python run cannot pass for a test of the compiled code."""

from __future__ import annotations

import os
from importlib import import_module

import pytest

HOT_PATH = ["gongkai.extract.segment", "gongkai.extract.place", "gongkai.extract.infer",
            "gongkai.check.rules", "gongkai.readers.text", "gongkai.readers.aligned", "gongkai.report",
            "gongkai.document", "gongkai.pipeline"]


@pytest.mark.skipif(os.environ.get("GONGKAI_EXPECT_COMPILED") != "1",
                    reason="only for the compiled build's test run (GONGKAI_EXPECT_COMPILED=1)")
@pytest.mark.parametrize("name", HOT_PATH)
def test_hot_path_is_compiled(name: str) -> None:
    module = import_module(name)
    assert module.__file__ is not None and module.__file__.endswith(".so"), module.__file__

