"""The test corpus and specs, carried in the repository under tests/data.

tests/data/corpus and tests/data/spec are byte-identical copies of ../shared/corpus and ../shared/spec
(tests/test_data_copies.py says so whenever ../shared is beside the checkout), so a fresh clone
tests with nothing beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
CORPUS = DATA / "corpus"
SEEDS = CORPUS / "seeds"  # five township reports as text
REAL = CORPUS / "real"  # three WPS-made PDFs
CRAWL = CORPUS / "crawl"  # five pages as a crawler saved them (flattened text)
SPEC = DATA / "spec"  # report-json.md, template.md, official-template-2021.docx
OFFICIAL_2021_DOCX = SPEC / "official-template-2021.docx"

# where the copies come from: the read-only ../shared beside the checkout, when it is there
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _pairs(folder: Path, source_suffix: str) -> list[tuple[Path, dict]]:
    """Each ``*.truth.json`` of ``folder`` with the source file beside it (same stem)."""
    pairs = []
    for truth in sorted(folder.glob("*.truth.json")):
        source = truth.with_name(truth.name.removesuffix(".truth.json") + source_suffix)
        assert source.is_file(), f"{truth} has no source {source.name} beside it"
        pairs.append((source, json.loads(truth.read_text("utf-8"))))
    return pairs


def seed_pairs() -> list[tuple[Path, dict]]:
    """(seed .txt, its truth) for the five seeds."""
    return _pairs(SEEDS, ".txt")


def crawl_pairs() -> list[tuple[Path, dict]]:
    """(crawled page .txt, its truth) for the five crawled pages."""
    return _pairs(CRAWL, ".txt")


def real_pairs() -> list[tuple[Path, dict]]:
    """(real .pdf, its truth) for the three real PDFs."""
    return _pairs(REAL, ".pdf")


@pytest.fixture(scope="session")
def seeds() -> list[tuple[Path, dict]]:
    pairs = seed_pairs()
    assert pairs, f"no seeds under {SEEDS}: tests/data/corpus is part of the repository"
    return pairs
