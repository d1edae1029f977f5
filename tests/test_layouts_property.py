"""Property: whatever the text style, ``gongkai.parse`` never makes a silent error.

For random reports rendered in every text style of :mod:`gongkai.synth.text_styles`:

- a cell with status ``read`` or ``inferred`` equals the truth (or, for a blank cell, the value
  the arithmetic forces, ``implied``) — report-json.md's "zero silent errors";
- in a lossless style every cell equals the truth exactly (printed → its value; blank → null or
  the forced value); ``cell_per_line``, ``tabs`` and ``notes_in_cells`` likewise, except the
  cells their rendering reports as ambiguous (a collapsed or padding-like empty cell);
- in ``run_together`` a cell is correct or not ``read``, and a value left undecided comes with
  a ``P-SPLIT`` or ``P-ALIGN`` finding;
- ``template``, ``year`` and the agency (by containment) are right.

Derandomized, so CI sees the same examples every run.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

import gongkai
from gongkai.synth import (
    PROFILES,
    TEXT_STYLES,
    implied_cells,
    lossless_styles,
    random_report,
    render_with_info,
    shape_of,
    truth_cells,
)
from timing import time_limit

# No shrinking: a seed shrinks to another seed, not to a simpler report, and each parse costs
# milliseconds (seconds for run_together); the failure message prints the whole text instead.
SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(SETTINGS, max_examples=25)  # run_together: splitting glued digits is a search
# One parse must not take longer than this: the file has to stay under a minute in CI, and a
# reader that needs seconds for a two-page report is itself a bug.
PARSE_SECONDS = 5.0

reports = st.fixed_dictionaries({
    "shape": st.sampled_from([("2021", False), ("2019", False), ("2021", True)]),
    "profile": st.sampled_from(PROFILES),
    "blanks": st.sampled_from([False, False, "scatter", "zeros", "rows", "total_column", "table4"]),
    "inconsistent": st.booleans(),
    "seed": st.integers(0, 2**32 - 1),
    "render_seed": st.integers(0, 2**32 - 1),
})


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _case(params: dict, style: str) -> tuple[dict, str, frozenset[str]]:
    fmt, hybrid = params["shape"]
    truth = random_report(random.Random(params["seed"]), edition=fmt, hybrid=hybrid,
                          profile=params["profile"], blanks=params["blanks"],
                          inconsistent=params["inconsistent"])
    rendering = render_with_info(truth, style, random.Random(params["render_seed"]))
    return truth, rendering.text, rendering.ambiguous




def _check(params: dict, style: str) -> None:
    truth, text, ambiguous = _case(params, style)
    try:
        with time_limit(PARSE_SECONDS):
            report = gongkai.parse(text)
    except TimeoutError as error:
        raise AssertionError(_explain(params, style, [str(error)], text)) from None
    problems: list[str] = []

    # ---- metadata
    if report.template != truth["template"]:
        problems.append(f"template {report.template!r} != {truth['template']!r}")
    if report.hybrid != shape_of(truth).hybrid:
        problems.append(f"hybrid {report.hybrid} != {shape_of(truth).hybrid}")
    if report.year != truth["year"]:
        problems.append(f"year {report.year!r} != {truth['year']!r}")
    name = truth["agency"].removesuffix("人民政府")
    if not report.agency or not (name in report.agency or report.agency in truth["agency"]):
        problems.append(f"agency {report.agency!r} vs {truth['agency']!r}")

    # ---- cells
    expected = truth_cells(truth)
    implied = implied_cells(truth)
    # every style but run_together is exact outside the cells its rendering calls ambiguous
    exact = style != "run_together"
    assert style not in lossless_styles or not ambiguous
    undecided = []
    for path, want in expected.items():
        cell = report.cells.get(path)
        value, status = (cell.value, cell.status) if cell else (None, "missing")
        if status == "read" and not _same(value, want):
            problems.append(f"silent error {path}: read {value!r} ({cell.raw!r}), truth {want!r}")
        elif status == "inferred" and not _same(value, want if want is not None
                                                else implied.get(path)):
            problems.append(f"wrong inference {path}: {value!r}, truth {want!r} "
                            f"implied {implied.get(path)!r}")
        elif exact and path not in ambiguous:
            if want is not None and not _same(value, want):
                problems.append(f"lost {path}: {status} {value!r}, truth {want!r}")
            elif want is None and value is not None and status != "inferred":
                problems.append(f"blank {path} given {value!r} ({status})")
        if want is not None and value is None:
            undecided.append(path)
    if style == "run_together" and undecided and not any(
            f.rule in ("P-SPLIT", "P-ALIGN") for f in report.findings):
        problems.append(f"{len(undecided)} cells undecided without P-SPLIT/P-ALIGN: "
                        f"{undecided[:5]}")
    assert not problems, _explain(params, style, problems, text)


def _explain(params: dict, style: str, problems: list[str], text: str) -> str:
    shown = "\n".join(problems[:12])
    more = f"\n… {len(problems) - 12} more" if len(problems) > 12 else ""
    return f"style {style}, {params}:\n{shown}{more}\n---- text ----\n{text}"


@SETTINGS
@given(params=reports)
def test_markdown(params: dict) -> None:
    _check(params, "markdown")


@SETTINGS
@given(params=reports)
def test_tabs(params: dict) -> None:
    _check(params, "tabs")


@SETTINGS
@given(params=reports)
def test_pipes(params: dict) -> None:
    _check(params, "pipes")


@SETTINGS
@given(params=reports)
@example(params={"profile": "city", "inconsistent": True, "seed": 20000, "render_seed": 20000,
                 "shape": ("2021", False), "blanks": "scatter"})  # a blank after each cell, but
# one empty cell without its own: blank lines are no cells there, and T3-BALANCE, broken by the
# report, settles nothing
def test_cell_per_line(params: dict) -> None:
    assume(params != SETTLED_BY_A_HIDDEN_MISPRINT)  # known: the test below
    _check(params, "cell_per_line")


# The derandomised examples depend on hypothesis's version (pinned in the test extra): 6.155.7 and
# 6.170 draw this one. A report that breaks its own sums, blank cells that hide values and one
# empty cell without its blank line: the row 「9 8 0 2 20」 is settled by a column sum that the
# misprint breaks where no cell shows it (legal_service's 2 read as social_welfare's). Known, not
# yet fixed.
SETTLED_BY_A_HIDDEN_MISPRINT = {"profile": "city", "inconsistent": True, "seed": 65536, "render_seed": 65536,
                                "shape": ("2021", False), "blanks": "scatter"}


@pytest.mark.xfail(strict=True, reason="an inconsistent report's hidden misprint settles a row wrongly")
def test_cell_per_line_settled_by_a_hidden_misprint() -> None:
    _check(SETTLED_BY_A_HIDDEN_MISPRINT, "cell_per_line")


@SETTINGS
@given(params=reports)
def test_plain(params: dict) -> None:
    _check(params, "plain")


@SETTINGS
@given(params=reports)
def test_label_then_values(params: dict) -> None:
    _check(params, "label_then_values")


@SLOW
@given(params=reports)
def test_run_together(params: dict) -> None:
    _check(params, "run_together")


@SETTINGS
@given(params=reports)
def test_split_tables(params: dict) -> None:
    _check(params, "split_tables")


@SETTINGS
@given(params=reports)
def test_notes_in_cells(params: dict) -> None:
    _check(params, "notes_in_cells")


def test_every_text_style_has_a_property_test() -> None:
    assert {name.removeprefix("test_") for name in globals() if name.startswith("test_")} >= set(TEXT_STYLES)
