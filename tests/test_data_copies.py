"""tests/data carries the corpus and specs byte for byte as ../shared has them.

The copies let a fresh clone test with nothing beside it; when ../shared is beside the checkout
(every developer machine and CI), any drift between the two is a failure naming the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from corpus import CORPUS, CRAWL, DATA, REAL, SEEDS, SHARED, SPEC, crawl_pairs, real_pairs, seed_pairs

COPIED = ("corpus", "spec")  # the folders of ../shared that tests/data mirrors


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_repository_carries_the_corpus_and_specs():
    # what the tests read, whether or not ../shared is there
    assert len(seed_pairs()) == 5 and len(real_pairs()) == 3 and len(crawl_pairs()) == 5
    for folder in (SEEDS, REAL, CRAWL):
        assert folder.parent == CORPUS
    assert (REAL / "README.md").is_file() and (CRAWL / "README.md").is_file()
    for name in ("report-json.md", "template.md", "official-template-2021.docx"):
        assert (SPEC / name).is_file(), f"tests/data/spec/{name} is missing"


def test_every_truth_names_a_source_beside_it():
    for source, truth in [*seed_pairs(), *crawl_pairs(), *real_pairs()]:
        assert source.is_file()
        assert truth.get("schema") == "gongkai.report/1", f"{source.name}: its truth is not a report JSON"
        assert {"applications", "review_litigation"} <= truth.keys(), f"{source.name}: truth lacks tables"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not beside the checkout")
@pytest.mark.parametrize("folder", COPIED)
def test_copies_are_byte_identical_to_shared(folder: str):
    shared, copy = _files(SHARED / folder), _files(DATA / folder)
    missing = sorted(set(shared) - set(copy))
    assert not missing, f"tests/data/{folder} lacks copies of ../shared/{folder}: {missing}"
    extra = sorted(set(copy) - set(shared))
    assert not extra, f"tests/data/{folder} has files ../shared/{folder} does not: {extra}"
    differ = [name for name in shared if _digest(shared[name]) != _digest(copy[name])]
    assert not differ, f"tests/data/{folder} differs from ../shared/{folder} in: {differ} (copy them again)"
