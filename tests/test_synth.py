"""The generator makes valid truth dicts, and every text style prints every value it holds."""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from corpus import REAL, SEEDS
from gongkai.report import nested_value
from gongkai.synth import (
    BLANK_MODES,
    PROFILES,
    TEXT_STYLES,
    broken_rule,
    check_equations,
    implied_cells,
    lossless_styles,
    random_report,
    render,
    render_with_info,
    shape_of,
    truth_cells,
)
from gongkai.template import TEMPLATE, TableShape, equations

SHAPES = [("2021", False), ("2019", False), ("2021", True)]


def _cases(n: int, **kwargs):
    rng = random.Random(20240601)
    for i in range(n):
        fmt, hybrid = SHAPES[i % len(SHAPES)]
        yield random_report(rng, edition=fmt, hybrid=hybrid, profile=PROFILES[i % len(PROFILES)],
                            **kwargs)


# ---------------------------------------------------------------------------------- truth shape
def _shape(truth: dict) -> dict:
    """Keys and list lengths, without values (notes/implied are optional extras)."""
    return {
        "top": sorted(k for k in truth if k not in ("notes", "implied")),
        "active_disclosure": {r: sorted(c) for r, c in truth["active_disclosure"].items()},
        "applications": {r: len(v) for r, v in truth["applications"].items()},
        "review_litigation": {g: len(v) for g, v in truth["review_litigation"].items()},
    }


@pytest.mark.parametrize(("fmt", "hybrid", "example"), [
    ("2021", False, SEEDS / "004_94c66d917836ad80.truth.json"),
    ("2019", False, SEEDS / "002_2581eebe3519dac9.truth.json"),
    ("2021", True, REAL / "hongze-2023.truth.json"),
])
def test_same_shape_as_hand_made_truth(fmt: str, hybrid: bool, example: Path) -> None:
    if not example.exists():
        pytest.skip(f"{example} not available")
    expected = _shape(json.loads(example.read_text("utf-8")))
    for seed in range(20):
        truth = random_report(random.Random(seed), edition=fmt, hybrid=hybrid,
                              blanks=seed % 2 == 0, inconsistent=seed % 3 == 0)
        assert _shape(truth) == expected
        assert shape_of(truth) == TableShape(fmt, hybrid)
        json.dumps(truth)  # plain JSON types only


def test_values_are_valid_numbers() -> None:
    for truth in _cases(120, blanks=True):
        for path, value in truth_cells(truth).items():
            if value is None:
                continue
            kind = TEMPLATE.cell_kind(path)
            if kind == "count":
                assert isinstance(value, int) and value >= 0, (path, value)
            elif kind == "signed":
                assert isinstance(value, int), (path, value)
            else:
                assert isinstance(value, int | float) and value >= 0, (path, value)


def test_years_and_agencies() -> None:
    years = {"2019": [], "2021": []}
    for truth in _cases(300):
        years[truth["template"]].append(truth["year"])
        assert truth["agency"] and not re.search(r"\d", truth["agency"])
    assert min(years["2021"]) >= 2021
    old = years["2019"]
    assert sum(y in (2019, 2020) for y in old) > 0.7 * len(old)
    assert any(y >= 2021 for y in old)  # late users of the 2019 tables (seeds 002, 003)


def test_profiles_have_their_magnitudes() -> None:
    rng = random.Random(7)
    township = [random_report(rng, profile="township") for _ in range(200)]
    city = [random_report(rng, profile="city") for _ in range(100)]
    received = [nested_value(t, "applications.new_received.total") for t in township]
    assert sum(r == 0 for r in received) > 60 and max(received) < 100
    punish = [nested_value(t, "active_disclosure.punishment.decisions") for t in city]
    assert max(punish) > 100_000
    assert any(isinstance(nested_value(t, "active_disclosure.fees.amount_wan_yuan"), float)
               for t in city)
    old = [random_report(rng, edition="2019", profile="county") for _ in range(200)]
    changes = [nested_value(t, f"active_disclosure.{r}.change") for t in old
               for r in ("licensing", "punishment", "fees")]
    assert any(c < 0 for c in changes) and any(c > 0 for c in changes)


