"""Where the shared corpus is: ../shared beside the checkout (never copied into the project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds"
REAL = SHARED / "corpus" / "real"


def seed_pairs() -> list[tuple[Path, dict]]:
    pairs = []
    for truth in sorted(SEEDS.glob("*.truth.json")):
        pairs.append((truth.with_name(truth.name.replace(".truth.json", ".txt")),
                      json.loads(truth.read_text("utf-8"))))
    return pairs


@pytest.fixture(scope="session")
def seeds() -> list[tuple[Path, dict]]:
    pairs = seed_pairs()
    assert pairs, f"no seeds under {SEEDS}: CI must have ../shared beside the checkout"
    return pairs
