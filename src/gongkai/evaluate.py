"""Scoring a parse against ground truth, exactly as ``report-json.md`` defines it.

For every cell path of the truth's template: **correct** (equal to the truth; or the truth is
null, the cell ``inferred`` and equal to the ``implied`` value), **missing** (truth has a value,
the parse gives null), **silent error** (``read`` with a value different from the truth),
**wrong inference** (``inferred`` with a value different from truth/implied). Metadata:
``year`` and ``template`` exactly, ``agency`` by containment without 人民政府.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .report import Report, nested_value, printed_hybrid
from .template import TEMPLATE, TableShape

OUTCOMES = ("correct", "missing", "silent_error", "wrong_inference")


@dataclass
class Score:
    name: str
    counts: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)  # one per cell not correct
    agency_ok: bool = False
    year_ok: bool = False
    template_ok: bool = False
    failure: str | None = None  # the parse raised

    @property
    def cells(self) -> int:
        return sum(self.counts.values())

    @property
    def metadata_ok(self) -> bool:
        return self.agency_ok and self.year_ok and self.template_ok

    def to_dict(self) -> dict:
        return {"name": self.name, **{k: self.counts[k] for k in OUTCOMES}, "cells": self.cells,
                "agency_ok": self.agency_ok, "year_ok": self.year_ok,
                "template_ok": self.template_ok, "failure": self.failure, "errors": self.errors}


def _equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _strip_agency(name: str | None) -> str:
    return (name or "").replace("人民政府", "").strip()


def score(report: Report, truth: dict, name: str = "") -> Score:
    result = Score(name)
    shape = TableShape(truth["template"], printed_hybrid(truth))
    implied = truth.get("implied") or {}
    for path in TEMPLATE.cell_paths(shape):
        expected = nested_value(truth, path)
        cell = report.cells.get(path)
        value = cell.value if cell else None
        status = cell.status if cell else "missing"
        if _equal(value, expected):
            outcome = "correct"
        elif expected is None and status == "inferred":
            outcome = "correct" if _equal(value, nested_value(implied, path)) else "wrong_inference"
        elif value is None:
            outcome = "missing"
        elif status == "inferred":
            outcome = "wrong_inference"
        else:
            outcome = "silent_error"
        result.counts[outcome] += 1
        if outcome != "correct":
            result.errors.append({"cell": path, "outcome": outcome, "expected": expected,
                                  "got": value, "status": status,
                                  "raw": cell.raw if cell else None,
                                  "line": cell.line if cell else None})
    truth_agency, parsed_agency = _strip_agency(truth.get("agency")), _strip_agency(report.agency)
    result.agency_ok = bool(truth_agency and parsed_agency) and (
        truth_agency in parsed_agency or parsed_agency in truth_agency)
    result.year_ok = report.year == truth.get("year")
    result.template_ok = report.template == truth.get("template")
    return result


SOURCE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".xlsx", ".doc", ".png", ".jpg")


def source_for(truth_path: Path) -> Path | None:
    """The source document beside a ``NAME.truth.json``."""
    stem = truth_path.name[: -len(".truth.json")]
    for suffix in SOURCE_SUFFIXES:
        candidate = truth_path.with_name(stem + suffix)
        if candidate.exists():
            return candidate
    return None


def evaluate_dir(directory: Path) -> list[Score]:
    """Parse the source beside each ``*.truth.json`` under ``directory`` and score it."""
    from .errors import ParseError
    from .pipeline import parse

    scores = []
    for truth_path in sorted(directory.rglob("*.truth.json")):
        source = source_for(truth_path)
        name = str(source or truth_path)
        truth = json.loads(truth_path.read_text("utf-8"))
        if source is None:
            failed = Score(name, failure="no source document beside the truth file")
            scores.append(failed)
            continue
        try:
            report = parse(source)
        except ParseError as error:
            scores.append(Score(name, failure=error.reason))
            continue
        scores.append(score(report, truth, name))
    return scores


def totals(scores: list[Score]) -> Counter:
    total: Counter = Counter()
    for s in scores:
        total.update(s.counts)
    return total