# ---------------------------------------------------------------------------------- arithmetic
def test_consistent_reports_satisfy_every_equation() -> None:
    for truth in _cases(300):
        shape = shape_of(truth)
        cells = truth_cells(truth)
        assert check_equations(cells, shape) == []
        checked = [eq for eq in equations(shape) if all(cells[p] is not None for p in eq.paths)]
        if not shape.hybrid:  # the hybrid's T3-OTHER has unprinted terms
            assert len(checked) == len(equations(shape))


def test_inconsistent_reports_break_exactly_the_recorded_rule() -> None:
    seen = set()
    for truth in _cases(300, inconsistent=True):
        rule = broken_rule(truth)
        assert rule is not None
        failed = check_equations(truth_cells(truth), shape_of(truth))
        assert failed and {eq.rule for eq in failed} == {rule}, (rule, [e.rule for e in failed])
        seen.add(rule)
    assert seen == {"T3-BALANCE", "T3-ROWSUM", "T3-TOTAL", "T4-GROUPSUM"}


@pytest.mark.parametrize("mode", BLANK_MODES)
def test_blanks_and_implied_values(mode: str) -> None:
    """Blanking only removes values; ``implied`` gives back exactly the forced ones."""
    for seed in range(60):
        fmt, hybrid = SHAPES[seed % 3]
        clean = random_report(random.Random(seed), edition=fmt, hybrid=hybrid)
        blanked = random_report(random.Random(seed), edition=fmt, hybrid=hybrid, blanks=mode)
        # the hybrid's unprinted （六） items are null in the clean report too: compare with
        # what the clean report's arithmetic forces for them
        full = truth_cells(clean) | implied_cells(clean)
        cells, implied = truth_cells(blanked), implied_cells(blanked)
        for path, value in cells.items():
            assert value is None or value == full[path]
        for path, value in implied.items():
            assert cells[path] is None
            assert value == full.get(path), path  # a forced value is the value the cell had
        assert check_equations(cells, shape_of(blanked)) == []


def test_seed_003_pattern_forces_all_zero() -> None:
    """Blanks where zeros were, (七)总计 and 四 printed as 0: every blank table-3 cell is 0."""
    rng = random.Random(3)
    for _ in range(200):
        truth = random_report(rng, edition="2019", profile="township", blanks="zeros")
        if nested_value(truth, "applications.new_received.total") is None and \
                nested_value(truth, "applications.total.total") == 0:
            implied = implied_cells(truth)
            blank = [p for p, v in truth_cells(truth).items()
                     if v is None and p.startswith("applications.")]
            assert blank and all(implied[p] == 0 for p in blank)
            return
    pytest.fail("no seed-003-like report generated")


def test_inconsistent_with_blanks_keeps_the_break_visible() -> None:
    for truth in _cases(150, inconsistent=True, blanks=True):
        failed = check_equations(truth_cells(truth), shape_of(truth))
        assert {eq.rule for eq in failed} == {broken_rule(truth)}


# ---------------------------------------------------------------------------------- rendering
_NUMBER = re.compile(r"([+-]?\d+(?:\.\d+)?)(万元|元)?")


def _printed(path: str, value) -> Decimal:
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)


def _tokens(text: str) -> list[Decimal]:
    text = unicodedata.normalize("NFKC", text).replace("\xa0", " ")
    out = []
    for m in _NUMBER.finditer(text):
        number = Decimal(m.group(1))
        out.append(number / 10000 if m.group(2) == "元" else number)
    return out


def _ordered_values(truth: dict) -> list[tuple[str, object]]:
    """Non-null values in the order every text style prints them."""
    shape = shape_of(truth)
    out = []
    for path in TEMPLATE.cell_paths(shape):
        if shape.hybrid and ".other_" in path:
            continue  # not printed by the hybrid
        value = nested_value(truth, path)
        if value is not None:
            out.append((path, value))
    return out


def _is_subsequence(wanted: list[Decimal], tokens: list[Decimal]) -> int:
    """How many of ``wanted`` match, in order, a subsequence of ``tokens`` (greedy is exact)."""
    i = 0
    for token in tokens:
        if i < len(wanted) and math.isclose(token, wanted[i], rel_tol=1e-9, abs_tol=1e-9):
            i += 1
    return i


@pytest.mark.parametrize("style", sorted(TEXT_STYLES))
def test_text_contains_every_value(style: str) -> None:
    rng = random.Random(11)
    for i, truth in enumerate(_cases(45, blanks=False)):
        if i % 3 == 0:
            truth = random_report(rng, edition=truth["template"], blanks=True)
        text = render(truth, style, random.Random(i))
        assert truth["agency"] in text or truth["agency"].removesuffix("人民政府") in text
        assert str(truth["year"]) in text
        values = _ordered_values(truth)
        if style == "run_together":
            for row in ("applications", "review_litigation"):
                for key, cells in truth[row].items():
                    if cells and all(v is not None for v in cells):
                        assert "".join(map(str, cells)) in text, (key, cells)
            continue
        wanted = [_printed(p, v) for p, v in values]
        matched = _is_subsequence(wanted, _tokens(text))
        assert matched == len(wanted), (style, values[matched], text)


@pytest.mark.parametrize("style", sorted(TEXT_STYLES))
def test_rendering_is_deterministic(style: str) -> None:
    truth = random_report(random.Random(5), edition="2019", blanks=True)
    assert render(truth, style, random.Random(9)) == render(truth, style, random.Random(9))


def test_ambiguous_cells_are_noted() -> None:
    rng = random.Random(2)
    noted = dict.fromkeys(TEXT_STYLES, 0)
    for _ in range(60):
        truth = random_report(rng, edition="2021", blanks="scatter", profile="city")
        for style in TEXT_STYLES:
            info = render_with_info(truth, style, rng)
            assert info.ambiguous <= set(truth_cells(truth))
            noted[style] += bool(info.ambiguous)
    for style in lossless_styles:
        assert noted[style] == 0, style
    # the empty-cell token is used in about half of the documents; big numbers glue ambiguously
    assert noted["cell_per_line"] and noted["tabs"] and noted["run_together"]




# ---------------------------------------------------------------------------------- old names
def test_the_old_names_still_work_and_warn() -> None:
    """``format=`` (now ``edition=``) and the "layout" names of text styles and table shapes
    keep working for one release, each with a DeprecationWarning naming its new name."""
    with pytest.warns(DeprecationWarning, match=r"random_report\(edition=…\)"):
        old = random_report(random.Random(3), format="2019", blanks=True)
    assert old == random_report(random.Random(3), edition="2019", blanks=True)
    assert old["template"] == "2019"
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="give edition only"):
        random_report(random.Random(3), edition="2019", format="2021")
    import gongkai.synth
    import gongkai.synth.text_layouts
    for module, old_name, new in [(gongkai.synth, "LAYOUTS", TEXT_STYLES),
                                  (gongkai.synth, "layouts_lossless", lossless_styles),
                                  (gongkai.synth, "layout_of", shape_of),
                                  (gongkai.synth.text_layouts, "LAYOUTS", TEXT_STYLES)]:
        with pytest.warns(DeprecationWarning, match=f"{module.__name__}.{old_name} is deprecated"):
            assert getattr(module, old_name) is new
    with pytest.raises(AttributeError):
        gongkai.synth.no_such_name  # noqa: B018
    rendering = render_with_info(old, "tabs", random.Random(1))
    with pytest.warns(DeprecationWarning, match="Rendering.style"):
        assert rendering.layout == rendering.style == "tabs"
